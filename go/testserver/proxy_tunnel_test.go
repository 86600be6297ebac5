package main

import (
	"fmt"
	"io"
	"net"
	"net/http"
	"testing"
	"time"
)

// TestTunnelsHalfClose: a client that shuts down its write side still gets
// the reply the target sends after seeing EOF, through both proxies.
func TestTunnelsHalfClose(t *testing.T) {
	c := startTestServers(t)
	target, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer target.Close()
	go func() {
		for {
			conn, err := target.Accept()
			if err != nil {
				return
			}
			go func() {
				defer conn.Close()
				got, _ := io.ReadAll(conn) // until the client's FIN
				conn.Write(append(got, '!'))
			}()
		}
	}()
	port := target.Addr().(*net.TCPAddr).Port

	check := func(t *testing.T, conn net.Conn) {
		conn.SetDeadline(time.Now().Add(5 * time.Second))
		io.WriteString(conn, "ping")
		conn.(*net.TCPConn).CloseWrite()
		reply, err := io.ReadAll(conn)
		if err != nil || string(reply) != "ping!" {
			t.Fatalf("reply %q, err %v", reply, err)
		}
	}
	t.Run("connect", func(t *testing.T) {
		addr := fmt.Sprintf("127.0.0.1:%d", port)
		conn, br, resp := rawProxyRequest(t, c, "CONNECT", "CONNECT "+addr+" HTTP/1.1", "Host: "+addr,
			"Proxy-Authorization: "+proxyAuthHeader(proxyUser, proxyPassword))
		if resp.StatusCode != http.StatusOK || br.Buffered() != 0 {
			t.Fatalf("status %d, %d bytes buffered", resp.StatusCode, br.Buffered())
		}
		check(t, conn)
	})
	t.Run("socks5", func(t *testing.T) {
		conn, code, _ := socksDial(t, c, proxyUser, proxyPassword, socksCmdConnect, socksIP("127.0.0.1", port))
		if code != socksSucceeded {
			t.Fatalf("reply %#x", code)
		}
		check(t, conn)
	})
}
