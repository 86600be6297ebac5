package main

import (
	"encoding/binary"
	"strings"
	"sync"
)

// h2FrameSniffer follows the client-to-server HTTP/2 byte stream as the
// server reads it. It records the Akamai fingerprint inputs (first SETTINGS,
// WINDOW_UPDATE and PRIORITY frames, pseudo-header order of the first
// HEADERS) and, with its own HPACK decoder kept in step with the server's,
// the header order of every request. DATA payloads are skipped, not copied.
// It also keeps the connection's capture: its first frames, decoded.
type h2FrameSniffer struct {
	mu          sync.Mutex
	fingerprint h2Fingerprint
	sawSettings bool
	capture     h2Capture
	queue       headerOrderQueue

	// Read-path state, touched only by observe.
	prefaceLeft int
	header      [9]byte
	headerFill  int
	frameType   byte
	frameFlags  byte
	streamID    uint32
	payload     []byte
	payloadLeft int
	buffering   bool
	decoder     *hpackReprDecoder
	block       []byte // header block being reassembled from HEADERS + CONTINUATION
	inBlock     bool
	stopped     bool
}

const (
	h2FrameData         = 0x0
	h2FrameHeaders      = 0x1
	h2FramePriority     = 0x2
	h2FrameSettings     = 0x4
	h2FrameWindowUpdate = 0x8
	h2FrameContinuation = 0x9

	h2FlagAck        = 0x1
	h2FlagEndHeaders = 0x4
	h2FlagPadded     = 0x8
	h2FlagPriority   = 0x20

	h2ClientPrefaceLen = 24 // "PRI * HTTP/2.0\r\n\r\nSM\r\n\r\n"
	maxSniffedH2Frame  = 1 << 20
)

func newH2FrameSniffer() *h2FrameSniffer {
	// Be lenient: a client obeying any table size we did not advertise
	// still decodes correctly as long as we follow its updates.
	dec := newHPACKReprDecoder(4096, 1<<20)
	return &h2FrameSniffer{prefaceLeft: h2ClientPrefaceLen, decoder: dec, capture: h2Capture{openHeaders: -1}}
}

func (s *h2FrameSniffer) observe(p []byte) {
	for len(p) > 0 && !s.stopped {
		if s.prefaceLeft > 0 {
			n := min(len(p), s.prefaceLeft)
			s.prefaceLeft -= n
			s.mu.Lock()
			s.capture.preface = append(s.capture.preface, p[:n]...)
			s.mu.Unlock()
			p = p[n:]
			continue
		}
		if s.headerFill < len(s.header) {
			n := copy(s.header[s.headerFill:], p)
			s.headerFill += n
			p = p[n:]
			if s.headerFill == len(s.header) {
				s.startFrame()
			}
			continue
		}
		n := min(len(p), s.payloadLeft)
		if s.buffering {
			s.payload = append(s.payload, p[:n]...)
		}
		s.payloadLeft -= n
		p = p[n:]
		if s.payloadLeft == 0 {
			s.endFrame()
		}
	}
}

func (s *h2FrameSniffer) startFrame() {
	length := int(s.header[0])<<16 | int(s.header[1])<<8 | int(s.header[2])
	s.frameType, s.frameFlags = s.header[3], s.header[4]
	s.streamID = binary.BigEndian.Uint32(s.header[5:9]) & 0x7fffffff
	s.buffering = s.frameType != h2FrameData // the capture records every other frame's payload
	if s.buffering && length > maxSniffedH2Frame {
		s.stopped = true
		return
	}
	s.payload = s.payload[:0]
	s.payloadLeft = length
	if length == 0 {
		s.endFrame()
	}
}

