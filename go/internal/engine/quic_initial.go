package engine

// The preset's QUIC Initial (issue #14): its ClientHello goes to the patched QUIC stack
// (quic.Config.ClientHelloSpec, go/patches/github.com/bogdanfinn/quic-go-utls), and
// quic-go's own limits are set to what that hello's transport parameters announce.

import (
	"time"

	"httpcloakpy/internal/fingerprint"
	"httpcloakpy/internal/ticketcache"

	quic "github.com/bogdanfinn/quic-go-utls"
	"github.com/bogdanfinn/quic-go-utls/http3"
)

// quicTokenOrigins is how many servers' QUIC tokens a session keeps (one each).
const quicTokenOrigins = 32

// quic-go's default ceilings for window auto-tuning, kept unless a preset starts above them.
const (
	quicMaxStreamWindow     = 6 << 20
	quicMaxConnectionWindow = 15 << 20
)

// useQUICSpec makes transport's connections send spec's Initial, and gives the ticket
// cache its hello resumes from (cfg.Tickets when the session had one). quic_idle_timeout,
// when set, is also what max_idle_timeout announces.
func useQUICSpec(transport *http3.Transport, dialer *h3Dialer, spec *fingerprint.QUICSpec, cfg Config, trust ticketcache.Trust) *ticketcache.Cache {
	if spec == nil {
		return nil // quic-go's generic hello (presets without a captured QUIC Initial)
	}
	s := *spec
	if cfg.Net.quicIdle > 0 {
		s.Limits.IdleTimeout = cfg.Net.quicIdle
	}
	c := transport.QUICConfig
	c.MaxIdleTimeout = s.Limits.IdleTimeout
	c.KeepAlivePeriod = min(h3KeepAlivePeriod, s.Limits.IdleTimeout/2)
	// quic-go keeps one receive window for every stream: the largest one announced, so
	// it never refuses what the parameters allowed.
	c.InitialStreamReceiveWindow = s.Limits.StreamWindow()
	c.MaxStreamReceiveWindow = max(c.InitialStreamReceiveWindow, quicMaxStreamWindow)
	c.InitialConnectionReceiveWindow = s.Limits.ConnectionWindow
	c.MaxConnectionReceiveWindow = max(c.InitialConnectionReceiveWindow, quicMaxConnectionWindow)
	c.MaxIncomingStreams = int64(s.Limits.MaxStreamsBidi)
	c.MaxIncomingUniStreams = int64(s.Limits.MaxStreamsUni)
	c.EnableDatagrams = s.Limits.MaxDatagramFrameSize > 0
	if d := s.Limits.MaxAckDelay; d > 0 {
		// Below what is announced by the timer granularity, as quic-go does for its own.
		c.MaxAckDelay = d - time.Millisecond
	}
	c.InitialPacketSize = s.PacketSize
	c.ClientHelloSpec = s.Hello
	c.InitialPacketNumber = s.FirstPacketNumber
	c.InitialDestinationConnectionIDLength = s.DestConnIDLength
	c.PadInitialDatagrams = s.PadAfterPackets
	c.InitialPacketsAlone = s.InitialAlone
	if s.HelloFrames != nil {
		c.ClientHelloFrames = func(helloLen, room int) [][]quic.InitialFrame {
			return quicFrames(s.HelloFrames(helloLen, room))
		}
	}
	dialer.sourceConnIDLength = s.SourceConnIDLength
	// The next connection to a server shows its last token and announces the RTT measured.
	c.TokenStore = cfg.Net.quicTokens
	dialer.socketPerConnection = s.SourceConnIDLength == 0
	// The hello's pre_shared_key is left out until there is a ticket to offer.
	transport.TLSClientConfig.OmitEmptyPsk = true
	transport.TLSClientConfig.PreferSkipResumptionOnNilExtension = true
	tickets := cfg.Tickets
	if tickets == nil {
		tickets = ticketcache.NewCache(s.ID, cfg.Shared)
	}
	tickets.SetTrust(trust)
	transport.TLSClientConfig.ClientSessionCache = tickets
	return tickets
}

// TicketStore makes the session's QUIC tickets outlive a refresh and go into saved state.
func (e *h3Engine) TicketStore() *ticketcache.Cache { return e.tickets }

func quicFrames(packets [][]fingerprint.QUICFrame) [][]quic.InitialFrame {
	out := make([][]quic.InitialFrame, len(packets))
	for i, frames := range packets {
		for _, f := range frames {
			out[i] = append(out[i], quic.InitialFrame{Offset: f.Offset, Length: f.Length, Ping: f.Ping, Padding: f.Padding})
		}
	}
	return out
}
