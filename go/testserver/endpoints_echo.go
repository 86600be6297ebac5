package main

import (
	"bytes"
	"crypto/sha256"
	"encoding/base64"
	"encoding/hex"
	"fmt"
	"io"
	"maps"
	"net/http"
	"slices"
	"strings"
)

// echoReply describes the request as the server received it.
type echoReply struct {
	Method            string              `json:"method"`
	URL               string              `json:"url"`
	Path              string              `json:"path"`
	Query             map[string][]string `json:"query"`
	RawQuery          string              `json:"raw_query"`
	Host              string              `json:"host"`
	Headers           map[string][]string `json:"headers"`
	HeaderOrder       []string            `json:"header_order"`
	HeaderOrderSource string              `json:"header_order_source"` // "wire" or "sorted"
	BodyLen           int64               `json:"body_len"`
	BodySHA256        string              `json:"body_sha256"`
	BodyB64           *string             `json:"body_b64,omitempty"` // only for bodies up to 64 KiB
	Proto             string              `json:"proto"`
	Remote            string              `json:"remote"`
	TLS               bool                `json:"tls"`
	ConnID            uint64              `json:"conn_id"`
}

const maxEchoedBody = 64 << 10

// handleEcho serves /get, /anything[/...] and /headers for any method.
func handleEcho(w http.ResponseWriter, r *http.Request) {
	reply, err := describeRequest(r)
	if err != nil {
		badRequest(w, "reading body: "+err.Error())
		return
	}
	writeJSON(w, http.StatusOK, reply)
}

// handleResponseHeaders is handleEcho with every query parameter also set as a response
// header (?Accept-CH=sec-ch-ua-arch answers Accept-CH: sec-ch-ua-arch).
func handleResponseHeaders(w http.ResponseWriter, r *http.Request) {
	for name, values := range r.URL.Query() {
		for _, v := range values {
			w.Header().Add(name, v)
		}
	}
	handleEcho(w, r)
}

func describeRequest(r *http.Request) (*echoReply, error) {
	info := connInfoFrom(r.Context())
	isTLS := r.TLS != nil || (info != nil && info.listener != listenerHTTP)
	scheme := "http"
	if isTLS {
		scheme = "https"
	}
	reply := &echoReply{
		Method:   r.Method,
		URL:      scheme + "://" + r.Host + r.URL.RequestURI(),
		Path:     r.URL.Path,
		Query:    r.URL.Query(),
		RawQuery: r.URL.RawQuery,
		Host:     r.Host,
		Headers:  receivedHeaders(r),
		Proto:    r.Proto,
		Remote:   r.RemoteAddr,
		TLS:      isTLS,
	}
	if info != nil {
		reply.ConnID = info.id
	}
	order := headerOrderFrom(r.Context())
	if order.source == "wire" {
		reply.HeaderOrder, reply.HeaderOrderSource = order.names, "wire"
	} else {
		reply.HeaderOrder, reply.HeaderOrderSource = slices.Sorted(maps.Keys(reply.Headers)), "sorted"
	}

	// Hash the whole body but keep at most 64 KiB (+1 to detect overflow).
	hasher := sha256.New()
	var kept bytes.Buffer
	n, err := io.Copy(io.MultiWriter(hasher, &limitedBuffer{buf: &kept, limit: maxEchoedBody + 1}), r.Body)
	if err != nil {
		return nil, err
	}
	reply.BodyLen = n
	reply.BodySHA256 = hex.EncodeToString(hasher.Sum(nil))
	if n <= maxEchoedBody {
		encoded := base64.StdEncoding.EncodeToString(kept.Bytes())
		reply.BodyB64 = &encoded
	}
	return reply, nil
}

// receivedHeaders is r.Header plus the fields net/http moves out of it.
func receivedHeaders(r *http.Request) map[string][]string {
	headers := make(map[string][]string, len(r.Header)+2)
	for name, values := range r.Header {
		headers[name] = values
	}
	if r.ProtoMajor == 1 && r.Host != "" {
		headers["Host"] = []string{r.Host} // HTTP/2 and 3 carry :authority instead
	}
	if len(r.TransferEncoding) > 0 {
		headers["Transfer-Encoding"] = []string{strings.Join(r.TransferEncoding, ", ")}
	}
	return headers
}

// limitedBuffer keeps the first limit bytes and silently drops the rest.
type limitedBuffer struct {
	buf   *bytes.Buffer
	limit int
}

func (b *limitedBuffer) Write(p []byte) (int, error) {
	if room := b.limit - b.buf.Len(); room > 0 {
		b.buf.Write(p[:min(room, len(p))])
	}
	return len(p), nil
}

// handleWhoami identifies the connection, so tests can check reuse.
func handleWhoami(w http.ResponseWriter, r *http.Request) {
	reply := map[string]any{"remote": r.RemoteAddr, "proto": r.Proto, "conn_id": 0, "listener": ""}
	if info := connInfoFrom(r.Context()); info != nil {
		reply["conn_id"] = info.id
		reply["listener"] = info.listener
	}
	writeJSON(w, http.StatusOK, reply)
}

// handleStats reports accepted and currently open connections per listener,
// plus the proxy counters.
func handleStats(w http.ResponseWriter, r *http.Request) {
	accepted, open := map[string]int64{}, map[string]int64{}
	for name, c := range connCounters {
		accepted[name] = c.accepted.Load()
		open[name] = c.open.Load()
	}
	writeJSON(w, http.StatusOK, map[string]any{"accepted": accepted, "open": open, "proxy": proxyStatsJSON()})
}

// handleStatus replies with the status from the path. Redirect statuses
// point at /get so clients that follow them end somewhere useful.
func handleStatus(w http.ResponseWriter, r *http.Request) {
	code, ok := pathCount(r, "code")
	if !ok || code < 200 || code > 599 {
		badRequest(w, "status code must be 200-599")
		return
	}
	switch code {
	case 301, 302, 303, 307, 308:
		w.Header().Set("Location", "/get")
	}
	if code == http.StatusNoContent || code == http.StatusNotModified {
		w.WriteHeader(int(code))
		return
	}
	body := fmt.Sprintf("status %d\n", code)
	w.Header().Set("Content-Type", "text/plain; charset=utf-8")
	w.Header().Set("Content-Length", fmt.Sprint(len(body)))
	w.WriteHeader(int(code))
	io.WriteString(w, body)
}
