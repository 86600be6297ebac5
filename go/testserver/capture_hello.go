package main

import (
	"encoding/hex"
)

// helloRecord is the ClientHello of a connection capture: the raw message
// and every field a browser fingerprint is made of, in wire order, GREASE
// values kept. Lists of code points are decimal, as in /fingerprint.
type helloRecord struct {
	RawHex        string `json:"raw_hex"`        // the handshake message, type and length included
	RecordVersion uint16 `json:"record_version"` // of the first TLS record (0x0301 = 769 for most clients)
	Records       int    `json:"records"`        // TLS records the message spanned

	LegacyVersion      uint16            `json:"legacy_version"`
	SessionIDLength    int               `json:"session_id_length"`
	CipherSuites       []uint16          `json:"cipher_suites"`
	CompressionMethods []int             `json:"compression_methods"`
	Extensions         []extensionRecord `json:"extensions"` // wire order

	ServerName              string      `json:"server_name"`
	SupportedGroups         []uint16    `json:"supported_groups"`
	KeyShares               []keyShare  `json:"key_shares"`
	ECPointFormats          []int       `json:"ec_point_formats"`
	SignatureAlgorithms     []uint16    `json:"signature_algorithms"`
	SignatureAlgorithmsCert []uint16    `json:"signature_algorithms_cert"`
	SupportedVersions       []uint16    `json:"supported_versions"`
	PSKKeyExchangeModes     []int       `json:"psk_key_exchange_modes"`
	ALPN                    []string    `json:"alpn"`
	ALPS                    *alpsRecord `json:"alps"` // null when absent
	CertCompression         []uint16    `json:"cert_compression"`
	RecordSizeLimit         *uint16     `json:"record_size_limit"`
	DelegatedCredentials    []uint16    `json:"delegated_credentials"`
	ECH                     *echRecord  `json:"ech"`
	PreSharedKey            *pskRecord  `json:"pre_shared_key"`
	SessionTicketLength     *int        `json:"session_ticket_length"` // null: no session_ticket extension
	EarlyData               bool        `json:"early_data"`
	PaddingLength           *int        `json:"padding_length"`

	JA3     string `json:"ja3"`
	JA3Hash string `json:"ja3_hash"`
	JA4     string `json:"ja4"`
	JA4Raw  string `json:"ja4_r"`
}

type extensionRecord struct {
	ID      uint16 `json:"id"`
	Name    string `json:"name"`
	Length  int    `json:"length"`
	DataHex string `json:"data_hex"`
}

type keyShare struct {
	Group  uint16 `json:"group"`
	Length int    `json:"length"` // of the key exchange data
}

// alpsRecord is application_settings: 17513 is the codepoint Chrome used
// first, 17613 its replacement.
type alpsRecord struct {
	Codepoint uint16   `json:"codepoint"`
	Protocols []string `json:"protocols"`
}

// echRecord is an encrypted_client_hello extension. The test server has no
// ECH keys, so an outer one here is GREASE (or meant for another server).
type echRecord struct {
	Type          string `json:"type"` // "outer" or "inner"
	KDF           uint16 `json:"kdf"`
	AEAD          uint16 `json:"aead"`
	ConfigID      int    `json:"config_id"`
	EncLength     int    `json:"enc_length"`
	PayloadLength int    `json:"payload_length"`
}

type pskRecord struct {
	IdentityLengths []int `json:"identity_lengths"`
	BinderLengths   []int `json:"binder_lengths"`
}

const (
	extStatusRequest        = 5
	extPadding              = 21
	extCompressCertificate  = 27
	extRecordSizeLimit      = 28
	extDelegatedCredentials = 34
	extSessionTicket        = 35
	extEarlyData            = 42
	extPSKKeyExchangeModes  = 45
	extSignatureAlgsCert    = 50
	extKeyShare             = 51
	extALPSOld              = 17513
	extALPSNew              = 17613
	extECH                  = 0xfe0d
)

var extensionNames = map[uint16]string{
	0: "server_name", 1: "max_fragment_length", 5: "status_request", 10: "supported_groups",
	11: "ec_point_formats", 13: "signature_algorithms", 14: "use_srtp", 15: "heartbeat",
	16: "application_layer_protocol_negotiation", 17: "status_request_v2",
	18: "signed_certificate_timestamp", 21: "padding", 22: "encrypt_then_mac",
	23: "extended_master_secret", 24: "token_binding", 27: "compress_certificate",
	28: "record_size_limit", 34: "delegated_credentials", 35: "session_ticket",
	41: "pre_shared_key", 42: "early_data", 43: "supported_versions", 44: "cookie",
	45: "psk_key_exchange_modes", 47: "certificate_authorities", 49: "post_handshake_auth",
	50: "signature_algorithms_cert", 51: "key_share", 57: "quic_transport_parameters",
	0xca34: "trust_anchors", // draft-ietf-tls-trust-anchor-ids, BoringSSL's codepoint
	13172:  "next_protocol_negotiation", 17513: "application_settings_old",
	17613: "application_settings", 0xfe0d: "encrypted_client_hello", 0xff01: "renegotiation_info",
}

