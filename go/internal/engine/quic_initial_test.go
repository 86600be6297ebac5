package engine

import (
	"testing"
	"time"

	tls "github.com/bogdanfinn/utls"
)

func announcedIdle(hello *tls.ClientHelloSpec) time.Duration {
	for _, ext := range hello.Extensions {
		if params, ok := ext.(*tls.QUICTransportParametersExtension); ok {
			for _, p := range params.TransportParameters {
				if idle, ok := p.(tls.MaxIdleTimeout); ok {
					return time.Duration(idle) * time.Millisecond
				}
			}
		}
	}
	return 0
}

// What the preset's transport parameters announce is what quic-go enforces, and
// quic_idle_timeout wins over the preset's idle timeout on both sides.
func TestQUICSpecSetsQUICGosLimits(t *testing.T) {
	for _, tc := range []struct {
		preset               string
		idle                 time.Duration
		wantIdle             time.Duration
		streamWindow, connWn uint64
		uniStreams           int64
		ackDelay             time.Duration // 0: quic-go's own (max_ack_delay not announced)
	}{
		{"chrome-latest", 0, 30 * time.Second, 6291456, 15728640, 103, 0},
		// Firefox announces max_ack_delay 20 ms: ACKs go out within 19 ms (+ timer granularity).
		{"firefox-latest", 0, 30 * time.Second, 12582912, 25165824, 100, 19 * time.Millisecond},
		{"chrome-latest", 4 * time.Second, 4 * time.Second, 6291456, 15728640, 103, 0},
	} {
		eng, err := New(Config{Preset: tc.preset, HTTPVersion: "h3", Net: NetConfig{quicIdle: tc.idle}})
		if err != nil {
			t.Fatal(err)
		}
		e := eng.(*h3Engine)
		c := e.transport.QUICConfig
		if c.ClientHelloSpec == nil || c.ClientHelloFrames == nil || e.tickets == nil {
			t.Fatalf("%s: no QUIC Initial of its own", tc.preset)
		}
		if c.MaxIdleTimeout != tc.wantIdle || c.KeepAlivePeriod > tc.wantIdle/2 {
			t.Errorf("%s: idle %v keep-alive %v", tc.preset, c.MaxIdleTimeout, c.KeepAlivePeriod)
		}
		if c.InitialStreamReceiveWindow != tc.streamWindow || c.InitialConnectionReceiveWindow != tc.connWn || c.MaxIncomingUniStreams != tc.uniStreams {
			t.Errorf("%s: windows %d/%d, uni streams %d", tc.preset, c.InitialStreamReceiveWindow, c.InitialConnectionReceiveWindow, c.MaxIncomingUniStreams)
		}
		if c.MaxAckDelay != tc.ackDelay {
			t.Errorf("%s: ACK delay %v", tc.preset, c.MaxAckDelay)
		}
		hello, err := c.ClientHelloSpec()
		if err != nil {
			t.Fatal(err)
		}
		if got := announcedIdle(hello); got != tc.wantIdle {
			t.Errorf("%s: max_idle_timeout announces %v, quic-go keeps %v", tc.preset, got, tc.wantIdle)
		}
		eng.Close()
	}
	// A preset without a captured QUIC Initial keeps quic-go's own.
	eng, err := New(Config{Preset: "safari-latest", HTTPVersion: "h3"})
	if err != nil {
		t.Fatal(err)
	}
	defer eng.Close()
	if eng.(*h3Engine).transport.QUICConfig.ClientHelloSpec != nil {
		t.Fatal("safari-latest has no captured QUIC hello, yet one was set")
	}
}
