package main

import (
	"encoding/hex"
	"fmt"
	"sort"
)

// The record of one HTTP/3 connection (/fingerprint/full over HTTP/3, and
// -capture-dir's quic-<id>.json): how the client cut and padded its Initial
// packets, its ClientHello and transport parameters, and its HTTP/3 streams.

type quicConnRecord struct {
	ConnID              uint64           `json:"conn_id"`
	Listener            string           `json:"listener"`
	Remote              string           `json:"remote"`
	TLS                 *tlsRecord       `json:"tls"`
	QUIC                *quicRecord      `json:"quic"`
	ClientHello         *helloRecord     `json:"client_hello"`
	TransportParameters []transportParam `json:"transport_parameters"`
	HTTP3               *h3Record        `json:"http3"`
}

type quicRecord struct {
	Version uint32 `json:"version"`
	// The client's first Destination and Source Connection IDs.
	DCIDLength int    `json:"dcid_length"`
	DCIDHex    string `json:"dcid_hex"`
	SCIDLength int    `json:"scid_length"`
	// Datagrams that start with a long header packet, in arrival order:
	// the Initial flight and the handshake's end.
	LongHeaderDatagrams []quicDatagramRecord `json:"long_header_datagrams"`
	ClientHelloLength   int                  `json:"client_hello_length"`
	// How the ClientHello was cut: every CRYPTO frame of the Initial
	// packets that carried it, in the order sent.
	CryptoFrames   []cryptoPiece `json:"crypto_frames"`
	ZeroRTTPackets int           `json:"zero_rtt_packets"` // counted, not decrypted (the server does not log early secrets)
	OneRTTPackets  int           `json:"one_rtt_packets"`
	OneRTTSuite    string        `json:"one_rtt_suite"`
	OneRTTOpened   int           `json:"one_rtt_opened"`
	Truncated      bool          `json:"truncated"` // the capture limit was reached
	Errors         []string      `json:"errors"`
}

type quicDatagramRecord struct {
	Size          int                `json:"size"`
	Packets       []quicPacketRecord `json:"packets"`
	TrailingBytes int                `json:"trailing_bytes"` // after the last packet
}

type quicPacketRecord struct {
	Type          string      `json:"type"`
	Size          int         `json:"size"`
	Version       uint32      `json:"version"`
	DCIDLength    int         `json:"dcid_length"`
	SCIDLength    int         `json:"scid_length"`
	TokenLength   int         `json:"token_length"`
	Length        uint64      `json:"length"` // the Length field: packet number + payload
	PacketNumber  *uint64     `json:"packet_number,omitempty"`
	PNLength      int         `json:"packet_number_length,omitempty"`
	PayloadLength int         `json:"payload_length,omitempty"` // decrypted frames
	Frames        []quicFrame `json:"frames,omitempty"`
	Error         string      `json:"error,omitempty"`
}

type cryptoPiece struct {
	Datagram int    `json:"datagram"` // index in long_header_datagrams
	Packet   int    `json:"packet"`   // packet number
	Offset   uint64 `json:"offset"`
	Length   int    `json:"length"`
}

const maxLongHeaderDatagrams = 32

