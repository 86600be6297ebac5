package client

import (
	"context"
	"io"
	"net/url"
	"strings"
	"time"

	"httpcloakpy/internal/engine"
	"httpcloakpy/internal/errs"
	"httpcloakpy/internal/wire"
)

// Hop is one redirect response the stream went through, reported in its metadata.
type Hop struct {
	Status  int
	Reason  string
	Proto   string
	URL     string
	Headers [][2]string
}

// redirectDrainLimit bounds how much of a redirect's body is read so its connection can be
// reused; a bigger body is dropped with its connection instead, and so is one that has not
// arrived within redirectDrainWait (a stalled 3xx body must not hold up the redirect).
const (
	redirectDrainLimit = 64 << 10
	redirectDrainWait  = time.Second
)

// exchange performs the request and, when allowed, follows redirects hop by hop: every
// hop's Set-Cookie lands in the jar and the next hop carries the jar's cookies. With a
// hook, each hop is first offered to the caller, who may stop the chain on it.
func exchange(ctx context.Context, sess *Session, spec *Request, hook *hopGate) (*engine.Response, *url.URL, []Hop, error) {
	method, u, headers, body, upload := spec.Method, spec.URL, spec.Headers, spec.Body, spec.Upload
	var history []Hop
	sess.drains.wait(originOf(u)) // a connection closed early may be about to come back
	headers = sess.cache.afterReload(headers)
	referrer, _ := wire.HeaderValue(headers, "referer")
	for {
		sent := withCookies(headers, sess.jar.Header(u))
		if !spec.NoCache {
			sent = sess.cache.addTo(method, u, sent)
		}
		if !spec.NoHighEntropy {
			sent = sess.acceptCH.addTo(u, sent)
		}
		// A dropped name stays out on every hop, the jar's cookie header included.
		sent = wire.WithoutHeaders(sent, spec.DropHeaders...)
		out := &engine.Request{Method: method, URL: u, Headers: sent, Body: body}
		if upload != nil {
			out.Stream, out.StreamLength = upload, upload.Size()
		}
		resp, err := sess.send(ctx, out, spec.HeaderOrder) // retry.go: retries and header order
		if err != nil {
			failure := errs.Classify(err, ctx, "connect")
			if len(history) > 0 && failure.Kind == errs.KindInvalidArgument {
				// The URL came from the server, not the caller: a bad reply, said as such.
				failure = errs.New(errs.KindProtocol, "cannot follow the redirect to %s: %s", u, failure.Msg)
			}
			return nil, u, history, failure
		}
		sess.jar.StoreFromResponse(u, resp.Headers)
		sess.acceptCH.remember(u, resp.Headers)
		if !spec.NoCache {
			sess.cache.store(method, u, resp.Status, resp.Headers)
		}
		location, isRedirect := redirectTarget(resp)
		if !spec.AllowRedirects || !isRedirect {
			return resp, u, history, nil
		}
		// The cap comes first: a caller's veto must not turn "too many" into a success.
		if len(history) >= spec.MaxRedirects {
			discard(resp.Body)
			return nil, u, history, errs.New(errs.KindTooManyRedirects, "exceeded %d redirects (last: %d to %s)", spec.MaxRedirects, resp.Status, location)
		}
		next, err := u.Parse(location)
		if err != nil {
			discard(resp.Body)
			return nil, u, history, errs.New(errs.KindProtocol, "bad redirect Location %q: %v", location, err)
		}
		wire.EscapeQuery(next)
		nextMethod := method
		if changesToGet(resp.Status, method) {
			nextMethod = "GET"
		}
		if hook != nil {
			follow, err := hook.ask(ctx, &Redirect{
				Hop: len(history) + 1, Status: resp.Status, Headers: resp.Headers,
				From: u.String(), To: next.String(), Method: nextMethod,
				CrossOrigin: !strictSameOrigin(u, next),
				Downgrade:   u.Scheme == "https" && next.Scheme != "https",
			})
			if err != nil || !follow {
				if err != nil {
					_ = resp.Body.Close()
				}
				return resp, u, history, err // stopped: the 3xx is the response
			}
		}
		discard(resp.Body)
		history = append(history, newHop(resp, u))
		if nextMethod != method {
			method, body, upload = nextMethod, nil, nil
			headers = wire.WithoutHeaders(headers, "content-type", "content-length", "content-encoding", "transfer-encoding")
		} else if upload != nil {
			return nil, u, history, errs.New(errs.KindInvalidArgument,
				"cannot follow a %d redirect to %s: it must resend the request body, and a streamed body cannot be replayed (pass bytes, or allow_redirects=False)", resp.Status, location)
		}
		if !sameOrigin(u, next) {
			// Credentials and the caller's own cookies are for the origin they were given
			// for (the jar adds what belongs to the next one).
			headers = wire.WithoutHeaders(headers, "authorization", "proxy-authorization", "cookie")
		}
		headers = hopReferer(headers, referrer, next, spec.NoHopReferer)
		u = next
	}
}

func redirectTarget(resp *engine.Response) (string, bool) {
	switch resp.Status {
	case 301, 302, 303, 307, 308:
		location, ok := wire.HeaderValue(resp.Headers, "location")
		return location, ok && location != ""
	}
	return "", false
}

// changesToGet follows browsers: 303 always becomes GET (but HEAD), 301/302 turn a POST
// into GET, 307/308 keep method and body.
func changesToGet(status int, method string) bool {
	switch status {
	case 303:
		return method != "HEAD"
	case 301, 302:
		return method == "POST"
	}
	return false
}

// sameOrigin tells whether a redirect keeps the caller's credentials: the same host, no
// downgrade from https, and the same port (an upgrade from http:80 to https:443 keeps them).
func sameOrigin(a, b *url.URL) bool {
	if !strings.EqualFold(a.Hostname(), b.Hostname()) {
		return false
	}
	if a.Scheme == "https" && b.Scheme != "https" {
		return false
	}
	return effectivePort(a) == effectivePort(b) ||
		a.Scheme == "http" && b.Scheme == "https" && effectivePort(a) == "80" && effectivePort(b) == "443"
}

func effectivePort(u *url.URL) string {
	if port := u.Port(); port != "" {
		return port
	}
	if u.Scheme == "https" {
		return "443"
	}
	return "80"
}

func withCookies(headers [][2]string, jarCookies string) [][2]string {
	if jarCookies == "" {
		return headers
	}
	if own, ok := wire.HeaderValue(headers, "cookie"); ok && own != "" {
		jarCookies = own + "; " + jarCookies
	}
	return wire.MergeHeaders(headers, [][2]string{{"cookie", jarCookies}})
}

func discard(body io.ReadCloser) {
	drained := make(chan struct{})
	go func() {
		defer close(drained)
		_, _ = io.CopyN(io.Discard, body, redirectDrainLimit)
	}()
	wait := time.NewTimer(redirectDrainWait)
	defer wait.Stop()
	select {
	case <-drained:
	case <-wait.C:
	}
	_ = body.Close() // a body still arriving is dropped with its connection; the copy ends
}
