package main

import (
	"bytes"
	"strconv"
	"strings"
	"sync"
)

// h1HeaderSniffer follows an HTTP/1.x request stream as the server reads it
// and records each request's header names in wire order and original case,
// which net/http discards. It skips bodies (Content-Length or chunked) to
// find the next request, and simply stops if it ever loses track.
type h1HeaderSniffer struct {
	queue     headerOrderQueue
	heads     h1Heads
	state     h1SniffState
	pending   []byte // partial header block or line
	remaining int64  // body or chunk bytes still to skip
}

type h1SniffState int

const (
	h1Headers h1SniffState = iota
	h1FixedBody
	h1ChunkSize
	h1ChunkData
	h1ChunkDataEnd
	h1Trailers
	h1Stopped
)

const maxSniffedHeaderBlock = 1 << 20

func newH1HeaderSniffer() *h1HeaderSniffer {
	return &h1HeaderSniffer{queue: headerOrderQueue{dropOlder: true}}
}

// observe is called with every chunk of bytes the server reads, in order.
func (s *h1HeaderSniffer) observe(p []byte) {
	for len(p) > 0 {
		switch s.state {
		case h1Stopped:
			return
		case h1Headers:
			p = s.observeHeaderBytes(p)
		case h1FixedBody, h1ChunkData:
			n := min(int64(len(p)), s.remaining)
			s.remaining -= n
			p = p[n:]
			if s.remaining == 0 {
				if s.state == h1FixedBody {
					s.state = h1Headers
				} else {
					s.state = h1ChunkDataEnd
				}
			}
		default: // line-oriented states of chunked framing
			line, rest, ok := s.takeLine(p)
			p = rest
			if ok {
				s.onChunkFramingLine(line)
			}
		}
	}
}

func (s *h1HeaderSniffer) observeHeaderBytes(p []byte) []byte {
	if len(s.pending) == 0 {
		// RFC 9112 lets clients send stray CRLFs between requests.
		p = bytes.TrimLeft(p, "\r\n")
		if len(p) == 0 {
			return nil
		}
	}
	searchFrom := max(0, len(s.pending)-3)
	s.pending = append(s.pending, p...)
	end := headerBlockEnd(s.pending, searchFrom)
	if end < 0 {
		if len(s.pending) > maxSniffedHeaderBlock {
			s.stop()
		}
		return nil
	}
	block, rest := s.pending[:end], s.pending[end:]
	s.pending = nil // rest still points into the old array, which is no longer reused
	s.onHeaderBlock(block)
	return rest
}

// headerBlockEnd returns the index just past the empty line ending the
// header block, accepting both CRLF and bare LF, or -1.
func headerBlockEnd(b []byte, from int) int {
	for i := from; i < len(b); i++ {
		if b[i] != '\n' {
			continue
		}
		if i+1 < len(b) && b[i+1] == '\n' {
			return i + 2
		}
		if i+2 < len(b) && b[i+1] == '\r' && b[i+2] == '\n' {
			return i + 3
		}
	}
	return -1
}

func (s *h1HeaderSniffer) onHeaderBlock(block []byte) {
	s.heads.record(block)
	lines := strings.Split(string(block), "\n")
	requestLine := strings.Fields(strings.TrimRight(lines[0], "\r"))
	if len(requestLine) < 2 {
		s.stop()
		return
	}
	entry := headerOrderEntry{method: requestLine[0], target: requestLine[1]}
	var contentLength int64
	chunked, switching := false, entry.method == "CONNECT"
	for _, line := range lines[1:] {
		line = strings.TrimRight(line, "\r")
		if line == "" || line[0] == ' ' || line[0] == '\t' {
			continue // end of block, or an obsolete folded continuation line
		}
		name, value, _ := strings.Cut(line, ":")
		entry.names = append(entry.names, name)
		value = strings.TrimSpace(value)
		switch strings.ToLower(name) {
		case "content-length":
			contentLength, _ = strconv.ParseInt(value, 10, 64)
		case "transfer-encoding":
			chunked = strings.Contains(strings.ToLower(value), "chunked")
		case "upgrade":
			switching = true
		}
	}
	s.queue.push(entry)
	switch {
	case switching:
		s.stop() // whatever follows may not be HTTP/1 at all
	case chunked:
		s.state = h1ChunkSize
	case contentLength > 0:
		s.state, s.remaining = h1FixedBody, contentLength
	}
}

// takeLine returns one complete line without its line ending, buffering
// partial lines across reads.
func (s *h1HeaderSniffer) takeLine(p []byte) (line, rest []byte, ok bool) {
	i := bytes.IndexByte(p, '\n')
	if i < 0 {
		s.pending = append(s.pending, p...)
		if len(s.pending) > maxSniffedHeaderBlock {
			s.stop()
		}
		return nil, nil, false
	}
	line = append(s.pending, p[:i]...)
	s.pending = s.pending[:0]
	return bytes.TrimRight(line, "\r"), p[i+1:], true
}

func (s *h1HeaderSniffer) onChunkFramingLine(line []byte) {
	switch s.state {
	case h1ChunkSize:
		sizeText, _, _ := bytes.Cut(line, []byte(";"))
		size, err := strconv.ParseInt(string(bytes.TrimSpace(sizeText)), 16, 64)
		switch {
		case err != nil || size < 0:
			s.stop()
		case size == 0:
			s.state = h1Trailers
		default:
			s.state, s.remaining = h1ChunkData, size
		}
	case h1ChunkDataEnd:
		if len(line) != 0 {
			s.stop()
			return
		}
		s.state = h1ChunkSize
	case h1Trailers:
		if len(line) == 0 {
			s.state = h1Headers
		}
	}
}

func (s *h1HeaderSniffer) stop() {
	s.state = h1Stopped
	s.pending = nil
}

// h1Heads keeps the first request heads of a connection verbatim, for the
// connection capture.
type h1Heads struct {
	mu        sync.Mutex
	heads     []string
	truncated bool
}

const maxCapturedH1Requests = 24

func (h *h1Heads) record(block []byte) {
	h.mu.Lock()
	defer h.mu.Unlock()
	if len(h.heads) >= maxCapturedH1Requests {
		h.truncated = true
		return
	}
	h.heads = append(h.heads, string(block))
}

func (h *h1Heads) snapshot() ([]string, bool) {
	h.mu.Lock()
	defer h.mu.Unlock()
	return append([]string{}, h.heads...), h.truncated
}
