package main

import (
	"crypto/tls"
	"net/http"
)

// fingerprintReply is the /anything echo plus what the TLS ClientHello and
// (on HTTP/2) the first frames of the connection reveal about the client.
type fingerprintReply struct {
	echoReply
	JA3                 string   `json:"ja3"`
	JA3Hash             string   `json:"ja3_hash"`
	JA4                 string   `json:"ja4"`
	JA4Raw              string   `json:"ja4_r"`
	Akamai              string   `json:"akamai"`      // "" unless HTTP/2
	AkamaiHash          string   `json:"akamai_hash"` // "" unless HTTP/2
	ALPN                []string `json:"alpn"`        // offered by the client
	NegotiatedALPN      string   `json:"negotiated_alpn"`
	SNI                 string   `json:"sni"`
	TLSVersion          string   `json:"tls_version"` // negotiated, e.g. "TLS 1.3"
	CipherSuite         string   `json:"cipher_suite"`
	HelloVersion        uint16   `json:"hello_version"`
	CipherSuites        []uint16 `json:"cipher_suites"` // as sent, GREASE included
	Extensions          []uint16 `json:"extensions"`    // wire order, GREASE included
	SupportedGroups     []uint16 `json:"supported_groups"`
	ECPointFormats      []int    `json:"ec_point_formats"` // ints: []uint8 would encode as base64
	SignatureAlgorithms []uint16 `json:"signature_algorithms"`
	SupportedVersions   []uint16 `json:"supported_versions"`
	PSK                 bool     `json:"psk"` // pre_shared_key extension present (resumption)
	Resumed             bool     `json:"resumed"`
}

// handleFingerprint reports JA3, JA4 and Akamai fingerprints (TLS only).
func handleFingerprint(w http.ResponseWriter, r *http.Request) {
	info := connInfoFrom(r.Context())
	if info == nil || info.listener == listenerHTTP {
		badRequest(w, "fingerprint needs TLS (https or h3)")
		return
	}
	state, hello := info.tlsDetails()
	if hello == nil {
		http.Error(w, "ClientHello was not captured for this connection", http.StatusInternalServerError)
		return
	}
	echo, err := describeRequest(r)
	if err != nil {
		badRequest(w, "reading body: "+err.Error())
		return
	}
	transport := byte('t')
	if info.quic {
		transport = 'q'
	}
	reply := fingerprintReply{
		echoReply:           *echo,
		JA3:                 buildJA3(hello),
		ALPN:                nonNil(hello.alpn),
		SNI:                 hello.serverName,
		HelloVersion:        hello.version,
		CipherSuites:        nonNil(hello.cipherSuites),
		Extensions:          nonNil(hello.extensions),
		SupportedGroups:     nonNil(hello.supportedGroups),
		ECPointFormats:      pointFormatsAsInts(hello.ecPointFormats),
		SignatureAlgorithms: nonNil(hello.signatureAlgorithms),
		SupportedVersions:   nonNil(hello.supportedVersions),
		PSK:                 hello.hasExtension(extPreSharedKey),
	}
	reply.JA3Hash = md5Hex(reply.JA3)
	reply.JA4, reply.JA4Raw = buildJA4(hello, transport)
	if state != nil {
		reply.NegotiatedALPN = state.NegotiatedProtocol
		reply.TLSVersion = tls.VersionName(state.Version)
		reply.CipherSuite = tls.CipherSuiteName(state.CipherSuite)
		reply.Resumed = state.DidResume
	}
	if info.h2 != nil {
		if fp, ok := info.h2.snapshot(); ok {
			reply.Akamai = fp.akamaiString()
			reply.AkamaiHash = md5Hex(reply.Akamai)
		}
	}
	writeJSON(w, http.StatusOK, reply)
}

// nonNil makes empty lists encode as [] rather than null.
func nonNil[T any](s []T) []T {
	if s == nil {
		return []T{}
	}
	return s
}

func pointFormatsAsInts(formats []uint8) []int {
	out := make([]int, len(formats))
	for i, f := range formats {
		out[i] = int(f)
	}
	return out
}
