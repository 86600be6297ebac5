package main

import (
	"encoding/hex"
)

// The quic_transport_parameters extension (57) of a QUIC ClientHello, decoded
// in wire order (RFC 9000 section 18, RFC 9368 version_information, and the
// private parameters Chrome's QUIC stack sends).

type transportParam struct {
	ID       uint64  `json:"id"`
	Name     string  `json:"name"`
	Length   int     `json:"length"`
	ValueHex string  `json:"value_hex"`
	Value    *uint64 `json:"value,omitempty"` // integer parameters
	GREASE   bool    `json:"grease,omitempty"`
	// version_information (0x11): chosen version, then the available ones.
	ChosenVersion     *uint32  `json:"chosen_version,omitempty"`
	AvailableVersions []uint32 `json:"available_versions,omitempty"`
	// google_connection_options (0x3128): four-character tags.
	Tags []string `json:"tags,omitempty"`
}

var transportParamNames = map[uint64]string{
	0x00: "original_destination_connection_id", 0x01: "max_idle_timeout",
	0x02: "stateless_reset_token", 0x03: "max_udp_payload_size", 0x04: "initial_max_data",
	0x05: "initial_max_stream_data_bidi_local", 0x06: "initial_max_stream_data_bidi_remote",
	0x07: "initial_max_stream_data_uni", 0x08: "initial_max_streams_bidi",
	0x09: "initial_max_streams_uni", 0x0a: "ack_delay_exponent", 0x0b: "max_ack_delay",
	0x0c: "disable_active_migration", 0x0d: "preferred_address",
	0x0e: "active_connection_id_limit", 0x0f: "initial_source_connection_id",
	0x10: "retry_source_connection_id", 0x11: "version_information",
	0x20: "max_datagram_frame_size", 0x2ab2: "grease_quic_bit",
	0x3127: "initial_rtt", 0x3128: "google_connection_options", 0x3129: "user_agent_id",
	0x4752: "google_version", 0xff73db: "version_information_draft",
	0xff04de1b: "min_ack_delay", 0xff03de1a: "min_ack_delay_draft03", 0xff02de1a: "min_ack_delay_draft02",
	0x173e: "discard", 0x26ab: "google_quic_version", 0x71: "enable_multipath",
}

// integerTransportParams hold a single varint.
var integerTransportParams = map[uint64]bool{
	0x01: true, 0x03: true, 0x04: true, 0x05: true, 0x06: true, 0x07: true, 0x08: true,
	0x09: true, 0x0a: true, 0x0b: true, 0x0e: true, 0x20: true, 0x3127: true,
	0xff04de1b: true, 0xff03de1a: true, 0xff02de1a: true,
}

// isGREASETransportParam: reserved ids are 31*N + 27 (RFC 9000 section 18.1).
func isGREASETransportParam(id uint64) bool { return id >= 27 && (id-27)%31 == 0 }

func decodeTransportParams(data []byte) ([]transportParam, error) {
	out := []transportParam{}
	r := &varintReader{b: data}
	for len(r.b) > 0 {
		id := r.next()
		value := r.bytes(r.next())
		if r.err != nil {
			return out, r.err
		}
		p := transportParam{ID: id, Name: transportParamNames[id], Length: len(value), ValueHex: hex.EncodeToString(value)}
		switch {
		case p.Name != "": // a known id that happens to fit the GREASE pattern stays itself
		case isGREASETransportParam(id):
			p.GREASE, p.Name = true, "GREASE"
		default:
			p.Name = "unknown"
		}
		if integerTransportParams[id] {
			if v, n, err := quicVarint(value); err == nil && n == len(value) {
				p.Value = &v
			}
		}
		switch id {
		case 0x11, 0xff73db:
			if len(value) >= 4 && len(value)%4 == 0 {
				chosen := be32(value)
				p.ChosenVersion = &chosen
				for v := value[4:]; len(v) >= 4; v = v[4:] {
					p.AvailableVersions = append(p.AvailableVersions, be32(v))
				}
			}
		case 0x3128:
			for v := value; len(v) >= 4; v = v[4:] {
				p.Tags = append(p.Tags, string(v[:4]))
			}
		}
		out = append(out, p)
	}
	return out, nil
}

func be32(b []byte) uint32 {
	return uint32(b[0])<<24 | uint32(b[1])<<16 | uint32(b[2])<<8 | uint32(b[3])
}