func (s *h2FrameSniffer) endFrame() {
	s.headerFill = 0
	length := int(s.header[0])<<16 | int(s.header[1])<<8 | int(s.header[2])
	s.mu.Lock()
	s.capture.recordFrame(s.frameType, s.frameFlags, s.streamID, length, s.payload)
	s.mu.Unlock()
	if !s.buffering {
		return
	}
	p := s.payload
	switch s.frameType {
	case h2FrameSettings:
		s.onSettings(p)
	case h2FrameWindowUpdate:
		s.onWindowUpdate(p)
	case h2FramePriority:
		s.onPriority(p)
	case h2FrameHeaders:
		s.onHeaders(p)
	case h2FrameContinuation:
		if s.inBlock {
			s.block = append(s.block, p...)
			if s.frameFlags&h2FlagEndHeaders != 0 {
				s.decodeBlock()
			}
		}
	}
}

func (s *h2FrameSniffer) onSettings(p []byte) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.frameFlags&h2FlagAck != 0 || s.sawSettings {
		return
	}
	s.sawSettings = true
	for ; len(p) >= 6; p = p[6:] {
		s.fingerprint.settings = append(s.fingerprint.settings, h2Setting{
			id:    binary.BigEndian.Uint16(p[:2]),
			value: binary.BigEndian.Uint32(p[2:6]),
		})
	}
}

func (s *h2FrameSniffer) onWindowUpdate(p []byte) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.streamID != 0 || len(p) < 4 || s.fingerprint.sawFirstHeaders || s.fingerprint.windowUpdate != 0 {
		return
	}
	s.fingerprint.windowUpdate = binary.BigEndian.Uint32(p) & 0x7fffffff
}

func (s *h2FrameSniffer) onPriority(p []byte) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if len(p) < 5 || s.fingerprint.sawFirstHeaders {
		return
	}
	dep := binary.BigEndian.Uint32(p[:4])
	s.fingerprint.priorities = append(s.fingerprint.priorities, h2Priority{
		streamID:  s.streamID,
		exclusive: dep&0x80000000 != 0,
		dependsOn: dep & 0x7fffffff,
		weight:    p[4],
	})
}

func (s *h2FrameSniffer) onHeaders(p []byte) {
	if s.frameFlags&h2FlagPadded != 0 {
		if len(p) < 1 || int(p[0]) > len(p)-1 {
			s.stopped = true
			return
		}
		p = p[1 : len(p)-int(p[0])]
	}
	if s.frameFlags&h2FlagPriority != 0 {
		if len(p) < 5 {
			s.stopped = true
			return
		}
		p = p[5:]
	}
	s.block = append(s.block[:0], p...)
	s.inBlock = true
	if s.frameFlags&h2FlagEndHeaders != 0 {
		s.decodeBlock()
	}
}

// decodeBlock runs every header block through the decoder, trailers too,
// so its dynamic table stays identical to the server's.
func (s *h2FrameSniffer) decodeBlock() {
	s.inBlock = false
	reps, err := s.decoder.decodeBlock(s.block)
	if err != nil {
		s.stopped = true // our table no longer matches; give up on this connection
		return
	}
	entry := headerOrderEntry{names: make([]string, 0, len(reps))}
	var pseudo []string
	for _, r := range reps {
		f, ok := r.field()
		if !ok {
			continue // a table size update
		}
		entry.names = append(entry.names, f.name)
		if strings.HasPrefix(f.name, ":") {
			pseudo = append(pseudo, f.name)
		}
		switch f.name {
		case ":method":
			entry.method = f.value
		case ":path":
			entry.target = f.value
		}
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	s.capture.recordBlock(s.block, reps, entry.method != "")
	if entry.method == "" {
		return // trailers, not a request
	}
	s.queue.push(entry)
	if !s.fingerprint.sawFirstHeaders {
		s.fingerprint.sawFirstHeaders = true
		s.fingerprint.pseudoHeaders = pseudo
	}
}

// snapshot returns the fingerprint once the first request has been seen.
func (s *h2FrameSniffer) snapshot() (h2Fingerprint, bool) {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.fingerprint, s.fingerprint.sawFirstHeaders
}
