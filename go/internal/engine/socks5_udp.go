package engine

// HTTP/3 through a SOCKS5 proxy: UDP ASSOCIATE (RFC 1928 section 7) with no or
// username/password authentication (RFC 1929). The association lives as long as its TCP
// control connection; socksPacketConn carries QUIC's datagrams through the relay and
// fails, so QUIC errors out instead of waiting, once the control connection drops.

import (
	"context"
	"encoding/binary"
	"errors"
	"fmt"
	"io"
	"net"
	"net/netip"
	"net/url"
	"sync"
	"time"

	"httpcloakpy/internal/errs"
)

const (
	socksVer          = 0x05
	socksMethodNone   = 0x00
	socksMethodPasswd = 0x02
	socksNoAcceptable = 0xff
	socksCmdUDP       = 0x03
	socksAtypV4       = 0x01
	socksAtypDomain   = 0x03
	socksAtypV6       = 0x04
	// socksUDPOverhead is the header before each datagram to an IPv6 destination (the
	// larger case): QUIC's packets shrink by it so the relay's stay within the path MTU.
	socksUDPOverhead = 4 + net.IPv6len + 2
)

// socksReplies names RFC 1928's reply codes.
var socksReplies = map[byte]string{
	0x01: "general SOCKS server failure",
	0x02: "connection not allowed by ruleset",
	0x03: "network unreachable",
	0x04: "host unreachable",
	0x05: "connection refused",
	0x06: "TTL expired",
	0x07: "command not supported (the proxy does not offer UDP ASSOCIATE)",
	0x08: "address type not supported",
}

// errAssociationClosed: the datagram path is gone because the control connection closed.
var errAssociationClosed = errors.New("the SOCKS5 proxy closed the UDP association (its control connection ended)")

// socksUDPDialer opens associations with the proxy of a socks5:// or socks5h:// URL.
type socksUDPDialer struct {
	proxyURL *url.URL
	direct   net.Dialer // LocalAddr: local_address, for the control connection
	localIP  net.IP     // local_address, for the UDP socket; nil: the system picks
}

func (d *socksUDPDialer) fail(err error) error {
	return &errs.ProxyError{Host: d.proxyURL.Host, Err: err}
}

// associate makes the control connection, authenticates and asks for a relay. ctx bounds
// the handshake only.
func (d *socksUDPDialer) associate(ctx context.Context) (*socksPacketConn, error) {
	ctrl, err := d.direct.DialContext(ctx, "tcp", d.proxyURL.Host)
	if err != nil {
		return nil, d.fail(err)
	}
	stop := context.AfterFunc(ctx, func() { _ = ctrl.Close() })
	relay, err := d.handshake(ctrl)
	if !stop() && err == nil {
		err = ctx.Err()
	}
	if err != nil {
		_ = ctrl.Close()
		if ctxErr := ctx.Err(); ctxErr != nil {
			err = fmt.Errorf("%w (%v)", ctxErr, err)
		}
		return nil, d.fail(err)
	}
	// The relay answers on the proxy's own host when it names no address of its own.
	if relay.Addr().IsUnspecified() {
		proxyIP, _ := netip.AddrFromSlice(ctrl.RemoteAddr().(*net.TCPAddr).IP)
		relay = netip.AddrPortFrom(proxyIP.Unmap(), relay.Port())
	}
	local := &net.UDPAddr{IP: d.localIP}
	if local.IP == nil {
		// The same family as the control connection's, so the relay is reachable.
		local.IP = ctrl.LocalAddr().(*net.TCPAddr).IP
	}
	udp, err := net.ListenUDP("udp", local)
	if err != nil {
		_ = ctrl.Close()
		return nil, d.fail(fmt.Errorf("cannot open the local UDP socket: %w", err))
	}
	return newSocksPacketConn(ctrl, udp, relay, d.proxyURL.Host), nil
}

