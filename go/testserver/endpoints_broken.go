package main

import (
	"bufio"
	"fmt"
	"net"
	"net/http"
	"strconv"
	"time"
)

// handleTruncated declares Content-Length ?length= (default 1000), sends
// ?send= pattern bytes (default half), then kills the connection/stream.
func handleTruncated(w http.ResponseWriter, r *http.Request) {
	length, okL := queryInt(r, "length", 1000)
	send, okS := queryInt(r, "send", length/2)
	if !okL || !okS || send < 0 || send >= length {
		badRequest(w, "need 0 <= send < length")
		return
	}
	w.Header().Set("Content-Type", "application/octet-stream")
	w.Header().Set("Content-Length", strconv.FormatInt(length, 10))
	w.WriteHeader(http.StatusOK)
	if writePattern(w, 0, send, 64<<10, false) != nil || flush(w) != nil {
		return
	}
	// The cut comes a moment after the bytes, so a client under load has them (and the
	// headers) before it learns of the reset: tests can then count every byte delivered.
	if !sleepCtx(r.Context(), truncateDelay) {
		return
	}
	abortResponse(w, r)
}

const truncateDelay = 50 * time.Millisecond

// handleChunkedUnterminated (HTTP/1 only) writes a raw chunked response of
// ?send= pattern bytes (default 1000) in three chunks with no terminating
// zero-size chunk, then closes. With ?cut_inside=1 the last chunk's size
// line promises 100 more bytes than are sent.
func handleChunkedUnterminated(w http.ResponseWriter, r *http.Request) {
	send, ok := queryInt(r, "send", 1000)
	if !ok || send < 1 || send > maxPatternWrite {
		badRequest(w, fmt.Sprintf("send must be 1..%d", maxPatternWrite))
		return
	}
	conn, buf, ok := hijackH1(w, r, "chunked-unterminated")
	if !ok {
		return
	}
	defer closeHard(r, conn)

	buf.WriteString("HTTP/1.1 200 OK\r\n" +
		"Content-Type: application/octet-stream\r\n" +
		"Transfer-Encoding: chunked\r\n" +
		"Connection: close\r\n\r\n")
	sizes := splitInThree(send)
	var off int64
	for i, size := range sizes {
		declared := size
		last := i == len(sizes)-1
		if last && queryBool(r, "cut_inside") {
			declared += 100
		}
		fmt.Fprintf(buf, "%x\r\n", declared)
		buf.Write(patternAt(off, int(size)))
		if !last || declared == size {
			buf.WriteString("\r\n")
		}
		off += size
	}
	buf.Flush()
}

// splitInThree splits n into up to three non-empty parts.
func splitInThree(n int64) []int64 {
	if n < 3 {
		return []int64{n}
	}
	third := n / 3
	return []int64{third, third, n - 2*third}
}

// handleStall sends ?after= pattern bytes (default 100), with
// Content-Length ?length= if given (else chunked), flushes, then sends
// nothing until the client leaves or ?seconds= (default 600) pass, after
// which the response is aborted so it stays truncated.
func handleStall(w http.ResponseWriter, r *http.Request) {
	after, okA := queryInt(r, "after", 100)
	length, okL := queryInt(r, "length", -1)
	wait, okW := queryFloat(r, "seconds", 600)
	if !okA || !okL || !okW || after < 0 || (length >= 0 && length <= after) {
		badRequest(w, "need after >= 0 and, if given, length > after")
		return
	}
	w.Header().Set("Content-Type", "application/octet-stream")
	if length >= 0 {
		w.Header().Set("Content-Length", strconv.FormatInt(length, 10))
	}
	w.WriteHeader(http.StatusOK)
	if writePattern(w, 0, after, 64<<10, false) != nil || flush(w) != nil {
		return
	}
	if !sleepCtx(r.Context(), seconds(wait)) {
		return // client gave up
	}
	abortResponse(w, r)
}

// handleDrip writes ?size= bytes of '*' (default 16) ?count= times
// (default 10), ?interval= seconds apart (default 0.5), flushing each, with
// no Content-Length. It stops as soon as the client leaves.
func handleDrip(w http.ResponseWriter, r *http.Request) {
	count, okC := queryInt(r, "count", 10)
	size, okS := queryInt(r, "size", 16)
	interval, okI := queryFloat(r, "interval", 0.5)
	if !okC || !okS || !okI || count < 0 || size < 0 || size > maxPatternWrite {
		badRequest(w, "bad count, size or interval")
		return
	}
	piece := make([]byte, size)
	for i := range piece {
		piece[i] = '*'
	}
	w.Header().Set("Content-Type", "application/octet-stream")
	w.WriteHeader(http.StatusOK)
	flush(w)
	for i := int64(0); i < count; i++ {
		if i > 0 && !sleepCtx(r.Context(), seconds(interval)) {
			return
		}
		if _, err := w.Write(piece); err != nil || flush(w) != nil {
			return
		}
	}
}

// handleSlowHeaders waits ?delay= seconds (default 2) before sending any
// response headers, unless the client leaves first.
func handleSlowHeaders(w http.ResponseWriter, r *http.Request) {
	delay, ok := queryFloat(r, "delay", 2)
	if !ok {
		badRequest(w, "bad delay")
		return
	}
	if queryBool(r, "partial") {
		sendHeadInTwo(w, r, seconds(delay))
		return
	}
	start := time.Now()
	if !sleepCtx(r.Context(), seconds(delay)) {
		return
	}
	writeJSON(w, http.StatusOK, map[string]any{"delayed": time.Since(start).Seconds()})
}

// sendHeadInTwo (HTTP/1 only: /slow-headers?partial=1) sends the first bytes of its
// response's head at once and the rest after delay: a server that stalls within its head.
func sendHeadInTwo(w http.ResponseWriter, r *http.Request, delay time.Duration) {
	conn, buf, ok := hijackH1(w, r, "partial")
	if !ok {
		return
	}
	defer closeHard(r, conn)
	buf.WriteString("HTTP/1.1 200 OK\r\nContent-Ty")
	if buf.Flush() != nil || !sleepCtx(r.Context(), delay) {
		return
	}
	buf.WriteString("pe: text/plain\r\nContent-Length: 2\r\nConnection: close\r\n\r\nok")
	buf.Flush()
}

// hijackH1 takes an HTTP/1.x request's connection over, to write an answer by hand; what
// names the endpoint (or option) for the refusal of any other protocol. False: answered.
func hijackH1(w http.ResponseWriter, r *http.Request, what string) (net.Conn, *bufio.ReadWriter, bool) {
	if r.ProtoMajor != 1 {
		badRequest(w, what+" needs HTTP/1.x")
		return nil, nil, false
	}
	conn, buf, err := http.NewResponseController(w).Hijack()
	if err != nil {
		http.Error(w, "hijack: "+err.Error(), http.StatusInternalServerError)
		return nil, nil, false
	}
	return conn, buf, true
}
