package engine

// The HTTP/3 layer above QUIC as the preset's browser writes it (fingerprint.H3Wire): the
// control stream's SETTINGS and GREASE, PRIORITY_UPDATE per request, the other
// unidirectional streams and the QPACK encoding, handed to quic-go-utls' http3 package
// through our patch 0050 (http3.ClientWire).

import (
	"io"
	"math/rand/v2"
	"slices"
	"strings"

	"httpcloakpy/internal/fingerprint"

	http "github.com/bogdanfinn/fhttp"
	"github.com/bogdanfinn/quic-go-utls/http3"
	"github.com/bogdanfinn/quic-go-utls/quicvarint"
	"github.com/quic-go/qpack"
)

const (
	h3FrameSettings       = 0x04
	h3FramePriorityUpdate = 0xf0700 // PRIORITY_UPDATE for a request stream (RFC 9218)
)

// newClientWire is w as the http3 package's hooks.
func newClientWire(w fingerprint.H3Wire) *http3.ClientWire {
	cw := &http3.ClientWire{
		PseudoHeaderOrder: w.PseudoHeaderOrder,
		UniStreams:        w.UniStreams,
	}
	if len(w.Settings) > 0 || w.GreaseSetting || w.GreaseFrame.Send {
		cw.ControlStream = func() []byte { return controlStreamFrames(w) }
	}
	if w.QPACK.Custom {
		policy := w.QPACK
		cw.EncodeFieldSection = func(fields []qpack.HeaderField) []byte { return encodeFieldSection(policy, fields) }
	}
	if w.PriorityUpdate {
		cw.BeforeRequest = priorityUpdate
	}
	if capacity, blocked := w.QPACKTable(); capacity > 0 {
		cw.NewFieldDecoder = func(decoderStream io.Writer) http3.FieldDecoder {
			return newQPACKDecoder(capacity, blocked, decoderStream)
		}
	}
	return cw
}

// controlStreamFrames is the control stream after its type: SETTINGS, then the GREASE frame.
func controlStreamFrames(w fingerprint.H3Wire) []byte {
	var payload []byte
	for _, s := range w.Settings {
		payload = quicvarint.Append(payload, s.ID)
		payload = quicvarint.Append(payload, s.Value)
	}
	if w.GreaseSetting {
		payload = quicvarint.AppendWithLen(payload, greaseID(rand.Uint32()), 8)
		payload = quicvarint.AppendWithLen(payload, uint64(rand.Uint32()), 8)
	}
	b := quicvarint.Append(nil, h3FrameSettings)
	b = quicvarint.Append(b, uint64(len(payload)))
	b = append(b, payload...)
	if g := w.GreaseFrame; g.Send {
		n := uint64(rand.Uint32())
		if g.WideType {
			n = rand.Uint64N((quicvarint.Max - 0x21) / 0x1f)
		}
		body := make([]byte, g.MinLength+rand.IntN(g.MaxLength-g.MinLength+1))
		for i := range body {
			body[i] = byte(rand.Uint32())
		}
		b = quicvarint.Append(b, greaseID(n))
		b = quicvarint.Append(b, uint64(len(body)))
		b = append(b, body...)
	}
	return b
}

// greaseID is the n-th reserved identifier, 0x1f*n+0x21 (RFC 9114, section 7.2.8).
func greaseID[T uint32 | uint64](n T) uint64 { return 0x1f*uint64(n) + 0x21 }

// priorityUpdate is the PRIORITY_UPDATE frame of a request with a priority header, as
// Chromium sends it on the control stream before the request's HEADERS.
func priorityUpdate(streamID uint64, header http.Header) []byte {
	value := ""
	for k, vv := range header {
		if strings.EqualFold(k, "priority") && len(vv) > 0 {
			value = vv[0]
		}
	}
	if value == "" {
		return nil
	}
	payload := quicvarint.Append(nil, streamID)
	payload = append(payload, value...)
	b := quicvarint.Append(nil, h3FramePriorityUpdate)
	b = quicvarint.Append(b, uint64(len(payload)))
	return append(b, payload...)
}

// h3Headers are a request's headers as the browser sends them over HTTP/3 (w's header
// rules); headers itself is not changed.
func h3Headers(w fingerprint.H3Wire, authority string, headers [][2]string) [][2]string {
	if len(w.WithoutHeaders) == 0 && w.AltUsedAfter == "" {
		return headers
	}
	out := make([][2]string, 0, len(headers)+1)
	altUsed := w.AltUsedAfter != ""
	for _, h := range headers {
		name := strings.ToLower(h[0])
		if slices.Contains(w.WithoutHeaders, [2]string{name, h[1]}) {
			continue
		}
		if name == "alt-used" {
			altUsed = false // the caller's own
		}
		out = append(out, h)
	}
	if !altUsed {
		return out
	}
	at := len(out)
	for i, h := range out {
		if strings.EqualFold(h[0], w.AltUsedAfter) {
			at = i + 1
		}
	}
	return slices.Insert(out, at, [2]string{"alt-used", authority})
}
