package main

import (
	"bytes"
	"context"
	"encoding/json"
	"net/http"
	"strconv"
	"time"
)

func writeJSON(w http.ResponseWriter, status int, v any) {
	var buf bytes.Buffer
	enc := json.NewEncoder(&buf)
	enc.SetEscapeHTML(false) // keep '&' in URLs readable
	if err := enc.Encode(v); err != nil {
		http.Error(w, err.Error(), http.StatusInternalServerError)
		return
	}
	body := buf.Bytes() // Encode already appended '\n'
	w.Header().Set("Content-Type", "application/json")
	w.Header().Set("Content-Length", strconv.Itoa(len(body)))
	w.WriteHeader(status)
	w.Write(body)
}

// badRequest replies 400 with a one-line reason.
func badRequest(w http.ResponseWriter, reason string) {
	http.Error(w, reason, http.StatusBadRequest)
}

func flush(w http.ResponseWriter) error {
	return http.NewResponseController(w).Flush()
}

// sleepCtx waits d, returning false early if ctx ends (the client left).
func sleepCtx(ctx context.Context, d time.Duration) bool {
	if d <= 0 {
		return ctx.Err() == nil
	}
	t := time.NewTimer(d)
	defer t.Stop()
	select {
	case <-t.C:
		return true
	case <-ctx.Done():
		return false
	}
}

func seconds(f float64) time.Duration {
	return time.Duration(f * float64(time.Second))
}

// abortResponse flushes what was written and then kills the response so the
// client sees a truncated body: on HTTP/1 the connection is hijacked and the
// TCP socket closed (no TLS close_notify); on HTTP/2 and HTTP/3 the handler
// panics with http.ErrAbortHandler, which resets the stream.
func abortResponse(w http.ResponseWriter, r *http.Request) {
	rc := http.NewResponseController(w)
	rc.Flush()
	if r.ProtoMajor == 1 {
		if conn, _, err := rc.Hijack(); err == nil {
			closeHard(r, conn)
			return
		}
	}
	if r.ProtoMajor == 3 {
		// A QUIC stream reset discards data not yet sent; give the flushed
		// bytes time to leave so the client gets exactly what was written.
		time.Sleep(100 * time.Millisecond)
	}
	panic(http.ErrAbortHandler)
}

// closeHard closes a hijacked connection at the TCP level.
func closeHard(r *http.Request, conn interface{ Close() error }) {
	if info := connInfoFrom(r.Context()); info != nil && info.raw != nil {
		info.raw.Close()
	}
	conn.Close()
}

func queryString(r *http.Request, name, def string) string {
	if v := r.URL.Query().Get(name); v != "" {
		return v
	}
	return def
}

// queryInt returns def when the parameter is absent, and ok=false when it
// is present but not an integer.
func queryInt(r *http.Request, name string, def int64) (int64, bool) {
	v := r.URL.Query().Get(name)
	if v == "" {
		return def, true
	}
	n, err := strconv.ParseInt(v, 10, 64)
	return n, err == nil
}

func queryFloat(r *http.Request, name string, def float64) (float64, bool) {
	v := r.URL.Query().Get(name)
	if v == "" {
		return def, true
	}
	f, err := strconv.ParseFloat(v, 64)
	return f, err == nil && f >= 0
}

func queryBool(r *http.Request, name string) bool {
	switch r.URL.Query().Get(name) {
	case "1", "true", "yes", "on":
		return true
	}
	return false
}

// pathCount parses a non-negative integer path segment.
func pathCount(r *http.Request, name string) (int64, bool) {
	n, err := strconv.ParseInt(r.PathValue(name), 10, 64)
	return n, err == nil && n >= 0
}
