package main

import "net/http"

// cacheLastModified is the fixed Last-Modified of /cache/{tag}.
const cacheLastModified = "Wed, 21 Oct 2026 07:28:00 GMT"

// handleCache serves /cache/{tag}: ETag "tag" and a fixed Last-Modified, 304 when
// If-None-Match names that ETag, else the echo of the request (what validators came).
func handleCache(w http.ResponseWriter, r *http.Request) {
	etag := `"` + r.PathValue("tag") + `"`
	w.Header().Set("ETag", etag)
	w.Header().Set("Last-Modified", cacheLastModified)
	if r.Header.Get("If-None-Match") == etag {
		w.WriteHeader(http.StatusNotModified)
		return
	}
	handleEcho(w, r)
}
