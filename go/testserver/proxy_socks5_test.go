package main

import (
	"bufio"
	"crypto/tls"
	"encoding/binary"
	"encoding/json"
	"fmt"
	"io"
	"net"
	"net/http"
	"testing"
	"time"
)

// socksTarget is what a SOCKS5 CONNECT asks for: atyp plus address bytes.
type socksTarget struct {
	atyp byte
	addr []byte
	port int
}

func socksIP(ip string, port int) socksTarget {
	parsed := net.ParseIP(ip)
	if v4 := parsed.To4(); v4 != nil {
		return socksTarget{socksAtypIPv4, v4, port}
	}
	return socksTarget{socksAtypIPv6, parsed.To16(), port}
}

func socksDomain(name string, port int) socksTarget {
	return socksTarget{socksAtypDomain, append([]byte{byte(len(name))}, name...), port}
}

// socksDial is a minimal SOCKS5 client. It returns the connection and the
// reply code, or the auth status (with authFailed set) if the
// username/password step was rejected.
func socksDial(t *testing.T, c *testClients, user, password string, cmd byte, target socksTarget) (conn net.Conn, code byte, authFailed bool) {
	t.Helper()
	conn, err := net.Dial("tcp", fmt.Sprintf("127.0.0.1:%d", c.servers.socks5ProxyPort()))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { conn.Close() })
	conn.SetDeadline(time.Now().Add(5 * time.Second))
	must := func(err error) {
		t.Helper()
		if err != nil {
			t.Fatal(err)
		}
	}
	read := func(n int) []byte {
		t.Helper()
		buf := make([]byte, n)
		_, err := io.ReadFull(conn, buf)
		must(err)
		return buf
	}

	_, err = conn.Write([]byte{socksVersion, 1, socksMethodUser})
	must(err)
	if got := read(2); got[1] != socksMethodUser {
		t.Fatalf("method %#x", got[1])
	}
	auth := append([]byte{socksAuthVersion, byte(len(user))}, user...)
	auth = append(append(auth, byte(len(password))), password...)
	_, err = conn.Write(auth)
	must(err)
	if status := read(2)[1]; status != 0 {
		return conn, status, true
	}

	req := append([]byte{socksVersion, cmd, 0, target.atyp}, target.addr...)
	_, err = conn.Write(binary.BigEndian.AppendUint16(req, uint16(target.port)))
	must(err)
	reply := read(4)
	switch reply[3] {
	case socksAtypIPv4:
		read(net.IPv4len + 2)
	case socksAtypIPv6:
		read(net.IPv6len + 2)
	default:
		t.Fatalf("reply atyp %#x", reply[3])
	}
	conn.SetDeadline(time.Time{})
	return conn, reply[1], false
}

func TestSOCKS5ToHTTPAndHTTPS(t *testing.T) {
	c := startTestServers(t)
	before := proxyStats.socks5.Load()

	conn, code, _ := socksDial(t, c, proxyUser, proxyPassword, socksCmdConnect, socksIP("127.0.0.1", c.servers.httpPort()))
	if code != socksSucceeded {
		t.Fatalf("reply %#x", code)
	}
	io.WriteString(conn, "GET /get?via=socks HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n")
	var echo echoReply
	readEcho(t, bufio.NewReader(conn), &echo)
	if echo.Query["via"][0] != "socks" || echo.TLS {
		t.Fatalf("echo %+v", echo)
	}

	conn, code, _ = socksDial(t, c, proxyUser, proxyPassword, socksCmdConnect, socksDomain("localhost", c.servers.httpsPort()))
	if code != socksSucceeded {
		t.Fatalf("reply %#x", code)
	}
	tlsConf := c.h1.Transport.(*http.Transport).TLSClientConfig.Clone()
	tlsConf.ServerName = "localhost"
	tlsConf.NextProtos = []string{"http/1.1"}
	tlsConn := tls.Client(conn, tlsConf)
	io.WriteString(tlsConn, "GET /get HTTP/1.1\r\nHost: localhost\r\n\r\n")
	readEcho(t, bufio.NewReader(tlsConn), &echo)
	if !echo.TLS || echo.Host != "localhost" {
		t.Fatalf("echo %+v", echo)
	}
	if got := proxyStats.socks5.Load() - before; got != 2 {
		t.Fatalf("socks5 grew by %d, want 2", got)
	}
}

func readEcho(t *testing.T, br *bufio.Reader, into *echoReply) {
	t.Helper()
	resp, err := http.ReadResponse(br, nil)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	if err := json.NewDecoder(resp.Body).Decode(into); err != nil || resp.StatusCode != http.StatusOK {
		t.Fatalf("status %d, err %v", resp.StatusCode, err)
	}
}

func TestSOCKS5RejectsBadCredentials(t *testing.T) {
	c := startTestServers(t)
	before := proxyStats.authFailures.Load()
	conn, status, authFailed := socksDial(t, c, proxyUser, "wrong", socksCmdConnect, socksIP("127.0.0.1", c.servers.httpPort()))
	if !authFailed || status != 0x01 {
		t.Fatalf("auth status %#x (failed=%v), want 0x01", status, authFailed)
	}
	if n, err := conn.Read(make([]byte, 1)); err != io.EOF {
		t.Fatalf("connection still open after auth failure: %d, %v", n, err)
	}

	// A client offering no username/password method gets "no acceptable methods".
	conn, err := net.Dial("tcp", fmt.Sprintf("127.0.0.1:%d", c.servers.socks5ProxyPort()))
	if err != nil {
		t.Fatal(err)
	}
	defer conn.Close()
	conn.SetDeadline(time.Now().Add(5 * time.Second))
	conn.Write([]byte{socksVersion, 1, 0x00})
	reply, err := io.ReadAll(conn)
	if err != nil || string(reply) != string([]byte{socksVersion, socksNoMethod}) {
		t.Fatalf("reply %x, err %v", reply, err)
	}
	if got := proxyStats.authFailures.Load() - before; got != 2 {
		t.Fatalf("auth_failures grew by %d, want 2", got)
	}
}

func TestSOCKS5ErrorReplies(t *testing.T) {
	c := startTestServers(t)
	plain := c.servers.httpPort()
	cases := []struct {
		name   string
		cmd    byte
		target socksTarget
		want   byte
	}{
		{"bind", 0x02, socksIP("127.0.0.1", plain), socksCmdNotSupported},
		{"refused", socksCmdConnect, socksIP("127.0.0.1", freePort(t)), socksConnRefused},
		{"refused ipv6", socksCmdConnect, socksIP("::1", freePort(t)), socksConnRefused},
		{"refused localhost", socksCmdConnect, socksDomain("localhost", freePort(t)), socksConnRefused},
		{"non-loopback ipv4", socksCmdConnect, socksIP("10.1.2.3", 80), socksNotAllowed},
		{"non-loopback ipv6", socksCmdConnect, socksIP("2001:db8::1", 80), socksNotAllowed},
		{"unknown name", socksCmdConnect, socksDomain("example.com", 80), socksNotAllowed},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			_, code, _ := socksDial(t, c, proxyUser, proxyPassword, tc.cmd, tc.target)
			if code != tc.want {
				t.Fatalf("reply %#x, want %#x", code, tc.want)
			}
		})
	}
}
