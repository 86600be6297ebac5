package fingerprint

// H3Wire is the HTTP/3 side of a preset above QUIC: what a browser writes on its control
// stream, which other unidirectional streams it opens, its pseudo-header order and how it
// encodes header fields with QPACK. Every rule is read from the captures in
// tests/fixtures/browsers/*-h3 (docs/fingerprints.md). Zero value: quic-go's behaviour
// (with the header order kept).
type H3Wire struct {
	// PseudoHeaderOrder, e.g. ":method", ":authority", ":scheme", ":path".
	PseudoHeaderOrder []string
	// Settings are the SETTINGS frame's parameters, in the order sent.
	Settings []H3Setting
	// GreaseSetting appends a reserved setting (id 0x1f*N+0x21, random value), both
	// written as 8-byte varints, as Chromium does.
	GreaseSetting bool
	// GreaseFrame is the reserved frame sent on the control stream after SETTINGS.
	GreaseFrame GreaseFrame
	// PriorityUpdate sends, before each request that carries a priority header, a
	// PRIORITY_UPDATE frame with that header's value on the control stream (Chromium).
	PriorityUpdate bool
	// UniStreams are further unidirectional stream types opened after the control stream
	// (Firefox: QPACK encoder 0x02 and decoder 0x03, with nothing sent on them).
	UniStreams []uint64
	QPACK      QPACKPolicy
	// WithoutHeaders are preset headers (name, value) the browser does not send over
	// HTTP/3 though it does over TCP (Firefox's te: trailers).
	WithoutHeaders [][2]string
	// AltUsedAfter, when set, sends alt-used (the origin's authority) after that header,
	// or last if it is missing (Firefox).
	AltUsedAfter string
}

// H3Setting is one HTTP/3 SETTINGS parameter.
type H3Setting struct{ ID, Value uint64 }

// GreaseFrame is a reserved frame type (0x1f*N+0x21) carrying random bytes; zero: none.
type GreaseFrame struct {
	Send bool
	// The payload length is drawn from MinLength..MaxLength.
	MinLength, MaxLength int
	// WideType draws N from 64-bit values (Firefox), else from 32-bit ones (Chromium).
	WideType bool
}

// QPACKPolicy is how header fields are represented: our encoder uses the static table only
// (as both browsers do against a server offering no dynamic table): a field in the table
// is indexed, a name in it is a literal naming its first entry, the rest literal names.
type QPACKPolicy struct {
	// Custom is false for quic-go's own encoder.
	Custom bool
	// HuffmanAlways Huffman-codes every string (Firefox); else only when shorter (Chromium).
	HuffmanAlways bool
}

// HTTP/3 settings and streams by their RFC 9114 / 9204 / 9297 / 9220 numbers.
const (
	h3SettingQPACKMaxTableCapacity = 0x01
	h3SettingMaxFieldSectionSize   = 0x06
	h3SettingQPACKBlockedStreams   = 0x07
	h3SettingEnableConnectProtocol = 0x08
	h3SettingH3Datagram            = 0x33
	h3StreamQPACKEncoder           = 0x02
	h3StreamQPACKDecoder           = 0x03
)

// The browser families' HTTP/3. Both announce a QPACK dynamic table for responses, which
// our decoder reads (engine/h3qpack_decoder.go); their own requests use the static table only.
var (
	// Chromium 156: SETTINGS 1=65536, 6=262144, 7=100, 51=1 and a GREASE setting; then a
	// GREASE frame of 0-3 bytes and one PRIORITY_UPDATE per request; only the control stream
	// (a QPACK decoder stream opens when the server's table needs acknowledging); QPACK
	// Huffman only where shorter.
	chromeH3Wire = H3Wire{
		PseudoHeaderOrder: []string{":method", ":authority", ":scheme", ":path"},
		Settings: []H3Setting{
			{h3SettingQPACKMaxTableCapacity, 65536},
			{h3SettingMaxFieldSectionSize, 262144},
			{h3SettingQPACKBlockedStreams, 100},
			{h3SettingH3Datagram, 1},
		},
		GreaseSetting:  true,
		GreaseFrame:    GreaseFrame{Send: true, MinLength: 0, MaxLength: 3},
		PriorityUpdate: true,
		QPACK:          QPACKPolicy{Custom: true},
	}
	// Firefox ESR 153: SETTINGS 1=65536, 7=20, WebTransport's draft settings
	// (0x2b603742=0, 0xffd277=1), 51=1, 8=1; a GREASE frame of 5-7 bytes; QPACK encoder and decoder
	// streams; QPACK Huffman on every string. Requests carry alt-used after accept-encoding
	// and no te: trailers.
	firefoxH3Wire = H3Wire{
		PseudoHeaderOrder: []string{":method", ":scheme", ":authority", ":path"},
		Settings: []H3Setting{
			{h3SettingQPACKMaxTableCapacity, 65536},
			{h3SettingQPACKBlockedStreams, 20},
			{0x2b603742, 0},
			{0xffd277, 1},
			{h3SettingH3Datagram, 1},
			{h3SettingEnableConnectProtocol, 1},
		},
		GreaseFrame:    GreaseFrame{Send: true, MinLength: 5, MaxLength: 7, WideType: true},
		UniStreams:     []uint64{h3StreamQPACKEncoder, h3StreamQPACKDecoder},
		QPACK:          QPACKPolicy{Custom: true, HuffmanAlways: true},
		WithoutHeaders: [][2]string{{"te", "trailers"}},
		AltUsedAfter:   "accept-encoding",
	}
)

// h3WireOf is a preset's HTTP/3 wire: its family's where captured, else quic-go's with the
// preset's HTTP/2 pseudo-header order (no Safari capture over QUIC exists here).
func h3WireOf(p Preset, h2 H2Spec) H3Wire {
	switch p.Browser {
	case "Chrome":
		return chromeH3Wire
	case "Firefox":
		return firefoxH3Wire
	}
	return H3Wire{PseudoHeaderOrder: h2.PseudoHeaderOrder}
}

// QPACKTable is the dynamic table the SETTINGS announce for the server's field sections:
// its capacity (0: none) and how many streams may wait for its inserts.
func (w H3Wire) QPACKTable() (capacity, blockedStreams uint64) {
	for _, s := range w.Settings {
		switch s.ID {
		case h3SettingQPACKMaxTableCapacity:
			capacity = s.Value
		case h3SettingQPACKBlockedStreams:
			blockedStreams = s.Value
		}
	}
	return capacity, blockedStreams
}

// SendsDatagramSetting is true when the SETTINGS carry H3_DATAGRAM=1, which RFC 9297 allows
// only with QUIC datagrams enabled (max_datagram_frame_size).
func (w H3Wire) SendsDatagramSetting() bool {
	for _, s := range w.Settings {
		if s.ID == h3SettingH3Datagram && s.Value == 1 {
			return true
		}
	}
	return false
}