// handshake: greeting, RFC 1929 credentials if asked, UDP ASSOCIATE. It returns the relay
// address (BND.ADDR, BND.PORT).
func (d *socksUDPDialer) handshake(ctrl net.Conn) (netip.AddrPort, error) {
	var none netip.AddrPort
	user, password, withAuth := "", "", d.proxyURL.User != nil
	if withAuth {
		user = d.proxyURL.User.Username()
		password, _ = d.proxyURL.User.Password()
		if len(user) > 255 || len(password) > 255 {
			return none, errors.New("SOCKS5 user name and password are limited to 255 bytes each")
		}
	}
	greeting := []byte{socksVer, 1, socksMethodNone}
	if withAuth {
		greeting = []byte{socksVer, 2, socksMethodNone, socksMethodPasswd}
	}
	if _, err := ctrl.Write(greeting); err != nil {
		return none, err
	}
	var choice [2]byte
	if _, err := io.ReadFull(ctrl, choice[:]); err != nil {
		return none, fmt.Errorf("no SOCKS5 greeting answer: %w", err)
	}
	if choice[0] != socksVer {
		return none, fmt.Errorf("not a SOCKS5 proxy (version byte %#x)", choice[0])
	}
	switch choice[1] {
	case socksMethodNone:
	case socksMethodPasswd:
		if !withAuth {
			return none, errors.New("the SOCKS5 proxy requires a user name and password")
		}
		msg := append([]byte{0x01, byte(len(user))}, user...)
		msg = append(append(msg, byte(len(password))), password...)
		if _, err := ctrl.Write(msg); err != nil {
			return none, err
		}
		var status [2]byte
		if _, err := io.ReadFull(ctrl, status[:]); err != nil {
			return none, fmt.Errorf("no SOCKS5 authentication answer: %w", err)
		}
		if status[1] != 0x00 {
			return none, fmt.Errorf("SOCKS5 authentication failed (status %#x): wrong user name or password", status[1])
		}
	case socksNoAcceptable:
		return none, errors.New("the SOCKS5 proxy accepted none of the offered authentication methods")
	default:
		return none, fmt.Errorf("the SOCKS5 proxy chose an unsupported authentication method %#x", choice[1])
	}
	// DST.ADDR/DST.PORT of 0: the client's sending address is not known in advance.
	if _, err := ctrl.Write([]byte{socksVer, socksCmdUDP, 0, socksAtypV4, 0, 0, 0, 0, 0, 0}); err != nil {
		return none, err
	}
	var head [4]byte
	if _, err := io.ReadFull(ctrl, head[:]); err != nil {
		return none, fmt.Errorf("no SOCKS5 UDP ASSOCIATE answer: %w", err)
	}
	if head[1] != 0x00 {
		reason, ok := socksReplies[head[1]]
		if !ok {
			reason = "unknown reply"
		}
		return none, fmt.Errorf("UDP ASSOCIATE refused: %s (%#x)", reason, head[1])
	}
	var addr netip.Addr
	switch head[3] {
	case socksAtypV4, socksAtypV6:
		raw := make([]byte, net.IPv4len)
		if head[3] == socksAtypV6 {
			raw = make([]byte, net.IPv6len)
		}
		if _, err := io.ReadFull(ctrl, raw); err != nil {
			return none, err
		}
		addr, _ = netip.AddrFromSlice(raw)
	case socksAtypDomain:
		return none, errors.New("the SOCKS5 proxy named its UDP relay by host name, which is not supported")
	default:
		return none, fmt.Errorf("malformed SOCKS5 reply (address type %#x)", head[3])
	}
	var port [2]byte
	if _, err := io.ReadFull(ctrl, port[:]); err != nil {
		return none, err
	}
	p := binary.BigEndian.Uint16(port[:])
	if p == 0 {
		return none, errors.New("the SOCKS5 proxy gave UDP relay port 0")
	}
	return netip.AddrPortFrom(addr.Unmap(), p), nil
}

// socksPacketConn is a net.PacketConn whose datagrams go through the SOCKS5 relay: each
// one written gets the UDP request header naming its destination, each one read loses
// the header and reports its sender. Datagrams from anyone but the relay, fragments and
// malformed ones are dropped.
type socksPacketConn struct {
	udp       *net.UDPConn
	ctrl      net.Conn
	relay     netip.AddrPort
	proxyHost string // for errors

	once    sync.Once
	mu      sync.Mutex
	lost    error // set when the control connection ended on its own
	bufPool sync.Pool
}

func newSocksPacketConn(ctrl net.Conn, udp *net.UDPConn, relay netip.AddrPort, proxyHost string) *socksPacketConn {
	c := &socksPacketConn{udp: udp, ctrl: ctrl, relay: relay, proxyHost: proxyHost}
	c.bufPool.New = func() any { b := make([]byte, 64<<10); return &b }
	_ = ctrl.SetDeadline(time.Time{})
	go c.watch()
	return c
}

// watch waits for the control connection to end (the proxy sends nothing on it after the
// reply) and then closes the UDP socket, so reads and writes fail.
func (c *socksPacketConn) watch() {
	_, err := io.Copy(io.Discard, c.ctrl)
	c.mu.Lock()
	if c.lost == nil {
		c.lost = errAssociationClosed
		if err != nil && !errors.Is(err, net.ErrClosed) {
			c.lost = fmt.Errorf("%w: %v", errAssociationClosed, err)
		}
	}
	c.mu.Unlock()
	_ = c.Close()
}

