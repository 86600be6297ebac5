package main

import (
	"net/http"
	"strings"
	"sync"
)

// connectLog keeps the last CONNECT requests the HTTP proxies received, head as sent
// (header order and case kept), so tests can compare them with what a browser sends.
type connectRecord struct {
	Proxy   string      `json:"proxy"` // "http" or "https"
	TLS     bool        `json:"tls"`   // whether the request came inside TLS
	Line    string      `json:"line"`
	Headers [][2]string `json:"headers"`
}

const maxConnectRecords = 64

var connectLog struct {
	mu      sync.Mutex
	records []connectRecord
}

func recordConnect(proxy string, overTLS bool, head *httpHead) {
	rec := connectRecord{Proxy: proxy, TLS: overTLS, Line: head.first, Headers: [][2]string{}}
	for _, line := range head.lines {
		name, value, _ := strings.Cut(line, ":")
		rec.Headers = append(rec.Headers, [2]string{name, strings.TrimSpace(value)})
	}
	connectLog.mu.Lock()
	defer connectLog.mu.Unlock()
	if len(connectLog.records) == maxConnectRecords {
		connectLog.records = connectLog.records[1:]
	}
	connectLog.records = append(connectLog.records, rec)
}

// handleProxyConnects answers {"connects": [record...]}, oldest first.
func handleProxyConnects(w http.ResponseWriter, r *http.Request) {
	connectLog.mu.Lock()
	records := append([]connectRecord{}, connectLog.records...)
	connectLog.mu.Unlock()
	writeJSON(w, http.StatusOK, map[string]any{"connects": records})
}
