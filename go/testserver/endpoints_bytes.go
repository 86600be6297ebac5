package main

import (
	"encoding/json"
	"net/http"
	"strconv"
)

// handleStream writes n JSON lines {"id": i, "url": ...}, i from 0, each
// flushed, with no Content-Length (chunked on HTTP/1.1).
func handleStream(w http.ResponseWriter, r *http.Request) {
	n, ok := pathCount(r, "n")
	if !ok {
		badRequest(w, "n must be a non-negative integer")
		return
	}
	url := requestURL(r)
	w.Header().Set("Content-Type", "application/x-ndjson")
	w.WriteHeader(http.StatusOK)
	for i := int64(0); i < n; i++ {
		line, _ := json.Marshal(map[string]any{"id": i, "url": url})
		if _, err := w.Write(append(line, '\n')); err != nil {
			return
		}
		if flush(w) != nil {
			return
		}
	}
}

func requestURL(r *http.Request) string {
	scheme := "http"
	if info := connInfoFrom(r.Context()); r.TLS != nil || (info != nil && info.listener != listenerHTTP) {
		scheme = "https"
	}
	return scheme + "://" + r.Host + r.URL.RequestURI()
}

// handleBytes sends n pattern bytes (see pattern.go) with Content-Length,
// in writes of ?chunk= bytes (default 65536).
func handleBytes(w http.ResponseWriter, r *http.Request) {
	n, okN := pathCount(r, "n")
	chunk, okChunk := queryInt(r, "chunk", 64<<10)
	if !okN || !okChunk || chunk < 1 {
		badRequest(w, "n must be >= 0 and chunk >= 1")
		return
	}
	w.Header().Set("Content-Type", "application/octet-stream")
	w.Header().Set("Content-Length", strconv.FormatInt(n, 10))
	w.WriteHeader(http.StatusOK)
	writePattern(w, 0, n, int(min(chunk, maxPatternWrite)), false)
}

// handleStreamBytes sends the same bytes as /bytes without Content-Length,
// flushing every ?chunk= bytes (default 8192), so HTTP/1.1 uses chunked encoding.
func handleStreamBytes(w http.ResponseWriter, r *http.Request) {
	n, okN := pathCount(r, "n")
	chunk, okChunk := queryInt(r, "chunk", 8192)
	if !okN || !okChunk || chunk < 1 {
		badRequest(w, "n must be >= 0 and chunk >= 1")
		return
	}
	w.Header().Set("Content-Type", "application/octet-stream")
	w.WriteHeader(http.StatusOK)
	writePattern(w, 0, n, int(min(chunk, maxPatternWrite)), true)
}

// bigWriteSize is the write size for /big: one prebuilt 64 KiB window of the
// pattern per write, so the loop does no allocation and no formatting.
const bigWriteSize = 64 << 10

// handleBig sends n pattern bytes with Content-Length as fast as possible
// (n may be several GiB).
func handleBig(w http.ResponseWriter, r *http.Request) {
	n, ok := pathCount(r, "n")
	if !ok {
		badRequest(w, "n must be a non-negative integer")
		return
	}
	w.Header().Set("Content-Type", "application/octet-stream")
	w.Header().Set("Content-Length", strconv.FormatInt(n, 10))
	w.WriteHeader(http.StatusOK)
	for off := int64(0); off < n; {
		size := int(min(bigWriteSize, n-off))
		if _, err := w.Write(patternAt(off, size)); err != nil {
			return
		}
		off += int64(size)
	}
}
