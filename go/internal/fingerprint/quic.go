package fingerprint

// A preset's QUIC Initial (issue #14): the ClientHello a browser sends inside QUIC, which
// differs from its TCP one, with the QUIC transport parameters inside it, and the shape of
// the packets that carry it. The engine hands Hello to the patched QUIC stack
// (go/patches/github.com/bogdanfinn/quic-go-utls) and sets quic-go's own limits from Limits,
// so what the parameters promise is what the connection enforces.

import (
	"crypto/rand"
	"encoding/binary"
	"io"
	"math/big"
	"time"

	tls "github.com/bogdanfinn/utls"
)

// QUICSpec is a browser build's QUIC Initial.
type QUICSpec struct {
	// ID keys the TLS session tickets of this hello (see Profile.ID).
	ID string
	// Limits are the values the transport parameters announce and quic-go must honour.
	Limits QUICLimits
	// PacketSize is the UDP payload of the datagrams that carry the Initial packets.
	PacketSize uint16
	// SourceConnIDLength is the length of the client's connection ID (0: none, one UDP
	// socket per connection as Chromium does).
	SourceConnIDLength int
	// DestConnIDLength is the length of the first, random destination connection ID
	// (0: a random length from 8 to 20).
	DestConnIDLength int
	// FirstPacketNumber gives the number of the first Initial packet (nil: 0).
	FirstPacketNumber func() int64
	// HelloFrames cuts the ClientHello into the Initial packets' frames (quic_frames.go).
	HelloFrames func(helloLen, room int) [][]QUICFrame
	// PadAfterPackets fills the Initial datagrams with bytes after the packet instead of
	// PADDING frames inside it (Firefox).
	PadAfterPackets bool
	// InitialAlone sends each Initial packet in a datagram of its own (Chromium); else
	// later packets are coalesced after it (Firefox).
	InitialAlone bool
	// hello writes the ClientHello (and its transport parameters) with limits.
	hello func(QUICLimits) tls.ClientHelloSpec
}

// QUICLimits are the transport parameters that bind the client's own QUIC stack.
type QUICLimits struct {
	IdleTimeout          time.Duration
	MaxUDPPayloadSize    uint64
	ConnectionWindow     uint64 // initial_max_data
	StreamWindowBidiLoc  uint64 // initial_max_stream_data_bidi_local
	StreamWindowBidiRem  uint64 // initial_max_stream_data_bidi_remote
	StreamWindowUni      uint64 // initial_max_stream_data_uni
	MaxStreamsBidi       uint64
	MaxStreamsUni        uint64
	MaxDatagramFrameSize uint64 // 0: datagrams not offered
	// MaxAckDelay is max_ack_delay (0: not announced, the default 25 ms); the client then
	// delays its ACKs by less.
	MaxAckDelay time.Duration
}

// StreamWindow is the largest stream window announced: quic-go keeps one for all streams,
// and it must not refuse data the parameters allowed.
func (l QUICLimits) StreamWindow() uint64 {
	return max(l.StreamWindowBidiLoc, l.StreamWindowBidiRem, l.StreamWindowUni)
}

// Hello makes the QUIC ClientHello of one connection: fresh GREASE, order and key shares.
func (q *QUICSpec) Hello() (*tls.ClientHelloSpec, error) {
	spec := q.hello(q.Limits)
	return &spec, nil
}

// Transport parameter ids utls has no type for.
const (
	quicGoogleConnectionOptions = 0x3128
	quicInitialRTT              = 0x3127
	quicMinAckDelayDraft        = 0xff02de1a
	quicVersion1                = 1
)

// quicVersionInformation is version_information (RFC 9368): chosen version 1, and the
// available versions 1 and a GREASE version (0x?a?a?a?a), GREASE first when greaseFirst.
func quicVersionInformation(greaseFirst bool) tls.TransportParameter {
	var r [4]byte
	_, _ = rand.Read(r[:])
	greaseVersion := binary.BigEndian.Uint32(r[:])&0xf0f0f0f0 | 0x0a0a0a0a
	versions := []uint32{quicVersion1, greaseVersion}
	if greaseFirst {
		versions[0], versions[1] = versions[1], versions[0]
	}
	value := binary.BigEndian.AppendUint32(nil, quicVersion1)
	for _, v := range versions {
		value = binary.BigEndian.AppendUint32(value, v)
	}
	return &tls.FakeQUICTransportParameter{Id: 0x11, Val: value}
}

// quicGREASEParameter is a GREASE transport parameter (31*N+27) with 1 to maxLen random bytes.
func quicGREASEParameter(maxLen int) tls.TransportParameter {
	return &tls.GREASETransportParameter{Length: uint16(1 + randomInt(maxLen))}
}

// randomInt is uniform in [0, n).
func randomInt(n int) int {
	v, err := rand.Int(rand.Reader, big.NewInt(int64(n)))
	if err != nil {
		return 0
	}
	return int(v.Int64())
}

// quicShuffle permutes items in place (Fisher-Yates over crypto/rand).
func quicShuffle[T any](items []T) {
	for i := len(items) - 1; i > 0; i-- {
		j := randomInt(i + 1)
		items[i], items[j] = items[j], items[i]
	}
}

// quicTransportParameters wraps the parameters as the hello's extension 57.
func quicTransportParameters(params []tls.TransportParameter) tls.TLSExtension {
	return &tls.QUICTransportParametersExtension{TransportParameters: params}
}

// earlyDataWhenResuming is early_data (42), sent when the hello resumes a session whose
// ticket allows early data, as browsers do over QUIC. utls loads the session into psk
// before it writes the hello. (No 0-RTT data follows: docs/fingerprints.md.)
type earlyDataWhenResuming struct {
	*tls.GenericExtension
	psk *tls.UtlsPreSharedKeyExtension
}

func (e *earlyDataWhenResuming) offered() bool {
	return e.psk.Session != nil && e.psk.Session.EarlyData
}

func (e *earlyDataWhenResuming) Len() int {
	if !e.offered() {
		return 0
	}
	return e.GenericExtension.Len()
}

func (e *earlyDataWhenResuming) Read(b []byte) (int, error) {
	if !e.offered() {
		return 0, io.EOF
	}
	return e.GenericExtension.Read(b)
}

func newEarlyData(psk *tls.UtlsPreSharedKeyExtension) tls.TLSExtension {
	return &earlyDataWhenResuming{GenericExtension: &tls.GenericExtension{Id: tls.ExtensionEarlyData}, psk: psk}
}

// quicVarint is v as a QUIC variable-length integer, in its shortest form (RFC 9000, 16).
func quicVarint(v uint64) []byte {
	switch {
	case v < 1<<6:
		return []byte{byte(v)}
	case v < 1<<14:
		return binary.BigEndian.AppendUint16(nil, uint16(v)|0x4000)
	case v < 1<<30:
		return binary.BigEndian.AppendUint32(nil, uint32(v)|0x80000000)
	}
	return binary.BigEndian.AppendUint64(nil, v|0xc0<<56)
}
