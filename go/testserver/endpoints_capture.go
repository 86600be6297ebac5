package main

import (
	"fmt"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"time"
)

// Pages that make a browser show its usual traffic, for tools/capture_browsers.py:
// /capture/page?token=T&step=N&steps=M loads a stylesheet, a script, two images
// and a fetch() (all /warmup/asset/..., so they are logged under T and set
// cookies that later requests carry), then, before step M, asks /capture/goaway
// to end the connection and navigates to step N+1, which needs a new (resumed)
// connection; after step M it fetches /warmup/asset/done.txt, the driver's signal.

func handleCapturePage(w http.ResponseWriter, r *http.Request) {
	q := r.URL.Query()
	step, err1 := strconv.Atoi(q.Get("step"))
	steps, err2 := strconv.Atoi(q.Get("steps"))
	if err1 != nil || err2 != nil || step < 1 || steps < step || steps > 20 {
		badRequest(w, "step and steps must be integers with 1 <= step <= steps <= 20")
		return
	}
	token := url.QueryEscape(q.Get("token"))
	asset := func(stem, ext string) string {
		return fmt.Sprintf("/warmup/asset/%s-%d.%s?token=%s", stem, step, ext, token)
	}
	next := ""
	if step < steps {
		next = fmt.Sprintf("/capture/page?token=%s&step=%d&steps=%d", token, step+1, steps)
	}
	var b strings.Builder
	fmt.Fprintf(&b, "<!doctype html>\n<html><head><title>capture %d/%d</title>\n", step, steps)
	fmt.Fprintf(&b, "<link rel=\"stylesheet\" href=\"%s\">\n", asset("style", "css"))
	fmt.Fprintf(&b, "<script src=\"%s\"></script>\n", asset("app", "js"))
	b.WriteString("</head><body>\n")
	fmt.Fprintf(&b, "<img src=\"%s\" alt=\"\">\n<img src=\"%s\" alt=\"\">\n", asset("logo", "png"), asset("photo", "png"))
	fmt.Fprintf(&b, `<script>
addEventListener("load", async () => {
  await fetch(%q);
  const next = %q;
  if (next) {
    await fetch("/capture/goaway");
    setTimeout(() => { location.href = next; }, 300);
  } else {
    await fetch("/warmup/asset/done.txt?token=%s");
  }
});
</script>
`, asset("data", "json"), next, token)
	b.WriteString("<p>capture page</p></body></html>\n")
	w.Header().Set("Content-Type", "text/html; charset=utf-8")
	w.Header().Set("Cache-Control", "no-store")
	_, _ = w.Write([]byte(b.String()))
}

// handleCaptureGoaway ends the connection once the response is sent: GOAWAY
// on HTTP/2 (net/http's convention for "Connection: close"), close on
// HTTP/1.1, and on HTTP/3 a CONNECTION_CLOSE (H3_NO_ERROR) shortly after the
// response, as quic-go's server has no per-connection GOAWAY.
func handleCaptureGoaway(w http.ResponseWriter, r *http.Request) {
	info := connInfoFrom(r.Context())
	h3 := info != nil && info.listener == listenerH3
	if !h3 { // a connection-specific header is malformed in HTTP/3 (RFC 9114 section 4.2)
		w.Header().Set("Connection", "close")
	}
	w.Header().Set("Cache-Control", "no-store")
	_, _ = w.Write([]byte("bye\n"))
	if h3 {
		info.mu.Lock()
		conn := info.quicConn
		info.mu.Unlock()
		if conn != nil {
			if flusher, ok := w.(http.Flusher); ok {
				flusher.Flush()
			}
			// The response must reach the client before the connection ends.
			time.AfterFunc(200*time.Millisecond, func() { _ = conn.CloseWithError(0x100, "capture goaway") })
		}
	}
}

// handleCaptureFlush writes the -capture-dir record of every connection
// still open now: a stopped browser's QUIC connections stay open until the
// idle timeout, but the driver wants them filed with the launch that made them.
func handleCaptureFlush(w http.ResponseWriter, r *http.Request) {
	writeJSON(w, http.StatusOK, map[string]int{"written": flushOpenCaptures()})
}
