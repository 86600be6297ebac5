package main

import (
	"bufio"
	"encoding/binary"
	"errors"
	"io"
	"net"
	"syscall"
	"time"
)

// SOCKS5 (RFC 1928) with username/password authentication (RFC 1929).
// CONNECT and UDP ASSOCIATE (proxy_socks5_udp.go) are supported, to loopback
// targets only.

const (
	socksVersion     = 0x05
	socksAuthVersion = 0x01
	socksMethodUser  = 0x02
	socksNoMethod    = 0xff
	socksCmdConnect  = 0x01
	socksCmdUDP      = 0x03
	socksAtypIPv4    = 0x01
	socksAtypDomain  = 0x03
	socksAtypIPv6    = 0x04
)

// Reply codes (RFC 1928 section 6).
const (
	socksSucceeded        = 0x00
	socksGeneralFailure   = 0x01
	socksNotAllowed       = 0x02
	socksHostUnreachable  = 0x04
	socksConnRefused      = 0x05
	socksCmdNotSupported  = 0x07
	socksAtypNotSupported = 0x08
)

// socksHandshakeTimeout bounds the negotiation only; tunnels have no timeout.
const socksHandshakeTimeout = 10 * time.Second

func handleSOCKS5Conn(c net.Conn) {
	br := bufio.NewReader(c)
	c.SetDeadline(time.Now().Add(socksHandshakeTimeout))
	if !socksAuthenticate(c, br) {
		return
	}
	cmd, host, port, reply := socksReadRequest(br)
	if reply != socksSucceeded {
		socksReply(c, reply, nil)
		return
	}
	if cmd == socksCmdUDP {
		socksUDPAssociate(c, br) // host and port: the client's hint, ignored
		return
	}
	conn, err := dialLoopback(host, port)
	if err != nil {
		socksReply(c, socksDialReply(err), nil)
		return
	}
	if socksReply(c, socksSucceeded, conn.LocalAddr()) != nil {
		conn.Close()
		return
	}
	c.SetDeadline(time.Time{})
	proxyStats.socks5.Add(1)
	tunnel(c, br, conn, conn)
}

// socksAuthenticate negotiates username/password and checks it. A client
// that does not offer that method counts as an auth failure too.
func socksAuthenticate(c net.Conn, br *bufio.Reader) bool {
	var greeting [2]byte
	if _, err := io.ReadFull(br, greeting[:]); err != nil || greeting[0] != socksVersion {
		return false
	}
	methods := make([]byte, greeting[1])
	if _, err := io.ReadFull(br, methods); err != nil {
		return false
	}
	offered := false
	for _, m := range methods {
		offered = offered || m == socksMethodUser
	}
	if !offered {
		proxyStats.authFailures.Add(1)
		c.Write([]byte{socksVersion, socksNoMethod})
		return false
	}
	if _, err := c.Write([]byte{socksVersion, socksMethodUser}); err != nil {
		return false
	}
	// RFC 1929: VER ULEN UNAME PLEN PASSWD
	user, err1 := socksReadAuthField(br, true)
	password, err2 := socksReadAuthField(br, false)
	if err1 != nil || err2 != nil {
		return false
	}
	if !proxyCredentialsOK(user, password) {
		proxyStats.authFailures.Add(1)
		c.Write([]byte{socksAuthVersion, 0x01})
		return false
	}
	_, err := c.Write([]byte{socksAuthVersion, 0x00})
	return err == nil
}

// socksReadAuthField reads a length-prefixed string, preceded by the
// subnegotiation version byte for the first field.
func socksReadAuthField(br *bufio.Reader, withVersion bool) (string, error) {
	if withVersion {
		if v, err := br.ReadByte(); err != nil || v != socksAuthVersion {
			return "", errors.New("bad auth version")
		}
	}
	n, err := br.ReadByte()
	if err != nil {
		return "", err
	}
	field := make([]byte, n)
	_, err = io.ReadFull(br, field)
	return string(field), err
}

// socksReadRequest parses VER CMD RSV ATYP DST.ADDR DST.PORT.
func socksReadRequest(br *bufio.Reader) (cmd byte, host string, port int, reply byte) {
	var hdr [4]byte
	if _, err := io.ReadFull(br, hdr[:]); err != nil || hdr[0] != socksVersion {
		return 0, "", 0, socksGeneralFailure
	}
	var addr []byte
	switch hdr[3] {
	case socksAtypIPv4:
		addr = make([]byte, net.IPv4len)
	case socksAtypIPv6:
		addr = make([]byte, net.IPv6len)
	case socksAtypDomain:
		n, err := br.ReadByte()
		if err != nil {
			return 0, "", 0, socksGeneralFailure
		}
		addr = make([]byte, n)
	default:
		return 0, "", 0, socksAtypNotSupported
	}
	var portBytes [2]byte
	if _, err := io.ReadFull(br, addr); err != nil {
		return 0, "", 0, socksGeneralFailure
	}
	if _, err := io.ReadFull(br, portBytes[:]); err != nil {
		return 0, "", 0, socksGeneralFailure
	}
	// The command is checked after reading the whole request, so the
	// reply is not sent while the client is still writing.
	if hdr[1] != socksCmdConnect && hdr[1] != socksCmdUDP {
		return 0, "", 0, socksCmdNotSupported
	}
	host = string(addr)
	if hdr[3] != socksAtypDomain {
		host = net.IP(addr).String()
	}
	return hdr[1], host, int(binary.BigEndian.Uint16(portBytes[:])), socksSucceeded
}

// socksReply sends VER REP RSV ATYP BND.ADDR BND.PORT; failures carry
// 0.0.0.0:0.
func socksReply(c net.Conn, code byte, bound net.Addr) error {
	ip, port := net.IPv4zero.To4(), 0
	switch a := bound.(type) {
	case *net.TCPAddr:
		ip, port = a.IP, a.Port
	case *net.UDPAddr:
		ip, port = a.IP, a.Port
	}
	msg := []byte{socksVersion, code, 0x00, socksAtypIPv4}
	if ip4 := ip.To4(); ip4 != nil {
		msg = append(msg, ip4...)
	} else {
		msg[3] = socksAtypIPv6
		msg = append(msg, ip.To16()...)
	}
	msg = binary.BigEndian.AppendUint16(msg, uint16(port))
	_, err := c.Write(msg)
	return err
}

func socksDialReply(err error) byte {
	var netErr net.Error
	switch {
	case errors.Is(err, errTargetNotAllowed):
		return socksNotAllowed
	case errors.Is(err, syscall.ECONNREFUSED):
		return socksConnRefused
	case errors.As(err, &netErr) && netErr.Timeout(), errors.Is(err, syscall.EHOSTUNREACH), errors.Is(err, syscall.ENETUNREACH):
		return socksHostUnreachable
	}
	return socksGeneralFailure
}
