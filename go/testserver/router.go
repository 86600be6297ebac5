package main

import (
	"context"
	"net/http"
)

// newRouter wires every endpoint; the same handler serves HTTP/1.1, HTTP/2
// and HTTP/3.
func newRouter() http.Handler {
	mux := http.NewServeMux()
	routes := map[string]http.HandlerFunc{
		// echo and bookkeeping
		"/get":       handleEcho,
		"/anything":  handleEcho,
		"/anything/": handleEcho,
		"/headers":   handleEcho,
		"/whoami":    handleWhoami,
		"/stats":     handleStats,
		"/echo":      handleEchoBody,
		// the echo, answered with the headers the query names (httpbin's)
		"/response-headers": handleResponseHeaders,
		// what the HTTP proxies were asked
		"/proxy/connects": handleProxyConnects,
		// HTTPS queries the ECH tests' DNS server got, per name
		"/dns/queries": handleDNSQueries,
		// fixed bodies and plain streams
		"/status/{code}":        handleStatus,
		"/stream/{n}":           handleStream,
		"/bytes/{n}":            handleBytes,
		"/stream-bytes/{n}":     handleStreamBytes,
		"/big/{n}":              handleBig,
		"/ndjson":               handleNDJSON,
		"/lines":                handleLines,
		"/sse":                  handleSSE,
		"/compressed":           handleCompressed,
		"/zstd-bomb":            handleZstdBomb,
		"/truncated":            handleTruncated,
		"/chunked-unterminated": handleChunkedUnterminated,
		"/stall":                handleStall,
		"/drip":                 handleDrip,
		"/trailers":             handleTrailers,
		"/slow-headers":         handleSlowHeaders,
		"/flaky":                handleFlaky,
		// cookies and redirects
		"/cookies":              handleCookies,
		"/cookies/set":          handleCookiesSet,
		"/cookies/delete":       handleCookiesDelete,
		"/cookies/stream":       handleCookiesStream,
		"/cookies/raw":          handleCookiesRaw,
		"/cookies/many":         handleCookiesMany,
		"/redirect-with-cookie": handleRedirectWithCookie,
		"/redirect/{n}":         handleRedirectChain,
		"/redirect-to":          handleRedirectTo,
		// validators for the conditional cache
		"/cache/{tag}": handleCache,
		// fingerprints
		"/fingerprint":      handleFingerprint,
		"/fingerprint/full": handleFingerprintFull,
		// a page with subresources (warmup)
		"/warmup/page":         handleWarmupPage,
		"/warmup/asset/{name}": handleWarmupAsset,
		"/warmup/log":          handleWarmupLog,
		// pages that drive a real browser through several connections
		"/capture/page":   handleCapturePage,
		"/capture/goaway": handleCaptureGoaway,
		"/capture/flush":  handleCaptureFlush,
	}
	for pattern, handler := range routes {
		mux.Handle(pattern, handler)
	}
	return withHeaderOrder(mux)
}

type headerOrderKey struct{}

// receivedHeaderOrder is what the sniffers saw for one request.
type receivedHeaderOrder struct {
	names  []string
	source string // "wire" or "unavailable"
}

// withHeaderOrder claims the request's wire header order from the
// connection's sniffer before routing, so every request consumes its entry.
func withHeaderOrder(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		order := receivedHeaderOrder{source: "unavailable"}
		if info := connInfoFrom(r.Context()); info != nil {
			var queue *headerOrderQueue
			switch {
			case info.h1 != nil && r.ProtoMajor == 1:
				queue = &info.h1.queue
			case info.h2 != nil && r.ProtoMajor == 2:
				queue = &info.h2.queue
			}
			if queue != nil {
				if names, ok := queue.take(r.Method, r.RequestURI); ok {
					order = receivedHeaderOrder{names: names, source: "wire"}
				}
			}
		}
		ctx := context.WithValue(r.Context(), headerOrderKey{}, order)
		next.ServeHTTP(w, r.WithContext(ctx))
	})
}

func headerOrderFrom(ctx context.Context) receivedHeaderOrder {
	order, _ := ctx.Value(headerOrderKey{}).(receivedHeaderOrder)
	return order
}
