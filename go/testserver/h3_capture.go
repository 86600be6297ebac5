package main

import (
	"encoding/hex"
	"fmt"
	"sort"
)

// The HTTP/3 part of a QUIC connection record, read from the client's
// reassembled streams (RFC 9114): the control stream's frames (SETTINGS,
// GREASE, PRIORITY_UPDATE...), the QPACK encoder and decoder streams, other
// unidirectional streams (GREASE stream types), and each request stream's
// frames with the HEADERS field sections decoded representation by representation.

const (
	maxCapturedH3Requests = 24
	maxH3PayloadHex       = 512 // bytes of a frame payload kept as hex
	// quic-go's HTTP/3 server announces no QPACK dynamic table.
	serverQPACKMaxTableCapacity = 0
)

type h3Record struct {
	ControlStream   *h3UniStream       `json:"control_stream"`
	EncoderStream   *h3UniStream       `json:"qpack_encoder_stream"`
	DecoderStream   *h3UniStream       `json:"qpack_decoder_stream"`
	OtherUniStreams []h3UniStream      `json:"other_uni_streams"`
	Requests        []h3RequestRecord  `json:"requests"`
	Truncated       bool               `json:"truncated"` // more request streams than recorded
	UniStreamOrder  []h3StreamOpenInfo `json:"uni_stream_order"`
}

// h3StreamOpenInfo lists the client's unidirectional streams by stream id.
type h3StreamOpenInfo struct {
	StreamID   uint64 `json:"stream_id"`
	StreamType uint64 `json:"stream_type"`
	TypeName   string `json:"type_name"`
}

type h3UniStream struct {
	StreamID     uint64             `json:"stream_id"`
	StreamType   uint64             `json:"stream_type"`
	TypeName     string             `json:"type_name"`
	Length       int                `json:"length"` // contiguous bytes received, type included
	Fin          bool               `json:"fin"`
	Hex          string             `json:"hex,omitempty"` // QPACK and unknown streams, after the type
	Frames       []h3FrameRecord    `json:"frames,omitempty"`
	Instructions []qpackInstruction `json:"instructions,omitempty"`
	Error        string             `json:"error,omitempty"`
}

type h3RequestRecord struct {
	StreamID uint64          `json:"stream_id"`
	Fin      bool            `json:"fin"`
	FinFrame *finFrame       `json:"fin_frame,omitempty"`
	Frames   []h3FrameRecord `json:"frames"`
	Headers  [][2]string     `json:"headers"` // of the first HEADERS frame, in order
	Error    string          `json:"error,omitempty"`
}

type h3FrameRecord struct {
	Type       string `json:"type"`
	TypeID     uint64 `json:"type_id"`
	Length     int    `json:"length"`
	GREASE     bool   `json:"grease,omitempty"`
	PayloadHex string `json:"payload_hex,omitempty"` // not for DATA; cut at maxH3PayloadHex bytes
	// SETTINGS
	Settings []h3Setting `json:"settings,omitempty"`
	// PRIORITY_UPDATE (RFC 9218)
	PrioritizedElementID *uint64 `json:"prioritized_element_id,omitempty"`
	PriorityFieldValue   *string `json:"priority_field_value,omitempty"`
	// HEADERS
	*FieldSection
	QPACKError string `json:"qpack_error,omitempty"`
}

type h3Setting struct {
	ID     uint64 `json:"id"`
	Name   string `json:"name"`
	Value  uint64 `json:"value"`
	GREASE bool   `json:"grease,omitempty"`
}

var h3FrameNames = map[uint64]string{
	0x00: "DATA", 0x01: "HEADERS", 0x03: "CANCEL_PUSH", 0x04: "SETTINGS", 0x05: "PUSH_PROMISE",
	0x07: "GOAWAY", 0x0d: "MAX_PUSH_ID", 0x41: "WEBTRANSPORT_STREAM",
	0xf0700: "PRIORITY_UPDATE", 0xf0701: "PRIORITY_UPDATE_PUSH",
}

var h3SettingNames = map[uint64]string{
	0x01: "QPACK_MAX_TABLE_CAPACITY", 0x06: "MAX_FIELD_SECTION_SIZE", 0x07: "QPACK_BLOCKED_STREAMS",
	0x08: "ENABLE_CONNECT_PROTOCOL", 0x33: "H3_DATAGRAM", 0xffd277: "H3_DATAGRAM_DRAFT04",
	0x2b603742: "ENABLE_WEBTRANSPORT", 0xc671706a: "WEBTRANSPORT_MAX_SESSIONS", 0x4d44: "ENABLE_METADATA",
}

var h3StreamTypeNames = map[uint64]string{0x00: "control", 0x01: "push", 0x02: "qpack_encoder", 0x03: "qpack_decoder"}

// isGREASEH3 covers reserved frame, setting and stream types: 0x1f*N + 0x21.
func isGREASEH3(v uint64) bool { return v >= 0x21 && (v-0x21)%0x1f == 0 }

func h3Name(names map[uint64]string, v uint64) string {
	if isGREASEH3(v) {
		return "GREASE"
	}
	if n, ok := names[v]; ok {
		return n
	}
	return "unknown"
}

