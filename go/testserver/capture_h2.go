package main

import (
	"encoding/binary"
	"encoding/hex"
	"fmt"
)

// The HTTP/2 part of a connection capture: the client's preface and every
// frame it sent, decoded, until maxCapturedH2Requests requests' HEADERS
// have been recorded. The sniffer fills it on the read path (under its mutex).

const (
	maxCapturedH2Requests = 24
	maxCapturedH2Frames   = 512
)

// h2FrameRecord is one client frame. Fields that do not apply to the frame
// type are left out of the JSON.
type h2FrameRecord struct {
	Type     string   `json:"type"` // "HEADERS", ..., "UNKNOWN"
	TypeID   uint8    `json:"type_id"`
	Flags    uint8    `json:"flags"`
	FlagSet  []string `json:"flag_names"`
	StreamID uint32   `json:"stream_id"`
	Length   int      `json:"length"`
	// PayloadHex is the whole payload, for every frame type but DATA.
	PayloadHex string `json:"payload_hex,omitempty"`

	Settings        []h2SettingRecord `json:"settings,omitempty"`
	WindowIncrement *uint32           `json:"window_increment,omitempty"`
	// Priority is a PRIORITY frame's, or a HEADERS frame's with the PRIORITY flag.
	Priority  *h2PriorityRecord `json:"priority,omitempty"`
	PadLength *int              `json:"pad_length,omitempty"`
	ErrorCode *uint32           `json:"error_code,omitempty"` // RST_STREAM, GOAWAY
	// PRIORITY_UPDATE (RFC 9218)
	PrioritizedStreamID *uint32 `json:"prioritized_stream_id,omitempty"`
	PriorityFieldValue  *string `json:"priority_field_value,omitempty"`

	// On a HEADERS frame, once its block is complete (after any CONTINUATION):
	HeaderBlockHex string                `json:"header_block_hex,omitempty"`
	HPACK          []hpackRepresentation `json:"hpack,omitempty"`
	Headers        [][2]string           `json:"headers,omitempty"` // decoded, in order, pseudo-headers included
}

type h2SettingRecord struct {
	ID    uint16 `json:"id"`
	Name  string `json:"name"`
	Value uint32 `json:"value"`
}

type h2PriorityRecord struct {
	Exclusive bool   `json:"exclusive"`
	DependsOn uint32 `json:"depends_on"`
	Weight    uint8  `json:"weight"` // as on the wire; Akamai's string and RFC 7540 text print weight+1
}

type h2Capture struct {
	preface     []byte
	frames      []h2FrameRecord
	requests    int  // request HEADERS recorded
	full        bool // a limit was reached; later frames are not recorded
	openHeaders int  // index in frames of the HEADERS whose block is incomplete, or -1
}

var h2FrameTypeNames = map[byte]string{
	0x0: "DATA", 0x1: "HEADERS", 0x2: "PRIORITY", 0x3: "RST_STREAM", 0x4: "SETTINGS",
	0x5: "PUSH_PROMISE", 0x6: "PING", 0x7: "GOAWAY", 0x8: "WINDOW_UPDATE",
	0x9: "CONTINUATION", 0xa: "ALTSVC", 0xc: "ORIGIN", 0x10: "PRIORITY_UPDATE",
}

var h2SettingNames = map[uint16]string{
	1: "HEADER_TABLE_SIZE", 2: "ENABLE_PUSH", 3: "MAX_CONCURRENT_STREAMS",
	4: "INITIAL_WINDOW_SIZE", 5: "MAX_FRAME_SIZE", 6: "MAX_HEADER_LIST_SIZE",
	8: "ENABLE_CONNECT_PROTOCOL", 9: "NO_RFC7540_PRIORITIES",
}

// h2FlagNames names the flag bits each frame type defines; other bits show as hex.
func h2FlagNames(frameType, flags byte) []string {
	defined := map[byte]map[byte]string{
		0x0: {0x1: "END_STREAM", 0x8: "PADDED"},
		0x1: {0x1: "END_STREAM", 0x4: "END_HEADERS", 0x8: "PADDED", 0x20: "PRIORITY"},
		0x4: {0x1: "ACK"},
		0x6: {0x1: "ACK"},
		0x9: {0x4: "END_HEADERS"},
	}[frameType]
	names := []string{}
	for bit := byte(1); bit != 0; bit <<= 1 {
		if flags&bit == 0 {
			continue
		}
		if name, ok := defined[bit]; ok {
			names = append(names, name)
		} else {
			names = append(names, fmt.Sprintf("0x%02x", bit))
		}
	}
	return names
}

