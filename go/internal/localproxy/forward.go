package localproxy

import (
	"context"
	"errors"
	"io"
	"maps"
	"net"
	"net/http"
	"net/url"
	"slices"
	"strconv"
	"strings"

	"httpcloakpy/internal/body"
	"httpcloakpy/internal/client"
	"httpcloakpy/internal/errs"
	"httpcloakpy/internal/targets"
	"httpcloakpy/internal/wire"
)

// The local proxy's plain-HTTP path: one client request becomes one stream on a session
// (same fingerprint, cookie jar, timeouts and read-ahead as a Python request), and the
// response streams back as it arrives. A client that goes away cancels the stream, which
// ends any wait on it.

// Hop-by-hop headers (RFC 9110 section 7.6.1) and the proxy's own control headers stay
// between the client and the proxy.
var proxyOnlyHeaders = []string{
	"connection", "proxy-connection", "keep-alive", "proxy-authorization", "proxy-authenticate",
	"te", "trailer", "transfer-encoding", "upgrade", "host",
	headerScheme, headerSession, headerTLSOnly, headerUpstreamProxy,
}

func (p *Proxy) forward(w http.ResponseWriter, r *http.Request) {
	if !r.URL.IsAbs() {
		p.refuse(w, http.StatusBadRequest, errs.KindInvalidArgument,
			"this is an HTTP proxy: send absolute-form requests (configure it as your client's proxy)")
		return
	}
	target := *r.URL
	switch scheme := strings.ToLower(r.Header.Get(headerScheme)); scheme {
	case "", "http":
	case "https":
		target.Scheme = "https"
	default:
		p.refuse(w, http.StatusBadRequest, errs.KindInvalidArgument, "X-HTTPCloak-Scheme must be http or https, got "+scheme)
		return
	}
	sess, err := p.sessionFor(r)
	if err != nil {
		p.refuseFor(w, err)
		return
	}
	if upstream := upstreamProxyOf(r); upstream != "" {
		if status, err := p.checkUpstream(r.Context(), upstream); err != nil {
			p.refuseUpstream(w, status, err, upstream)
			return
		}
		through, release, err := p.upstreams.acquire(sess, upstream)
		if err != nil {
			p.refuseUpstream(w, 0, err, upstream)
			return
		}
		defer release() // after any refusal below: the fork's credentials are masked till then
		sess = through
	}
	if err := p.checkTarget(r.Context(), sess, &target); err != nil {
		p.refuse(w, http.StatusForbidden, errs.KindInvalidArgument, err.Error())
		return
	}
	spec, err := p.specFor(sess, r, &target)
	if err != nil {
		p.refuse(w, http.StatusBadRequest, errs.KindInvalidArgument, err.Error())
		return
	}
	spec.Guard = p.guard // and every connection the exchange makes (DialControl)
	st, err := client.OpenStream(sess, spec)
	if err != nil {
		p.refuseFor(w, err)
		return
	}
	defer st.Close()
	stop := context.AfterFunc(r.Context(), st.Cancel) // the client left
	defer stop()
	if spec.Upload != nil {
		go feedUpload(spec.Upload, r.Body, st.Cancel)
	}
	meta, failure := awaitMeta(r.Context(), st)
	if failure != nil {
		p.refuseFor(w, failure)
		return
	}
	if meta == nil {
		return // the client went away first
	}
	writeProxiedHeaders(w, meta, r.Method)
	if err := copyStreamTo(w, st); err != nil {
		p.failures.Add(1)
		// Headers are out: the only honest signal left is a cut connection, so the client
		// sees a truncated body instead of a short one that looks complete.
		panic(http.ErrAbortHandler)
	}
}

// checkTarget applies the proxy's target guard to a forwarded request's origin. The
// name is resolved here unless the session reaches it through a proxy of its own.
func (p *Proxy) checkTarget(ctx context.Context, sess *client.Session, target *url.URL) error {
	port, _ := strconv.Atoi(target.Port())
	if port == 0 {
		port = map[string]int{"http": 80, "https": 443}[target.Scheme]
	}
	var resolve func(context.Context, string) ([]net.IPAddr, error)
	if sess.Proxy() == "" {
		resolve = net.DefaultResolver.LookupIPAddr
	}
	if p.timeouts.Connect > 0 { // the lookup is part of connecting
		var cancel context.CancelFunc
		ctx, cancel = context.WithTimeout(ctx, p.timeouts.Connect)
		defer cancel()
	}
	return p.guard.Check(ctx, target.Hostname(), port, resolve)
}

// Headers that say which browser is talking: the preset's replace the client's (urllib's
// User-Agent must not undo the fingerprint), unless the proxy runs TLS-only.
var presetIdentityHeaders = []string{
	"user-agent", "sec-ch-ua", "sec-ch-ua-mobile", "sec-ch-ua-platform", "accept-encoding",
}

