package main

import (
	"errors"
	"fmt"
)

// Reading QUIC packets and frames (RFC 9000 sections 16, 17 and 19) from
// the client's datagrams, for the capture.

var errQUICShort = errors.New("quic: truncated")

// quicVarint reads an RFC 9000 section 16 variable-length integer.
func quicVarint(b []byte) (uint64, int, error) {
	if len(b) == 0 {
		return 0, 0, errQUICShort
	}
	n := 1 << (b[0] >> 6)
	if len(b) < n {
		return 0, 0, errQUICShort
	}
	v := uint64(b[0] & 0x3f)
	for i := 1; i < n; i++ {
		v = v<<8 | uint64(b[i])
	}
	return v, n, nil
}

// varintReader reads consecutive varints, remembering the first error.
type varintReader struct {
	b   []byte
	err error
}

func (r *varintReader) next() uint64 {
	if r.err != nil {
		return 0
	}
	v, n, err := quicVarint(r.b)
	if err != nil {
		r.err = err
		return 0
	}
	r.b = r.b[n:]
	return v
}

func (r *varintReader) bytes(n uint64) []byte {
	if r.err != nil {
		return nil
	}
	if n > uint64(len(r.b)) {
		r.err = errQUICShort
		return nil
	}
	out := r.b[:n]
	r.b = r.b[n:]
	return out
}

// Long header packet types for QUIC version 1.
var quicLongTypes = [...]string{"initial", "0rtt", "handshake", "retry"}

// longHeader is the clear part of a long header packet.
type longHeader struct {
	packetType string
	version    uint32
	dcid, scid []byte
	token      []byte
	length     uint64 // packet number + payload
	pnOffset   int    // where the packet number starts
	end        int    // where this packet ends in the datagram
}

func parseLongHeader(b []byte) (*longHeader, error) {
	if len(b) < 7 || b[0]&0x80 == 0 {
		return nil, errors.New("not a long header packet")
	}
	h := &longHeader{version: uint32(b[1])<<24 | uint32(b[2])<<16 | uint32(b[3])<<8 | uint32(b[4])}
	if h.version != 1 {
		return h, fmt.Errorf("quic version 0x%08x is not decoded", h.version)
	}
	h.packetType = quicLongTypes[(b[0]>>4)&0x3]
	pos := 5
	readCID := func() []byte {
		if pos >= len(b) || pos+1+int(b[pos]) > len(b) {
			pos = len(b) + 1
			return nil
		}
		cid := b[pos+1 : pos+1+int(b[pos])]
		pos += 1 + int(b[pos])
		return cid
	}
	h.dcid, h.scid = readCID(), readCID()
	if pos > len(b) {
		return nil, errQUICShort
	}
	if h.packetType == "retry" {
		h.end = len(b)
		return h, nil
	}
	r := &varintReader{b: b[pos:]}
	if h.packetType == "initial" {
		h.token = r.bytes(r.next())
	}
	h.length = r.next()
	if r.err != nil {
		return nil, r.err
	}
	h.pnOffset = len(b) - len(r.b)
	if uint64(len(r.b)) < h.length {
		return nil, errQUICShort
	}
	h.end = h.pnOffset + int(h.length)
	return h, nil
}

// quicFrame is one frame of a decrypted packet, as the capture shows it.
type quicFrame struct {
	Type string `json:"type"`
	// CRYPTO and STREAM
	StreamID *uint64 `json:"stream_id,omitempty"`
	Offset   *uint64 `json:"offset,omitempty"`
	Length   *int    `json:"length,omitempty"` // data bytes, or a PADDING run
	Fin      bool    `json:"fin,omitempty"`
	data     []byte
}

