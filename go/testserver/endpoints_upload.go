package main

import (
	"io"
	"net/http"
)

// handleEchoBody returns the request body as the response body, streamed as it arrives
// (chunked, no Content-Length), so a client can round-trip arbitrary bytes. HTTP/1.1 needs
// full duplex switched on to keep reading the request after the response has started.
func handleEchoBody(w http.ResponseWriter, r *http.Request) {
	if r.ProtoMajor == 1 {
		if err := http.NewResponseController(w).EnableFullDuplex(); err != nil {
			http.Error(w, err.Error(), http.StatusInternalServerError)
			return
		}
	}
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
		if err == io.EOF {
			return
		}
		if err != nil {
			// Never end cleanly on a failed read: the client must see a truncated echo.
			panic(http.ErrAbortHandler)
		}
	}
}