// specFor turns the client's request into ours: the preset's headers with the client's laid
// over them except the identity ones (or the client's alone in TLS-only mode), no redirects
// (the client follows them itself), the proxy's timeouts.
func (p *Proxy) specFor(sess *client.Session, r *http.Request, target *url.URL) (*client.Request, error) {
	u, err := wire.ValidateURL(target.String())
	if err != nil {
		return nil, err
	}
	// Go's server keeps no order across names: sort them so a TLS-only request at least
	// sends the same order every time.
	var clientHeaders [][2]string
	for _, name := range slices.Sorted(maps.Keys(r.Header)) {
		for _, v := range r.Header[name] {
			clientHeaders = append(clientHeaders, [2]string{name, v})
		}
	}
	clientHeaders = wire.WithoutHeaders(clientHeaders, append(proxyOnlyHeaders, connectionListed(r.Header)...)...)
	// The body's framing is the engine's to write from the upload (as for any request,
	// validateHeaders): the client's Content-Length beside it would reach the origin twice.
	clientHeaders = wire.WithoutHeaders(clientHeaders, "content-length")
	headers := clientHeaders
	if !p.tlsOnly && !strings.EqualFold(r.Header.Get(headerTLSOnly), "true") {
		headers = wire.MergeHeaders(sess.BaseHeaders(), wire.WithoutHeaders(clientHeaders, presetIdentityHeaders...))
	}
	spec := &client.Request{Method: r.Method, URL: u, Headers: headers, Timeouts: p.timeouts}
	if r.ContentLength != 0 && r.Body != nil && r.Body != http.NoBody {
		spec.Upload = body.NewUpload(r.ContentLength) // -1 when the client sent it chunked
	}
	return spec, nil
}

// feedUpload hands the client's request body to the stream as it arrives. A body the
// client cuts short aborts the exchange: ending it cleanly would send the origin a shorter
// body as if it were whole.
func feedUpload(u *body.Upload, src io.Reader, abort func()) {
	buf := make([]byte, 64<<10)
	for {
		n, err := src.Read(buf)
		if n > 0 && u.Write(buf[:n], body.Forever) != body.WriteAccepted {
			return
		}
		if err == io.EOF {
			u.End()
			return
		}
		if err != nil {
			abort()
			return
		}
	}
}

// awaitMeta waits for the response headers, or for the client to go away (nil, nil).
func awaitMeta(ctx context.Context, st *client.Stream) (*client.Meta, error) {
	select {
	case <-st.MetaReady():
		return st.WaitMeta(0)
	case <-ctx.Done():
		return nil, nil
	}
}

// writeProxiedHeaders sends the origin's status and headers. The body reaches the client
// decoded (our layer undoes Content-Encoding), so a coded body loses its encoding and length.
func writeProxiedHeaders(w http.ResponseWriter, meta *client.Meta, method string) {
	headers := wire.WithoutHeaders(meta.Headers, proxyOnlyHeaders...)
	if coding, ok := wire.HeaderValue(headers, "content-encoding"); ok && !strings.EqualFold(coding, "identity") && method != http.MethodHead {
		headers = wire.WithoutHeaders(headers, "content-encoding", "content-length")
	}
	out := w.Header()
	for _, h := range headers {
		out.Add(h[0], h[1])
	}
	w.WriteHeader(meta.Status)
}

// copyStreamTo sends the body as it arrives; a client gone away has cancelled the stream,
// which ends the read.
func copyStreamTo(w http.ResponseWriter, st *client.Stream) error {
	flusher, _ := w.(http.Flusher)
	buf := make([]byte, 64<<10)
	for {
		n, failure := st.Read(buf, body.Forever)
		if failure == io.EOF {
			return nil
		}
		if failure != nil {
			return failure
		}
		if _, err := w.Write(buf[:n]); err != nil {
			return err
		}
		if flusher != nil && !st.Buffered() {
			flusher.Flush() // nothing more queued: let the client see what arrived (SSE)
		}
	}
}

func statusForFailure(k errs.Kind) int {
	switch k {
	case errs.KindConnectTimeout, errs.KindTotalTimeout, errs.KindReadTimeout:
		return http.StatusGatewayTimeout
	case errs.KindInvalidArgument:
		return http.StatusBadRequest
	}
	return http.StatusBadGateway
}

// connectionListed are the fields the client named in Connection: hop-by-hop, for this
// proxy only (RFC 9110 section 7.6.1).
func connectionListed(h http.Header) []string {
	var names []string
	for _, value := range h.Values("Connection") {
		for _, name := range strings.Split(value, ",") {
			if name = strings.TrimSpace(name); name != "" {
				names = append(names, strings.ToLower(name))
			}
		}
	}
	return names
}

// refuseFor answers a failure that carries its kind (an unknown session is the caller's
// mistake, a closed one is not) with the status that kind calls for.
func (p *Proxy) refuseFor(w http.ResponseWriter, err error) {
	var failure *errs.Error
	if !errors.As(err, &failure) {
		failure = errs.New(errs.KindInternal, "%v", err)
	}
	status := statusForFailure(failure.Kind)
	if targets.IsForbidden(failure) { // refused when connecting: the name changed address
		status = http.StatusForbidden
	}
	p.refuse(w, status, failure.Kind, failure.Error())
}
