package main

import (
	"bufio"
	"context"
	"encoding/binary"
	"io"
	"net"
	"net/netip"
	"sync"
	"time"
)

// SOCKS5 UDP ASSOCIATE (RFC 1928 section 7): one relay socket per
// association, on the address the client reached the proxy at. Datagrams
// from the client carry RSV(2) FRAG ATYP DST.ADDR DST.PORT before the
// payload; the relay strips it and sends the payload on to the (loopback)
// destination, and prefixes each reply with the sender's address. The
// association ends when its TCP control connection closes.

func socksUDPAssociate(c net.Conn, br *bufio.Reader) {
	local, _ := c.LocalAddr().(*net.TCPAddr)
	remote, _ := c.RemoteAddr().(*net.TCPAddr)
	if local == nil || remote == nil {
		socksReply(c, socksGeneralFailure, nil)
		return
	}
	relay, err := net.ListenUDP("udp", &net.UDPAddr{IP: local.IP})
	if err != nil {
		socksReply(c, socksGeneralFailure, nil)
		return
	}
	if socksReply(c, socksSucceeded, relay.LocalAddr()) != nil {
		relay.Close()
		return
	}
	c.SetDeadline(time.Time{})
	proxyStats.udpAssoc.Add(1)
	proxyStats.udpOpen.Add(1)
	a := &udpAssociation{relay: relay, clientIP: remote.AddrPort().Addr().Unmap(), targets: map[netip.AddrPort]bool{}}
	done := make(chan struct{})
	go func() {
		defer close(done)
		a.serve()
	}()
	// The control connection carries nothing more; its end is the association's.
	io.Copy(io.Discard, br)
	relay.Close()
	<-done
	proxyStats.udpOpen.Add(-1)
}

type udpAssociation struct {
	relay    *net.UDPConn
	clientIP netip.Addr

	mu      sync.Mutex
	client  netip.AddrPort // learnt from the first datagram from clientIP
	targets map[netip.AddrPort]bool
}

func (a *udpAssociation) serve() {
	buf := make([]byte, 64<<10)
	for {
		n, from, err := a.relay.ReadFromUDPAddrPort(buf)
		if err != nil {
			return
		}
		from = netip.AddrPortFrom(from.Addr().Unmap(), from.Port())
		if a.fromClient(from) {
			a.forward(buf[:n])
		} else {
			a.reply(from, buf[:n])
		}
	}
}

// fromClient: the client is the first sender from the control connection's
// IP; after that only that exact address is.
func (a *udpAssociation) fromClient(from netip.AddrPort) bool {
	a.mu.Lock()
	defer a.mu.Unlock()
	if !a.client.IsValid() && from.Addr() == a.clientIP && !a.targets[from] {
		a.client = from
	}
	return from == a.client
}

// forward strips the header and sends the payload on; fragments, malformed
// headers and non-loopback destinations are dropped (RFC 1928: silently).
func (a *udpAssociation) forward(d []byte) {
	host, port, payload, ok := parseSocksUDP(d)
	if !ok {
		return
	}
	ctx, cancel := context.WithTimeout(context.Background(), proxyDialTimeout)
	ips, err := loopbackIPs(ctx, host)
	cancel()
	if err != nil || len(ips) == 0 {
		return
	}
	ip, _ := netip.AddrFromSlice(ips[0])
	to := netip.AddrPortFrom(ip.Unmap(), uint16(port))
	a.mu.Lock()
	a.targets[to] = true
	a.mu.Unlock()
	a.send(payload, to)
}

// reply sends a destination's datagram back to the client with the header.
func (a *udpAssociation) reply(from netip.AddrPort, payload []byte) {
	a.mu.Lock()
	client, known := a.client, a.targets[from]
	a.mu.Unlock()
	if !known || !client.IsValid() {
		return
	}
	msg := make([]byte, 0, 22+len(payload))
	msg = append(msg, 0, 0, 0)
	if from.Addr().Is4() {
		msg = append(msg, socksAtypIPv4)
		v4 := from.Addr().As4()
		msg = append(msg, v4[:]...)
	} else {
		msg = append(msg, socksAtypIPv6)
		v6 := from.Addr().As16()
		msg = append(msg, v6[:]...)
	}
	msg = binary.BigEndian.AppendUint16(msg, from.Port())
	a.send(append(msg, payload...), client)
}

// send writes one datagram from the relay and counts it. The count goes up
// before the write so that anyone who has seen the answer to a datagram also
// sees it counted; a failed write takes it back.
func (a *udpAssociation) send(d []byte, to netip.AddrPort) {
	proxyStats.udpDatagrams.Add(1)
	if _, err := a.relay.WriteToUDPAddrPort(d, to); err != nil {
		proxyStats.udpDatagrams.Add(-1)
	}
}

// parseSocksUDP reads RSV RSV FRAG ATYP DST.ADDR DST.PORT DATA; ok is false
// for a fragment (FRAG != 0) or a malformed header.
func parseSocksUDP(d []byte) (host string, port int, payload []byte, ok bool) {
	if len(d) < 4 || d[0] != 0 || d[1] != 0 || d[2] != 0 {
		return "", 0, nil, false
	}
	rest := d[4:]
	switch d[3] {
	case socksAtypIPv4:
		if len(rest) < net.IPv4len+2 {
			return "", 0, nil, false
		}
		host, rest = net.IP(rest[:net.IPv4len]).String(), rest[net.IPv4len:]
	case socksAtypIPv6:
		if len(rest) < net.IPv6len+2 {
			return "", 0, nil, false
		}
		host, rest = net.IP(rest[:net.IPv6len]).String(), rest[net.IPv6len:]
	case socksAtypDomain:
		if len(rest) < 1 || len(rest) < 1+int(rest[0])+2 || rest[0] == 0 {
			return "", 0, nil, false
		}
		host, rest = string(rest[1:1+int(rest[0])]), rest[1+int(rest[0]):]
	default:
		return "", 0, nil, false
	}
	port = int(binary.BigEndian.Uint16(rest))
	if port == 0 {
		return "", 0, nil, false
	}
	return host, port, rest[2:], true
}