func buildH3Record(streams map[uint64]*streamAssembler) *h3Record {
	rec := &h3Record{OtherUniStreams: []h3UniStream{}, Requests: []h3RequestRecord{}, UniStreamOrder: []h3StreamOpenInfo{}}
	ids := make([]uint64, 0, len(streams))
	for id := range streams {
		ids = append(ids, id)
	}
	sort.Slice(ids, func(i, j int) bool { return ids[i] < ids[j] })
	qpack := &qpackReprDecoder{maxTableCapacity: serverQPACKMaxTableCapacity}
	var requestIDs []uint64
	for _, id := range ids {
		s := streams[id]
		switch id % 4 {
		case 0:
			requestIDs = append(requestIDs, id)
		case 2:
			uni := readUniStream(id, s, qpack)
			rec.UniStreamOrder = append(rec.UniStreamOrder, h3StreamOpenInfo{id, uni.StreamType, uni.TypeName})
			switch uni.TypeName {
			case "control":
				rec.ControlStream = uni
			case "qpack_encoder":
				rec.EncoderStream = uni
			case "qpack_decoder":
				rec.DecoderStream = uni
			default:
				rec.OtherUniStreams = append(rec.OtherUniStreams, *uni)
			}
		}
	}
	for i, id := range requestIDs {
		if i == maxCapturedH3Requests {
			rec.Truncated = true
			break
		}
		rec.Requests = append(rec.Requests, readRequestStream(id, streams[id], qpack))
	}
	return rec
}

// readUniStream decodes a unidirectional stream; the QPACK encoder stream
// fills qpack's table, which the request streams use afterwards.
func readUniStream(id uint64, s *streamAssembler, qpack *qpackReprDecoder) *h3UniStream {
	data := s.contiguous()
	uni := &h3UniStream{StreamID: id, Length: len(data), Fin: s.fin}
	t, n, err := quicVarint(data)
	if err != nil {
		// Its start came in 0-RTT packets, which the capture cannot decrypt.
		uni.TypeName, uni.Error = "not_received", "stream start not decrypted (sent in 0-RTT?)"
		return uni
	}
	uni.StreamType, uni.TypeName = t, h3Name(h3StreamTypeNames, t)
	body := data[n:]
	switch uni.TypeName {
	case "control":
		uni.Frames, err = readH3Frames(body, nil)
	case "qpack_encoder":
		uni.Hex = hex.EncodeToString(body)
		uni.Instructions, err = qpack.readEncoderStream(body)
	case "qpack_decoder":
		uni.Hex = hex.EncodeToString(body)
		uni.Instructions, err = readDecoderStream(body)
	default:
		uni.Hex = hex.EncodeToString(body[:min(len(body), maxH3PayloadHex)])
	}
	if err != nil {
		uni.Error = err.Error()
	}
	return uni
}

func readRequestStream(id uint64, s *streamAssembler, qpack *qpackReprDecoder) h3RequestRecord {
	req := h3RequestRecord{StreamID: id, Fin: s.fin, FinFrame: s.finFrame, Headers: [][2]string{}}
	data := s.contiguous()
	var err error
	req.Frames, err = readH3Frames(data, qpack)
	if err != nil {
		req.Error = err.Error()
	}
	if len(data) == 0 {
		req.Error = "no stream data decrypted (sent in 0-RTT?)"
	}
	for _, f := range req.Frames {
		if f.FieldSection != nil {
			req.Headers = f.Headers
			break
		}
	}
	if req.Frames == nil {
		req.Frames = []h3FrameRecord{}
	}
	return req
}

// readH3Frames reads type-length-value frames; HEADERS are decoded when
// qpack is given. A frame cut by the end of the data stops the walk.
func readH3Frames(b []byte, qpack *qpackReprDecoder) ([]h3FrameRecord, error) {
	var frames []h3FrameRecord
	for len(b) > 0 {
		r := &varintReader{b: b}
		t := r.next()
		length := r.next()
		payload := r.bytes(length)
		if r.err != nil {
			return frames, fmt.Errorf("frame cut short after %d frames", len(frames))
		}
		b = r.b
		f := h3FrameRecord{Type: h3Name(h3FrameNames, t), TypeID: t, Length: len(payload), GREASE: isGREASEH3(t)}
		if t != 0x00 {
			f.PayloadHex = hex.EncodeToString(payload[:min(len(payload), maxH3PayloadHex)])
		}
		switch t {
		case 0x04:
			pr := &varintReader{b: payload}
			for len(pr.b) > 0 && pr.err == nil {
				id, value := pr.next(), pr.next()
				if pr.err == nil {
					f.Settings = append(f.Settings, h3Setting{ID: id, Name: h3Name(h3SettingNames, id), Value: value, GREASE: isGREASEH3(id)})
				}
			}
		case 0xf0700, 0xf0701:
			pr := &varintReader{b: payload}
			elem := pr.next()
			if pr.err == nil {
				value := string(pr.b)
				f.PrioritizedElementID, f.PriorityFieldValue = &elem, &value
			}
		case 0x01:
			if qpack != nil {
				fs, err := qpack.decodeFieldSection(payload)
				f.FieldSection = fs
				if err != nil {
					f.QPACKError = err.Error()
				}
			}
		}
		frames = append(frames, f)
	}
	return frames, nil
}