// buildQUICRecord decodes what the connection's capture holds so far.
func buildQUICRecord(info *connInfo) *quicConnRecord {
	info.mu.Lock()
	state, capture, remote := info.tlsState, info.quicCapture, info.remote
	info.mu.Unlock()
	rec := &quicConnRecord{ConnID: info.id, Listener: info.listener, Remote: remote, TransportParameters: []transportParam{}}
	rec.TLS = newTLSRecord(state)
	if capture == nil {
		return rec
	}
	datagrams, truncated := capture.snapshot()
	q := &quicRecord{LongHeaderDatagrams: []quicDatagramRecord{}, CryptoFrames: []cryptoPiece{}, Errors: []string{}, Truncated: truncated}
	rec.QUIC = q
	crypto := &streamAssembler{}
	var keys *quicKeys
	largestInitial := int64(-1)
	var shortPackets [][]byte
	for _, d := range datagrams {
		if d[0]&0x80 == 0 {
			shortPackets = append(shortPackets, d)
			q.OneRTTPackets++
			continue
		}
		if len(q.LongHeaderDatagrams) >= maxLongHeaderDatagrams {
			continue
		}
		drec := quicDatagramRecord{Size: len(d), Packets: []quicPacketRecord{}}
		index := len(q.LongHeaderDatagrams)
		rest := d
		for len(rest) > 0 {
			if isAllZero(rest) || rest[0]&0x40 == 0 {
				break // padding after the last packet (trailing_bytes)
			}
			if rest[0]&0x80 == 0 { // a short header packet coalesced last
				shortPackets = append(shortPackets, rest)
				q.OneRTTPackets++
				drec.Packets = append(drec.Packets, quicPacketRecord{Type: "1rtt", Size: len(rest)})
				rest = nil
				break
			}
			h, err := parseLongHeader(rest)
			if err != nil {
				if h != nil {
					break // an unknown version
				}
				q.Errors = append(q.Errors, fmt.Sprintf("datagram %d: %v", index, err))
				break
			}
			prec := quicPacketRecord{Type: h.packetType, Size: h.end, Version: h.version, DCIDLength: len(h.dcid),
				SCIDLength: len(h.scid), TokenLength: len(h.token), Length: h.length}
			switch h.packetType {
			case "initial":
				if keys == nil {
					keys = initialKeys(h.dcid)
					q.Version, q.DCIDLength, q.DCIDHex, q.SCIDLength = h.version, len(h.dcid), hex.EncodeToString(h.dcid), len(h.scid)
				}
				opened, err := keys.open(rest, h.pnOffset, h.end, largestInitial)
				if err != nil {
					prec.Error = err.Error()
					break
				}
				if int64(opened.packetNumber) > largestInitial {
					largestInitial = int64(opened.packetNumber)
				}
				pn := opened.packetNumber
				prec.PacketNumber, prec.PNLength, prec.PayloadLength = &pn, opened.pnLength, len(opened.payload)
				prec.Frames, err = parseQUICFrames(opened.payload)
				if err != nil {
					prec.Error = err.Error()
				}
				for _, f := range prec.Frames {
					if f.Type == "CRYPTO" {
						crypto.add(*f.Offset, f.data, false)
						q.CryptoFrames = append(q.CryptoFrames, cryptoPiece{Datagram: index, Packet: int(pn), Offset: *f.Offset, Length: *f.Length})
					}
				}
			case "0rtt":
				q.ZeroRTTPackets++
			}
			drec.Packets = append(drec.Packets, prec)
			rest = rest[h.end:]
		}
		drec.TrailingBytes = len(rest)
		q.LongHeaderDatagrams = append(q.LongHeaderDatagrams, drec)
	}

	helloBytes := crypto.contiguous()
	if len(helloBytes) < 4 {
		q.Errors = append(q.Errors, "no ClientHello in the Initial packets")
		return rec
	}
	msgLen := int(helloBytes[1])<<16 | int(helloBytes[2])<<8 | int(helloBytes[3])
	if len(helloBytes) < 4+msgLen {
		q.Errors = append(q.Errors, fmt.Sprintf("ClientHello incomplete: %d of %d bytes", len(helloBytes), 4+msgLen))
		return rec
	}
	helloBytes = helloBytes[:4+msgLen]
	q.ClientHelloLength = len(helloBytes)
	hello, err := parseClientHello(helloBytes)
	if err != nil {
		q.Errors = append(q.Errors, "ClientHello: "+err.Error())
		return rec
	}
	rec.ClientHello = describeHello(hello)
	rec.ClientHello.JA4, rec.ClientHello.JA4Raw = buildJA4(hello, 'q')
	for i, id := range hello.extensions {
		if id == extQUICTransportParams && i < len(hello.wire.extensionData) {
			params, err := decodeTransportParams(hello.wire.extensionData[i])
			rec.TransportParameters = params
			if err != nil {
				q.Errors = append(q.Errors, "transport parameters: "+err.Error())
			}
		}
	}
	info.mu.Lock()
	secret := info.quicSecrets["CLIENT_TRAFFIC_SECRET_0"]
	info.mu.Unlock()
	if secret == nil {
		q.Errors = append(q.Errors, "no 1-RTT secret logged (handshake not complete)")
		return rec
	}
	streams := q.openOneRTT(shortPackets, secret)
	rec.HTTP3 = buildH3Record(streams)
	return rec
}

