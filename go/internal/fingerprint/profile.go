package fingerprint

// Profile is everything the engine needs of a preset to shape a connection: the TLS
// ClientHello, the HTTP/2 preface and framing, and (issue #14) the QUIC part. It is plain
// data plus one factory, so the engine knows no preset by name.

import (
	"github.com/bogdanfinn/fhttp/http2"
	tls "github.com/bogdanfinn/utls"
)

// Profile is a resolved preset's wire shape (custom ja3/akamai/extra_fp already applied).
type Profile struct {
	// ID names this exact ClientHello shape; TLS session tickets are cached under it, so two
	// profiles that send different hellos must have different IDs.
	ID string
	// Hello makes the ClientHello for one connection. It is called once per handshake, so
	// GREASE values and any extension permutation are fresh on every connection.
	Hello func() (tls.ClientHelloSpec, error)
	// ResumesSessions is true when Hello carries pre_shared_key: the engine then keeps a
	// ticket cache and resumes as the browser does. Never add resumption to a hello without it.
	ResumesSessions bool
	H2              H2Spec
	H3              H3Wire // HTTP/3 above QUIC (h3wire.go)
	// QUIC is the HTTP/3 Initial (quic.go); nil: quic-go's generic hello for this preset.
	QUIC *QUICSpec
}

// H2Spec is the HTTP/2 side of a preset, in the terms of fhttp's http2.Transport.
type H2Spec struct {
	Settings       map[http2.SettingID]uint32
	SettingsOrder  []http2.SettingID
	ConnectionFlow uint32           // the connection WINDOW_UPDATE increment after SETTINGS
	Priorities     []http2.Priority // PRIORITY frames sent after the preface
	// HeaderPriority is the HEADERS frame's priority for a navigation request.
	HeaderPriority    *http2.PriorityParam
	PseudoHeaderOrder []string // e.g. ":method", ":authority", ":scheme", ":path"
	// Wire is how the browser frames and encodes beyond the preface (h2wire.go).
	Wire H2Wire
}