var quicFrameNames = map[uint64]string{
	0x00: "PADDING", 0x01: "PING", 0x02: "ACK", 0x03: "ACK_ECN", 0x04: "RESET_STREAM",
	0x05: "STOP_SENDING", 0x06: "CRYPTO", 0x07: "NEW_TOKEN", 0x10: "MAX_DATA",
	0x11: "MAX_STREAM_DATA", 0x12: "MAX_STREAMS_BIDI", 0x13: "MAX_STREAMS_UNI",
	0x14: "DATA_BLOCKED", 0x15: "STREAM_DATA_BLOCKED", 0x16: "STREAMS_BLOCKED_BIDI",
	0x17: "STREAMS_BLOCKED_UNI", 0x18: "NEW_CONNECTION_ID", 0x19: "RETIRE_CONNECTION_ID",
	0x1a: "PATH_CHALLENGE", 0x1b: "PATH_RESPONSE", 0x1c: "CONNECTION_CLOSE",
	0x1d: "CONNECTION_CLOSE_APP", 0x1e: "HANDSHAKE_DONE", 0x1f: "IMMEDIATE_ACK",
	0x30: "DATAGRAM", 0x31: "DATAGRAM", 0xaf: "ACK_FREQUENCY",
}

// parseQUICFrames splits a decrypted payload into frames; runs of PADDING
// become one frame with their length. An unknown frame type stops the walk
// (its length cannot be known) and is reported.
func parseQUICFrames(p []byte) ([]quicFrame, error) {
	var frames []quicFrame
	r := &varintReader{b: p}
	for len(r.b) > 0 && r.err == nil {
		if r.b[0] == 0 {
			n := 0
			for n < len(r.b) && r.b[n] == 0 {
				n++
			}
			r.b = r.b[n:]
			frames = append(frames, quicFrame{Type: "PADDING", Length: &n})
			continue
		}
		t := r.next()
		f := quicFrame{Type: quicFrameNames[t]}
		switch {
		case t == 0x01, t == 0x1e, t == 0x1f:
		case t == 0x02, t == 0x03:
			r.next() // largest acknowledged
			r.next() // delay
			ranges := r.next()
			r.next() // first range
			for i := uint64(0); i < ranges && r.err == nil; i++ {
				r.next()
				r.next()
			}
			if t == 0x03 {
				r.next()
				r.next()
				r.next()
			}
		case t == 0x04:
			r.next()
			r.next()
			r.next()
		case t == 0x05, t == 0x11, t == 0x15:
			r.next()
			r.next()
		case t == 0x06:
			off := r.next()
			f.data = r.bytes(r.next())
			n := len(f.data)
			f.Offset, f.Length = &off, &n
		case t == 0x07:
			r.bytes(r.next())
		case t >= 0x08 && t <= 0x0f:
			id := r.next()
			var off uint64
			if t&0x04 != 0 {
				off = r.next()
			}
			if t&0x02 != 0 {
				f.data = r.bytes(r.next())
			} else {
				f.data, r.b = r.b, nil
			}
			n := len(f.data)
			f.Type, f.StreamID, f.Offset, f.Length, f.Fin = "STREAM", &id, &off, &n, t&0x01 != 0
		case t >= 0x10 && t <= 0x17 && t != 0x11 && t != 0x15:
			r.next()
		case t == 0x18:
			r.next()
			r.next()
			if len(r.b) > 0 {
				cidLen := uint64(r.b[0])
				r.b = r.b[1:]
				r.bytes(cidLen + 16)
			}
		case t == 0x19:
			r.next()
		case t == 0x1a, t == 0x1b:
			r.bytes(8)
		case t == 0x1c, t == 0x1d:
			r.next()
			if t == 0x1c {
				r.next()
			}
			r.bytes(r.next())
		case t == 0x30:
			f.data, r.b = r.b, nil
		case t == 0x31:
			r.bytes(r.next())
		case t == 0xaf:
			r.next()
			r.next()
			r.next()
			r.next()
		default:
			return frames, fmt.Errorf("unknown frame type 0x%x", t)
		}
		if r.err != nil {
			return frames, fmt.Errorf("%s frame: %w", f.Type, r.err)
		}
		frames = append(frames, f)
	}
	return frames, nil
}
