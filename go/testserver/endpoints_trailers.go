package main

import (
	"net/http"
	"strconv"
)

// handleTrailers answers a body followed by trailer fields, on every protocol: HTTP/1.1
// as a chunked body's trailer section, HTTP/2 and HTTP/3 as a second HEADERS frame.
func handleTrailers(w http.ResponseWriter, r *http.Request) {
	body := r.URL.Query().Get("body")
	if body == "" {
		body = "body with trailers"
	}
	w.Header().Set("Content-Type", "text/plain")
	w.Header().Set("Trailer", "X-Checksum, X-Count")
	w.WriteHeader(http.StatusOK)
	if _, err := w.Write([]byte(body)); err != nil || flush(w) != nil {
		return
	}
	w.Header().Set("X-Checksum", "len-"+strconv.Itoa(len(body)))
	w.Header().Set("X-Count", "1")
}