// lostErr is why the association ended, or nil if it was closed by us.
func (c *socksPacketConn) lostErr() error {
	c.mu.Lock()
	defer c.mu.Unlock()
	if errors.Is(c.lost, net.ErrClosed) {
		return nil
	}
	return c.lost
}

// failed reports whether the association is gone.
func (c *socksPacketConn) failed() bool {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.lost != nil
}

// wrap names a lost association as a proxy failure (errs.KindProxy), whatever QUIC makes of it.
func (c *socksPacketConn) wrap(err error) error {
	if lost := c.lostErr(); lost != nil {
		return &errs.ProxyError{Host: c.proxyHost, Err: lost}
	}
	return err
}

func (c *socksPacketConn) ReadFrom(p []byte) (int, net.Addr, error) {
	bp := c.bufPool.Get().(*[]byte)
	defer c.bufPool.Put(bp)
	buf := *bp
	for {
		n, from, err := c.udp.ReadFromUDPAddrPort(buf)
		if err != nil {
			return 0, nil, c.wrap(err)
		}
		if netip.AddrPortFrom(from.Addr().Unmap(), from.Port()) != c.relay {
			continue
		}
		src, payload, ok := parseSocksUDPDatagram(buf[:n])
		if !ok {
			continue
		}
		return copy(p, payload), net.UDPAddrFromAddrPort(src), nil
	}
}

func (c *socksPacketConn) WriteTo(p []byte, addr net.Addr) (int, error) {
	var dst netip.AddrPort
	switch a := addr.(type) {
	case *net.UDPAddr:
		dst = a.AddrPort()
	default:
		parsed, err := netip.ParseAddrPort(addr.String())
		if err != nil {
			return 0, fmt.Errorf("socks5 udp: cannot send to %v: %w", addr, err)
		}
		dst = parsed
	}
	msg := make([]byte, 0, socksUDPOverhead+len(p))
	msg = appendSocksUDPHeader(msg, dst)
	if _, err := c.udp.WriteToUDPAddrPort(append(msg, p...), c.relay); err != nil {
		return 0, c.wrap(err)
	}
	return len(p), nil
}

// Close ends the association: the control connection and the UDP socket together.
func (c *socksPacketConn) Close() error {
	c.once.Do(func() {
		c.mu.Lock()
		if c.lost == nil {
			c.lost = net.ErrClosed
		}
		c.mu.Unlock()
		_ = c.ctrl.Close()
		_ = c.udp.Close()
	})
	return nil
}

// SetReadBuffer and SetWriteBuffer let QUIC size the socket's buffers (no SyscallConn:
// QUIC must not use the socket's own addressing, which would skip the header).
func (c *socksPacketConn) SetReadBuffer(n int) error  { return c.udp.SetReadBuffer(n) }
func (c *socksPacketConn) SetWriteBuffer(n int) error { return c.udp.SetWriteBuffer(n) }

func (c *socksPacketConn) LocalAddr() net.Addr                { return c.udp.LocalAddr() }
func (c *socksPacketConn) SetDeadline(t time.Time) error      { return c.udp.SetDeadline(t) }
func (c *socksPacketConn) SetReadDeadline(t time.Time) error  { return c.udp.SetReadDeadline(t) }
func (c *socksPacketConn) SetWriteDeadline(t time.Time) error { return c.udp.SetWriteDeadline(t) }

// appendSocksUDPHeader: RSV RSV FRAG=0 ATYP DST.ADDR DST.PORT.
func appendSocksUDPHeader(b []byte, dst netip.AddrPort) []byte {
	addr := dst.Addr().Unmap()
	b = append(b, 0, 0, 0)
	if addr.Is4() {
		v4 := addr.As4()
		b = append(append(b, socksAtypV4), v4[:]...)
	} else {
		v6 := addr.As16()
		b = append(append(b, socksAtypV6), v6[:]...)
	}
	return binary.BigEndian.AppendUint16(b, dst.Port())
}

// parseSocksUDPDatagram splits a relayed datagram into its sender and payload; ok is
// false for a fragment, a host-name sender (QUIC needs an address) or a malformed header.
func parseSocksUDPDatagram(d []byte) (netip.AddrPort, []byte, bool) {
	var none netip.AddrPort
	if len(d) < 4 || d[0] != 0 || d[1] != 0 || d[2] != 0 {
		return none, nil, false
	}
	size := 0
	switch d[3] {
	case socksAtypV4:
		size = net.IPv4len
	case socksAtypV6:
		size = net.IPv6len
	default:
		return none, nil, false
	}
	if len(d) < 4+size+2 {
		return none, nil, false
	}
	addr, _ := netip.AddrFromSlice(d[4 : 4+size])
	port := binary.BigEndian.Uint16(d[4+size:])
	return netip.AddrPortFrom(addr.Unmap(), port), d[4+size+2:], true
}
