package localproxy

import (
	"crypto/sha256"
	"crypto/subtle"
	"encoding/base64"
	"net/http"
	"strings"

	"httpcloakpy/internal/errs"
)

// proxyCredentials are the Basic credentials a local proxy asks of every client, CONNECT
// and forwarded requests alike, in Proxy-Authorization: what clients send when the proxy
// URL carries user:password. nil: no authentication.
type proxyCredentials struct {
	user, password [sha256.Size]byte // hashed: the comparison takes the same time for any input
}

func newProxyCredentials(user, password string) (*proxyCredentials, error) {
	if user == "" && password == "" {
		return nil, nil
	}
	if user == "" || password == "" {
		return nil, errs.New(errs.KindInvalidArgument, "local proxy credentials need both a username and a password")
	}
	if strings.Contains(user, ":") {
		return nil, errs.New(errs.KindInvalidArgument, "the local proxy username must not contain \":\" (Basic authentication splits there)")
	}
	return &proxyCredentials{user: sha256.Sum256([]byte(user)), password: sha256.Sum256([]byte(password))}, nil
}

func (c *proxyCredentials) admits(r *http.Request) bool {
	if c == nil {
		return true
	}
	values := r.Header.Values("Proxy-Authorization")
	if len(values) != 1 {
		return false
	}
	scheme, token, _ := strings.Cut(values[0], " ")
	if !strings.EqualFold(scheme, "Basic") {
		return false
	}
	decoded, err := base64.StdEncoding.DecodeString(strings.TrimSpace(token))
	if err != nil {
		return false
	}
	user, password, _ := strings.Cut(string(decoded), ":")
	u, p := sha256.Sum256([]byte(user)), sha256.Sum256([]byte(password))
	return subtle.ConstantTimeCompare(u[:], c.user[:])&subtle.ConstantTimeCompare(p[:], c.password[:]) == 1
}

// challenge answers a request without the right credentials: 407, as proxies do.
func (p *Proxy) challenge(w http.ResponseWriter) {
	w.Header().Set("Proxy-Authenticate", `Basic realm="httpcloak local proxy"`)
	p.refuse(w, http.StatusProxyAuthRequired, errs.KindProxy, "proxy authentication required (the credentials of LocalProxy(auth=...))")
}
