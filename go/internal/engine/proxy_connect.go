package engine

import (
	"fmt"
	"strings"

	"httpcloakpy/internal/wire"
)

// The CONNECT request the preset's browser sends to an HTTP proxy, header for header, so a
// proxy (or whoever watches it) sees the browser and not Go (net/http would add
// "User-Agent: Go-http-client/1.1"). Credentials go last, as both browsers send them.
//
//   - Chrome, net/http/proxy_client_socket.cc BuildTunnelRequest: Host, Proxy-Connection:
//     keep-alive, User-Agent, then the auth headers.
//   - Firefox, nsHttpConnection::MakeConnectString: User-Agent, Proxy-Connection:
//     keep-alive, Connection: keep-alive, Host, then Proxy-Authorization.
//
// Safari presets use Chrome's layout: no capture of Safari's CONNECT was available.
type connectStyle int

const (
	connectLikeChrome connectStyle = iota
	connectLikeFirefox
)

// connectRequest writes one CONNECT head for a preset.
type connectRequest struct {
	style     connectStyle
	userAgent string // the preset's; empty: none sent
}

// connectRequestFor is the CONNECT of the preset whose engine profile is profile
// ("firefox_148", "chrome_151_PSK", ...), carrying the preset's User-Agent.
func connectRequestFor(profile string, presetHeaders [][2]string) connectRequest {
	c := connectRequest{style: connectLikeChrome}
	if strings.HasPrefix(strings.ToLower(profile), "firefox") {
		c.style = connectLikeFirefox
	}
	c.userAgent, _ = wire.HeaderValue(presetHeaders, "user-agent")
	return c
}

// head is the request for a tunnel to addr ("host:port", IPv6 in brackets); authorization
// is the Proxy-Authorization value, or "".
func (c connectRequest) head(addr, authorization string) ([]byte, error) {
	if addr == "" || strings.ContainsAny(addr, " \r\n\x00") {
		return nil, fmt.Errorf("cannot ask for a tunnel to %q", addr)
	}
	var b strings.Builder
	b.WriteString("CONNECT " + addr + " HTTP/1.1\r\n")
	field := func(name, value string) {
		if value != "" {
			b.WriteString(name + ": " + value + "\r\n")
		}
	}
	switch c.style {
	case connectLikeFirefox:
		field("User-Agent", c.userAgent)
		field("Proxy-Connection", "keep-alive")
		field("Connection", "keep-alive")
		field("Host", addr)
	default:
		field("Host", addr)
		field("Proxy-Connection", "keep-alive")
		field("User-Agent", c.userAgent)
	}
	field("Proxy-Authorization", authorization)
	b.WriteString("\r\n")
	return []byte(b.String()), nil
}
