package main

import (
	"encoding/hex"
	"net"
	"strings"
	"sync"
	"syscall"
)

// The HTTP/3 capture sees QUIC from below: capturingPacketConn sits between
// quic-go and the UDP socket and keeps every datagram a client connection
// sends (bounded), and quicKeyLog keeps the TLS secrets crypto/tls logs, so
// the record (quic_record.go) can decrypt the Initial packets with the keys
// their DCID gives and the 1-RTT packets with the logged traffic secret.

const (
	maxQUICCaptureBytes     = 1 << 20
	maxQUICCaptureDatagrams = 4096
)

// quicCapture is one client connection's datagrams, as received.
type quicCapture struct {
	mu        sync.Mutex
	datagrams [][]byte
	bytes     int
	truncated bool
}

func (c *quicCapture) add(p []byte) {
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.truncated {
		return
	}
	if len(c.datagrams) >= maxQUICCaptureDatagrams || c.bytes+len(p) > maxQUICCaptureBytes {
		c.truncated = true
		return
	}
	c.datagrams = append(c.datagrams, append([]byte(nil), p...))
	c.bytes += len(p)
}

func (c *quicCapture) snapshot() ([][]byte, bool) {
	c.mu.Lock()
	defer c.mu.Unlock()
	return append([][]byte(nil), c.datagrams...), c.truncated
}

// capturingPacketConn hands datagrams to quic-go after noting them under
// the sender's address. A client Initial from an address without a capture
// starts one; the connection's context end removes it (forget).
// It offers net.PacketConn only (not ReadMsgUDP, or quic-go would read past
// ReadFrom), plus the socket calls quic-go uses to size buffers and set DF.
type capturingPacketConn struct {
	net.PacketConn
	udp    *net.UDPConn
	mu     sync.Mutex
	byAddr map[string]*quicCapture
}

func newCapturingPacketConn(udp *net.UDPConn) *capturingPacketConn {
	return &capturingPacketConn{PacketConn: udp, udp: udp, byAddr: map[string]*quicCapture{}}
}

func (c *capturingPacketConn) SetReadBuffer(n int) error             { return c.udp.SetReadBuffer(n) }
func (c *capturingPacketConn) SetWriteBuffer(n int) error            { return c.udp.SetWriteBuffer(n) }
func (c *capturingPacketConn) SyscallConn() (syscall.RawConn, error) { return c.udp.SyscallConn() }

// maxTrackedQUICAddrs bounds captures whose connection never started.
const maxTrackedQUICAddrs = 4096

func (c *capturingPacketConn) ReadFrom(p []byte) (int, net.Addr, error) {
	n, addr, err := c.PacketConn.ReadFrom(p)
	if n > 0 && addr != nil {
		c.observe(p[:n], addr.String())
	}
	return n, addr, err
}

func (c *capturingPacketConn) observe(p []byte, addr string) {
	c.mu.Lock()
	capture := c.byAddr[addr]
	if capture == nil && isClientInitialV1(p) {
		if len(c.byAddr) >= maxTrackedQUICAddrs {
			c.byAddr = map[string]*quicCapture{}
		}
		capture = &quicCapture{}
		c.byAddr[addr] = capture
	}
	c.mu.Unlock()
	if capture != nil {
		capture.add(p)
	}
}

// lookup returns the capture of the connection from addr.
func (c *capturingPacketConn) lookup(addr net.Addr) *quicCapture {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.byAddr[addr.String()]
}

// forget drops addr's capture once its connection is over, so a new
// connection from the same port starts afresh.
func (c *capturingPacketConn) forget(addr net.Addr, capture *quicCapture) {
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.byAddr[addr.String()] == capture {
		delete(c.byAddr, addr.String())
	}
}

// isClientInitialV1: long header, fixed bit, type Initial, version 1.
func isClientInitialV1(p []byte) bool {
	return len(p) >= 5 && p[0]&0xf0 == 0xc0 && p[1] == 0 && p[2] == 0 && p[3] == 0 && p[4] == 1
}

// connKeyLog is the tls.Config.KeyLogWriter of one HTTP/3 connection: it
// keeps the secrets crypto/tls logs (NSS key log lines) on its connInfo.
type connKeyLog struct{ info *connInfo }

func (k connKeyLog) Write(line []byte) (int, error) {
	fields := strings.Fields(string(line))
	if len(fields) == 3 {
		if secret, err := hex.DecodeString(fields[2]); err == nil {
			k.info.mu.Lock()
			if k.info.quicSecrets == nil {
				k.info.quicSecrets = map[string][]byte{}
			}
			k.info.quicSecrets[fields[0]] = secret
			k.info.mu.Unlock()
		}
	}
	return len(line), nil
}