func extensionName(id uint16) string {
	if isGREASE(id) {
		return "GREASE"
	}
	if name, ok := extensionNames[id]; ok {
		return name
	}
	return "unknown"
}

// describeHello builds the capture view of a ClientHello parsed from raw bytes.
func describeHello(h *clientHello) *helloRecord {
	rec := &helloRecord{
		RawHex:              hex.EncodeToString(h.wire.raw),
		RecordVersion:       h.wire.recordVersion,
		Records:             h.wire.recordCount,
		LegacyVersion:       h.version,
		SessionIDLength:     h.wire.sessionIDLen,
		CipherSuites:        nonNil(h.cipherSuites),
		CompressionMethods:  pointFormatsAsInts(h.wire.compressionMethods),
		Extensions:          []extensionRecord{},
		ServerName:          h.serverName,
		SupportedGroups:     nonNil(h.supportedGroups),
		ECPointFormats:      pointFormatsAsInts(h.ecPointFormats),
		SignatureAlgorithms: nonNil(h.signatureAlgorithms),
		SupportedVersions:   nonNil(h.supportedVersions),
		ALPN:                nonNil(h.alpn),
		JA3:                 buildJA3(h),
	}
	rec.JA3Hash = md5Hex(rec.JA3)
	rec.JA4, rec.JA4Raw = buildJA4(h, 't')
	for i, id := range h.extensions {
		var data []byte
		if i < len(h.wire.extensionData) {
			data = h.wire.extensionData[i]
		}
		rec.Extensions = append(rec.Extensions, extensionRecord{
			ID: id, Name: extensionName(id), Length: len(data), DataHex: hex.EncodeToString(data),
		})
		rec.describeExtension(id, data)
	}
	return rec
}

// describeExtension decodes the extensions /fingerprint does not; malformed
// data leaves the field empty (the raw bytes are in Extensions anyway).
func (rec *helloRecord) describeExtension(id uint16, data []byte) {
	r := &byteReader{b: data}
	switch id {
	case extKeyShare:
		shares := r.vector16()
		for shares.err == nil && len(shares.b) >= 4 {
			group := shares.u16()
			key := shares.vector16()
			if key.err == nil {
				rec.KeyShares = append(rec.KeyShares, keyShare{Group: group, Length: len(key.b)})
			}
		}
	case extSignatureAlgsCert:
		rec.SignatureAlgorithmsCert = r.vector16().u16List()
	case extPSKKeyExchangeModes:
		if modes := r.vector8(); modes.err == nil {
			rec.PSKKeyExchangeModes = pointFormatsAsInts(modes.b)
		}
	case extALPSOld, extALPSNew:
		alps := &alpsRecord{Codepoint: id, Protocols: []string{}}
		protos := r.vector16()
		for protos.err == nil && len(protos.b) > 0 {
			if p := protos.vector8(); p.err == nil {
				alps.Protocols = append(alps.Protocols, string(p.b))
			}
		}
		rec.ALPS = alps
	case extCompressCertificate:
		if algs := r.vector8(); algs.err == nil {
			rec.CertCompression = algs.u16List()
		}
	case extRecordSizeLimit:
		if limit := r.u16(); r.err == nil {
			rec.RecordSizeLimit = &limit
		}
	case extDelegatedCredentials:
		rec.DelegatedCredentials = r.vector16().u16List()
	case extECH:
		rec.ECH = parseECH(r)
	case extPreSharedKey:
		rec.PreSharedKey = parsePSK(r)
	case extSessionTicket:
		n := len(data)
		rec.SessionTicketLength = &n
	case extEarlyData:
		rec.EarlyData = true
	case extPadding:
		n := len(data)
		rec.PaddingLength = &n
	}
}

func parseECH(r *byteReader) *echRecord {
	switch r.u8() {
	case 0:
		ech := &echRecord{Type: "outer", KDF: r.u16(), AEAD: r.u16(), ConfigID: int(r.u8())}
		ech.EncLength = len(r.vector16().b)
		ech.PayloadLength = len(r.vector16().b)
		if r.err != nil {
			return nil
		}
		return ech
	case 1:
		return &echRecord{Type: "inner"}
	}
	return nil
}

func parsePSK(r *byteReader) *pskRecord {
	psk := &pskRecord{IdentityLengths: []int{}, BinderLengths: []int{}}
	identities := r.vector16()
	for identities.err == nil && len(identities.b) > 0 {
		id := identities.vector16()
		identities.take(4) // obfuscated_ticket_age
		if identities.err == nil {
			psk.IdentityLengths = append(psk.IdentityLengths, len(id.b))
		}
	}
	binders := r.vector16()
	for binders.err == nil && len(binders.b) > 0 {
		if b := binders.vector8(); b.err == nil {
			psk.BinderLengths = append(psk.BinderLengths, len(b.b))
		}
	}
	if r.err != nil || identities.err != nil || binders.err != nil {
		return nil
	}
	return psk
}
