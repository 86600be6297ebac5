package engine

import (
	"context"
	"syscall"

	"httpcloakpy/internal/errs"
	"httpcloakpy/internal/targets"
)

// SocketOptions are the tcp_* session options: what the kernel writes into a connection's
// SYN (TTL, MSS option, window, window scale option, DF bit), set on every TCP socket the
// engine dials, the socket to a proxy included, before connect. nil: the kernel's choice.
type SocketOptions struct {
	TTL         *int  `json:"tcp_ttl"`
	MSS         *int  `json:"tcp_mss"`
	WindowSize  *int  `json:"tcp_window_size"`
	WindowScale *int  `json:"tcp_window_scale"`
	DF          *bool `json:"tcp_df"`
}

// socketConfig is SocketOptions checked: zero values (the zero socketConfig too) mean
// "leave the kernel's", so an engine built without options never touches a socket (where
// the options are unsupported, Windows and macOS, a touched socket fails to dial).
type socketConfig struct {
	ttl, mss, windowSize int
	windowScale          *int
	df                   *bool
}

func (s socketConfig) set() bool {
	return s.ttl != 0 || s.mss != 0 || s.windowSize != 0 || s.windowScale != nil || s.df != nil
}

// Bounds the kernel accepts (Linux: TCP_MAXSEG takes 88..32767; a SYN's window field has
// 16 bits; RFC 7323 caps the scale at 14).
const (
	minMSS, maxMSS  = 88, 32767
	maxSYNWindow    = 65535
	maxWindowScale  = 14
	maxTTL          = 255
	tcpOptionPrefix = "tcp_"
)

func (o SocketOptions) build(httpVersion string) (socketConfig, error) {
	c := socketConfig{df: o.DF}
	check := func(name string, v *int, lo, hi int) (int, error) {
		if v == nil {
			return 0, nil
		}
		if *v < lo || *v > hi {
			return 0, errs.New(errs.KindInvalidArgument, "%s%s must be between %d and %d, got %d", tcpOptionPrefix, name, lo, hi, *v)
		}
		return *v, nil
	}
	var err error
	if c.ttl, err = check("ttl", o.TTL, 1, maxTTL); err != nil {
		return c, err
	}
	if c.mss, err = check("mss", o.MSS, minMSS, maxMSS); err != nil {
		return c, err
	}
	if c.windowSize, err = check("window_size", o.WindowSize, 1, maxSYNWindow); err != nil {
		return c, err
	}
	if o.WindowScale != nil {
		scale, err := check("window_scale", o.WindowScale, 0, maxWindowScale)
		if err != nil {
			return c, err
		}
		c.windowScale = &scale
		if c.windowSize != 0 {
			// Measured on Linux: SO_RCVBUF locks the receive buffer and the kernel then
			// derives the SYN's scale from that buffer (0 for any window up to 64 KiB).
			return c, errs.New(errs.KindInvalidArgument,
				"tcp_window_size and tcp_window_scale cannot both be honoured on one socket: tcp_window_size sets the receive buffer (SO_RCVBUF), from which the kernel then derives the SYN's window scale (0 for a window up to 65535); give one of them (tcp_mss=1460 with tcp_window_scale=8 already gives Windows' SYN window 64240 and scale 8)")
		}
		if err := checkWindowScale(scale); err != nil {
			return c, err
		}
	}
	if c.set() && httpVersion == "h3" {
		return c, errs.New(errs.KindInvalidArgument, "the tcp_* options shape TCP connections; http_version \"h3\" uses none (QUIC runs over UDP)")
	}
	if c.set() {
		if err := socketOptionsSupported(); err != nil {
			return c, err
		}
	}
	return c, nil
}

// control is the dialer's Control for every TCP socket the engine opens to a target: a
// local proxy's target guard first, then the tcp_* options.
func (c NetConfig) control(ctx context.Context, network, address string, raw syscall.RawConn) error {
	if err := targets.DialControl(ctx, network, address, raw); err != nil {
		return err
	}
	return c.socketControl(ctx, network, address, raw)
}

// socketControl sets the tcp_* options only: the Control of the socket to a proxy.
func (c NetConfig) socketControl(_ context.Context, network, _ string, raw syscall.RawConn) error {
	if !c.socket.set() {
		return nil
	}
	var setErr error
	if err := raw.Control(func(fd uintptr) { setErr = c.socket.apply(int(fd), network) }); err != nil {
		return err
	}
	return setErr
}
