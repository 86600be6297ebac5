package main

import (
	"io"
	"net/http"
)

// handleEchoBody returns the request body as the response body, streamed as it arrives
// (chunked, no Content-Length), so a client can round-trip arbitrary bytes.
func handleEchoBody(w http.ResponseWriter, r *http.Request) {
	w.Header().Set("Content-Type", "application/octet-stream")
	w.WriteHeader(http.StatusOK)
	buf := make([]byte, 32<<10)
	for {
		n, err := r.Body.Read(buf)
		if n > 0 {
			if _, werr := w.Write(buf[:n]); werr != nil || flush(w) != nil {
				return
			}
		}
		if err == io.EOF || err != nil {
			return
		}
	}
}