const extQUICTransportParams = 57

// openOneRTT decrypts the short header packets (this server's connection
// IDs are quicServerConnIDLength bytes) and collects the client's stream data.
func (q *quicRecord) openOneRTT(packets [][]byte, secret []byte) map[uint64]*streamAssembler {
	streams := map[uint64]*streamAssembler{}
	var keys *quicKeys
	largest := int64(-1)
	pnOffset := 1 + quicServerConnIDLength
	for _, pkt := range packets {
		var opened *openedPacket
		if keys == nil {
			for _, suite := range suitesForSecret(secret) {
				k, err := newQUICKeys(suite, secret)
				if err != nil {
					continue
				}
				if o, err := k.open(pkt, pnOffset, len(pkt), largest); err == nil {
					keys, opened, q.OneRTTSuite = k, o, suite.String()
					break
				}
			}
			if keys == nil {
				continue
			}
		} else {
			o, err := keys.open(pkt, pnOffset, len(pkt), largest)
			if err != nil {
				continue // a key update, or a packet that is not ours
			}
			opened = o
		}
		q.OneRTTOpened++
		if int64(opened.packetNumber) > largest {
			largest = int64(opened.packetNumber)
		}
		frames, _ := parseQUICFrames(opened.payload)
		for _, f := range frames {
			if f.Type != "STREAM" {
				continue
			}
			s := streams[*f.StreamID]
			if s == nil {
				s = &streamAssembler{}
				streams[*f.StreamID] = s
			}
			s.add(*f.Offset, f.data, f.Fin)
		}
	}
	if q.OneRTTPackets > 0 && q.OneRTTOpened == 0 {
		q.Errors = append(q.Errors, "no 1-RTT packet decrypted")
	}
	return streams
}

func isAllZero(b []byte) bool {
	for _, c := range b {
		if c != 0 {
			return false
		}
	}
	return true
}

// streamAssembler puts a CRYPTO or STREAM byte stream together from frames
// that may arrive out of order or repeat.
type streamAssembler struct {
	chunks   []streamChunk
	size     int
	fin      bool
	finFrame *finFrame // the first frame that carried the FIN
	capped   bool
}

// finFrame is where a stream's FIN came: in a frame with data (browsers end a request without
// a body in its HEADERS frame's STREAM frame) or alone (length 0).
type finFrame struct {
	Offset uint64 `json:"offset"`
	Length int    `json:"length"`
}

type streamChunk struct {
	offset uint64
	data   []byte
}

const maxCapturedStreamBytes = 64 << 10

func (s *streamAssembler) add(offset uint64, data []byte, fin bool) {
	if fin && !s.fin {
		s.finFrame = &finFrame{offset, len(data)}
	}
	s.fin = s.fin || fin
	if offset >= maxCapturedStreamBytes {
		s.capped = true
		return
	}
	if end := offset + uint64(len(data)); end > maxCapturedStreamBytes {
		data = data[:maxCapturedStreamBytes-offset]
		s.capped = true
	}
	s.chunks = append(s.chunks, streamChunk{offset, append([]byte(nil), data...)})
}

// contiguous returns the bytes from offset 0 up to the first gap.
func (s *streamAssembler) contiguous() []byte {
	chunks := append([]streamChunk(nil), s.chunks...)
	sort.SliceStable(chunks, func(i, j int) bool { return chunks[i].offset < chunks[j].offset })
	var out []byte
	for _, c := range chunks {
		if c.offset > uint64(len(out)) {
			break
		}
		if end := c.offset + uint64(len(c.data)); end > uint64(len(out)) {
			out = append(out, c.data[uint64(len(out))-c.offset:]...)
		}
	}
	return out
}
