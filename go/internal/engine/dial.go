package engine

import (
	"context"
	"errors"
	"net"
	"sort"
	"sync"

	tls "github.com/bogdanfinn/utls"

	quic "github.com/bogdanfinn/quic-go-utls"
)

// netDialer makes the engine's TCP connections: connect_to rewrites the address (the TLS
// layer above still uses the original host for SNI and certificate checks), local_address
// binds the source, prefer_ipv4 orders resolved addresses, and a proxy, when set, is
// reached from that source and asked for the rewritten address.
type netDialer struct {
	cfg     NetConfig
	proxy   *proxyDialer // nil: direct
	base    net.Dialer
	resolve func(ctx context.Context, host string) ([]net.IPAddr, error)
}

func newNetDialer(cfg NetConfig, proxy *proxyDialer) *netDialer {
	d := &netDialer{cfg: cfg, proxy: proxy, resolve: net.DefaultResolver.LookupIPAddr}
	// A local proxy's request must not reach what it refuses; tcp_* options shape the SYN.
	d.base.ControlContext = cfg.control
	if cfg.localAddr != nil {
		d.base.LocalAddr = &net.TCPAddr{IP: cfg.localAddr}
	}
	if proxy != nil {
		proxy.direct.LocalAddr = d.base.LocalAddr
	}
	return d
}

func (d *netDialer) DialContext(ctx context.Context, network, addr string) (net.Conn, error) {
	addr = d.cfg.mapAddress(addr)
	if d.proxy != nil {
		return d.proxy.DialContext(ctx, network, addr)
	}
	if !d.cfg.preferIPv4 {
		return d.base.DialContext(ctx, network, addr)
	}
	ips, port, err := d.lookup(ctx, addr)
	if err != nil {
		return nil, err
	}
	var errs []error
	for _, ip := range ips {
		conn, err := d.base.DialContext(ctx, network, net.JoinHostPort(ip.String(), port))
		if err == nil {
			return conn, nil
		}
		errs = append(errs, err)
		if ctx.Err() != nil {
			break
		}
	}
	return nil, errors.Join(errs...)
}

// lookup resolves addr's host, IPv4 first (stable otherwise); an IP literal is itself.
func (d *netDialer) lookup(ctx context.Context, addr string) ([]net.IP, string, error) {
	host, port, err := net.SplitHostPort(addr)
	if err != nil {
		return nil, "", err
	}
	if ip := net.ParseIP(host); ip != nil {
		return []net.IP{ip}, port, nil
	}
	found, err := d.resolve(ctx, host)
	if err != nil {
		return nil, "", err
	}
	ips := make([]net.IP, 0, len(found))
	for _, a := range found {
		ips = append(ips, a.IP)
	}
	if d.cfg.preferIPv4 {
		sort.SliceStable(ips, func(i, j int) bool { return ips[i].To4() != nil && ips[j].To4() == nil })
	}
	return ips, port, nil
}

// h3Dialer is the HTTP/3 transport's Dial with the same options: connect_to rewrites the
// UDP address (SNI stays the URL's host, set by the transport), prefer_ipv4 picks the
// first IPv4 address, local_address binds the one UDP socket all QUIC connections share.
// With a SOCKS5 UDP proxy that socket is the association's (socks5_udp.go): the
// destination is resolved here and named by address in each datagram's header.
type h3Dialer struct {
	dialer *netDialer
	socks  *socksUDPDialer // nil: direct
	mu     sync.Mutex
	qt     *quic.Transport
	assoc  *socksPacketConn // the association behind qt, when proxied
	pins   []CertPin        // certificate pins, checked in each handshake
	// sourceConnIDLength is the preset's QUIC source connection ID length (0: quic-go's).
	sourceConnIDLength int
	// socketPerConnection: each direct QUIC connection gets its own UDP socket, so it can
	// go without a source connection ID, as Chromium does.
	socketPerConnection bool

	// dials live in this context, not the first request's (see dial); close ends them.
	dials     context.Context
	stopDials context.CancelFunc
}

