package main

import (
	"crypto/sha256"
	"encoding/hex"
	"io"
	"net/http"
	"sync"
)

// flakyCounts counts requests per /flaky key, for the whole process.
var flakyCounts = struct {
	sync.Mutex
	n map[string]int64
}{n: make(map[string]int64)}

// handleFlaky fails the first ?fail= requests (default 1) carrying the same ?key=: with
// ?status= (default 503), or with ?abort=1 by dropping the connection (HTTP/1) or
// resetting the stream before any header is sent. Later ones answer 200. Every answer is
// {"key","attempt","body_len","body_sha256"} where attempt counts this key's requests
// from 1 and the body fields describe the request body that attempt received.
func handleFlaky(w http.ResponseWriter, r *http.Request) {
	key := r.URL.Query().Get("key")
	fail, okF := queryInt(r, "fail", 1)
	status, okS := queryInt(r, "status", 503)
	if key == "" || !okF || !okS || fail < 0 || status < 200 || status > 599 {
		badRequest(w, "need key, fail >= 0, 200 <= status <= 599")
		return
	}
	flakyCounts.Lock()
	flakyCounts.n[key]++
	attempt := flakyCounts.n[key]
	flakyCounts.Unlock()
	hasher := sha256.New()
	received, err := io.Copy(hasher, r.Body)
	if err != nil {
		badRequest(w, "reading body: "+err.Error())
		return
	}
	body := map[string]any{"key": key, "attempt": attempt, "body_len": received, "body_sha256": hex.EncodeToString(hasher.Sum(nil))}
	if attempt > fail {
		writeJSON(w, http.StatusOK, body)
		return
	}
	if queryString(r, "abort", "0") == "1" {
		if r.ProtoMajor == 1 {
			if conn, _, err := http.NewResponseController(w).Hijack(); err == nil {
				closeHard(r, conn)
				return
			}
		}
		panic(http.ErrAbortHandler)
	}
	writeJSON(w, int(status), body)
}
