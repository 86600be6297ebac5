package main

import (
	"encoding/json"
	"fmt"
	"log"
	"os"
	"path/filepath"
	"sync"
)

// With -capture-dir, every connection to the TLS listener leaves its
// connRecord in DIR/conn-<id>.json (HTTP/3 connections their quicConnRecord
// in DIR/quic-<id>.json) when it closes, or at shutdown if it is
// still open, so all of a browser's connections are kept, not just the
// ones that asked for /fingerprint/full.

var captureDir string // "" disables writing

var openCaptures = struct {
	sync.Mutex
	conns map[uint64]*connInfo
}{conns: map[uint64]*connInfo{}}

func capturesConnection(info *connInfo) bool {
	return captureDir != "" && (info.listener == listenerHTTPS || info.listener == listenerH3)
}

// captureOpened registers a freshly accepted connection.
func captureOpened(info *connInfo) {
	if !capturesConnection(info) {
		return
	}
	openCaptures.Lock()
	openCaptures.conns[info.id] = info
	openCaptures.Unlock()
}

// captureClosed writes the record of a connection that just closed.
func captureClosed(info *connInfo) {
	if !capturesConnection(info) {
		return
	}
	openCaptures.Lock()
	delete(openCaptures.conns, info.id)
	openCaptures.Unlock()
	writeCapture(info)
}

// flushOpenCaptures writes the records of connections still open (at
// shutdown, or when /capture/flush asks) and returns how many it wrote.
func flushOpenCaptures() int {
	openCaptures.Lock()
	infos := make([]*connInfo, 0, len(openCaptures.conns))
	for _, info := range openCaptures.conns {
		infos = append(infos, info)
	}
	openCaptures.Unlock()
	written := 0
	for _, info := range infos {
		if writeCapture(info) {
			written++
		}
	}
	return written
}

// writeCapture writes the record once; false if it was written before.
func writeCapture(info *connInfo) bool {
	first := false
	info.captureWritten.Do(func() {
		first = true
		var record any = buildConnRecord(info)
		name := fmt.Sprintf("conn-%06d.json", info.id)
		if info.listener == listenerH3 {
			record, name = buildQUICRecord(info), fmt.Sprintf("quic-%06d.json", info.id)
		}
		data, err := json.MarshalIndent(record, "", " ")
		if err == nil {
			path := filepath.Join(captureDir, name)
			err = os.WriteFile(path, append(data, '\n'), 0o644)
		}
		if err != nil {
			log.Printf("conn %d: writing capture: %v", info.id, err)
		}
	})
	return first
}