func newH3Dialer(dialer *netDialer, socks *socksUDPDialer) *h3Dialer {
	dials, stop := context.WithCancel(context.Background())
	return &h3Dialer{dialer: dialer, socks: socks, dials: dials, stopDials: stop}
}

func (h *h3Dialer) dial(ctx context.Context, addr string, tlsCfg *tls.Config, cfg *quic.Config) (*quic.Conn, error) {
	// The HTTP/3 transport makes one connection per server for every request that needs
	// it, with the context of whichever request came first: that request's timeout or
	// cancel must not fail the others. The handshake's own idle timeout bounds the dial,
	// and closing the engine ends it.
	ctx = h.dials
	if check := pinCheck(h.pins, tlsCfg.ServerName); check != nil {
		tlsCfg = tlsCfg.Clone()
		tlsCfg.VerifyConnection = check
	}
	ips, port, err := h.dialer.lookup(ctx, h.dialer.cfg.mapAddress(addr))
	if err != nil {
		return nil, err
	}
	if len(ips) == 0 {
		return nil, &net.DNSError{Err: "no address", Name: addr, IsNotFound: true}
	}
	target, err := net.ResolveUDPAddr("udp", net.JoinHostPort(ips[0].String(), port))
	if err != nil {
		return nil, err
	}
	if h.socketPerConnection && h.socks == nil {
		return h.dialOwnSocket(ctx, target, tlsCfg, cfg)
	}
	qt, err := h.transport(ctx)
	if err != nil {
		return nil, err
	}
	return qt.DialEarly(ctx, target, tlsCfg, cfg)
}

// dialOwnSocket dials over a UDP socket of its own, closed when the connection ends.
func (h *h3Dialer) dialOwnSocket(ctx context.Context, target *net.UDPAddr, tlsCfg *tls.Config, cfg *quic.Config) (*quic.Conn, error) {
	var local *net.UDPAddr
	if ip := h.dialer.cfg.localAddr; ip != nil {
		local = &net.UDPAddr{IP: ip}
	}
	conn, err := net.ListenUDP("udp", local)
	if err != nil {
		return nil, err
	}
	reportUnreachable(conn)
	qc, err := quic.DialEarly(ctx, conn, target, tlsCfg, cfg)
	if err != nil {
		_ = conn.Close()
		return nil, err
	}
	go func() {
		<-qc.Context().Done()
		_ = conn.Close()
	}()
	return qc, nil
}

func (h *h3Dialer) transport(ctx context.Context) (*quic.Transport, error) {
	h.mu.Lock()
	defer h.mu.Unlock()
	if h.qt != nil && h.assoc != nil && h.assoc.failed() {
		// The proxy ended the association: its connections failed with it; start anew.
		h.closeLocked()
	}
	if h.qt != nil {
		return h.qt, nil
	}
	if h.socks != nil {
		assoc, err := h.socks.associate(ctx)
		if err != nil {
			return nil, err
		}
		h.qt, h.assoc = &quic.Transport{Conn: assoc, ConnectionIDLength: h.sourceConnIDLength}, assoc
		return h.qt, nil
	}
	var local *net.UDPAddr
	if ip := h.dialer.cfg.localAddr; ip != nil {
		local = &net.UDPAddr{IP: ip}
	}
	conn, err := net.ListenUDP("udp", local)
	if err != nil {
		return nil, err
	}
	h.qt = &quic.Transport{Conn: conn, ConnectionIDLength: h.sourceConnIDLength}
	return h.qt, nil
}

func (h *h3Dialer) close() {
	h.stopDials()
	h.mu.Lock()
	defer h.mu.Unlock()
	h.closeLocked()
}

// closeLocked closes the QUIC transport and its socket (for a proxy, the association:
// UDP socket and control connection together).
func (h *h3Dialer) closeLocked() {
	if h.qt != nil {
		_ = h.qt.Close()
		_ = h.qt.Conn.Close()
		h.qt, h.assoc = nil, nil
	}
}