// recordFrame appends one frame; payload is nil for DATA (never buffered).
func (c *h2Capture) recordFrame(frameType, flags byte, streamID uint32, length int, payload []byte) {
	if c.full {
		return
	}
	if len(c.frames) >= maxCapturedH2Frames {
		c.full = true
		return
	}
	name, ok := h2FrameTypeNames[frameType]
	if !ok {
		name = "UNKNOWN"
	}
	rec := h2FrameRecord{Type: name, TypeID: frameType, Flags: flags, FlagSet: h2FlagNames(frameType, flags),
		StreamID: streamID, Length: length}
	if frameType != 0x0 {
		rec.PayloadHex = hex.EncodeToString(payload)
		describeH2Payload(&rec, payload)
	}
	c.frames = append(c.frames, rec)
	if frameType == h2FrameHeaders {
		c.openHeaders = len(c.frames) - 1
	}
}

// describeH2Payload decodes the fixed fields of the frame types a client sends.
func describeH2Payload(rec *h2FrameRecord, p []byte) {
	u32 := func(b []byte) *uint32 { v := binary.BigEndian.Uint32(b) & 0x7fffffff; return &v }
	switch rec.TypeID {
	case h2FrameSettings:
		for ; len(p) >= 6; p = p[6:] {
			id := binary.BigEndian.Uint16(p)
			name, ok := h2SettingNames[id]
			if !ok {
				name = "UNKNOWN"
			}
			rec.Settings = append(rec.Settings, h2SettingRecord{ID: id, Name: name, Value: binary.BigEndian.Uint32(p[2:])})
		}
	case h2FrameWindowUpdate:
		if len(p) >= 4 {
			rec.WindowIncrement = u32(p)
		}
	case h2FramePriority:
		rec.Priority = parseH2Priority(p)
	case h2FrameHeaders:
		if rec.Flags&h2FlagPadded != 0 && len(p) > 0 {
			pad := int(p[0])
			rec.PadLength = &pad
			p = p[1:]
		}
		if rec.Flags&h2FlagPriority != 0 {
			rec.Priority = parseH2Priority(p)
		}
	case 0x3: // RST_STREAM
		if len(p) >= 4 {
			code := binary.BigEndian.Uint32(p)
			rec.ErrorCode = &code
		}
	case 0x7: // GOAWAY: last stream id, error code, debug data
		if len(p) >= 8 {
			code := binary.BigEndian.Uint32(p[4:])
			rec.ErrorCode = &code
		}
	case 0x10: // PRIORITY_UPDATE
		if len(p) >= 4 {
			value := string(p[4:])
			rec.PrioritizedStreamID, rec.PriorityFieldValue = u32(p), &value
		}
	}
}

func parseH2Priority(p []byte) *h2PriorityRecord {
	if len(p) < 5 {
		return nil
	}
	dep := binary.BigEndian.Uint32(p)
	return &h2PriorityRecord{Exclusive: dep&0x80000000 != 0, DependsOn: dep & 0x7fffffff, Weight: p[4]}
}

// recordBlock attaches a decoded header block to the HEADERS frame that
// started it; isRequest counts it against the recording limit.
func (c *h2Capture) recordBlock(block []byte, reps []hpackRepresentation, isRequest bool) {
	if c.openHeaders < 0 || c.openHeaders >= len(c.frames) {
		return // the HEADERS frame itself was past the limit
	}
	rec := &c.frames[c.openHeaders]
	c.openHeaders = -1
	rec.HeaderBlockHex = hex.EncodeToString(block)
	rec.HPACK = reps
	rec.Headers = [][2]string{}
	for _, r := range reps {
		if f, ok := r.field(); ok {
			rec.Headers = append(rec.Headers, [2]string{f.name, f.value})
		}
	}
	if isRequest {
		c.requests++
		if c.requests >= maxCapturedH2Requests {
			c.full = true
		}
	}
}
