package engine

import (
	"bytes"
	"context"
	"errors"
	"io"
	"net"
	"net/netip"
	"net/url"
	"strings"
	"testing"
	"time"

	"httpcloakpy/internal/errs"
)

// fakeSOCKS5 accepts one control connection, checks user/pass "u"/"p", answers UDP
// ASSOCIATE with reply (0: a relay on 0.0.0.0, the proxy's own host) and hands the
// control connection and relay socket to the test.
func fakeSOCKS5(t *testing.T, reply byte) (string, chan net.Conn, *net.UDPConn) {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { ln.Close() })
	relay, err := net.ListenUDP("udp", &net.UDPAddr{IP: net.IPv4(127, 0, 0, 1)})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { relay.Close() })
	ctrls := make(chan net.Conn, 1)
	go func() {
		c, err := ln.Accept()
		if err != nil {
			return
		}
		want := []byte{5, 2, 0, 2}
		got := make([]byte, len(want))
		if _, err := io.ReadFull(c, got); err != nil || !bytes.Equal(got, want) {
			c.Close()
			return
		}
		c.Write([]byte{5, 2})
		auth := make([]byte, 6) // 01 01 'u' 01 'p' ... (5 bytes)
		if _, err := io.ReadFull(c, auth[:5]); err != nil || string(auth[2]) != "u" || string(auth[4]) != "p" {
			c.Write([]byte{1, 1})
			c.Close()
			return
		}
		c.Write([]byte{1, 0})
		req := make([]byte, 10)
		if _, err := io.ReadFull(c, req); err != nil || req[1] != socksCmdUDP {
			c.Close()
			return
		}
		port := relay.LocalAddr().(*net.UDPAddr).Port
		c.Write([]byte{5, reply, 0, socksAtypV4, 0, 0, 0, 0, byte(port >> 8), byte(port)})
		ctrls <- c
	}()
	return ln.Addr().String(), ctrls, relay
}

func socksUDPTestDialer(t *testing.T, host, user string) *socksUDPDialer {
	u, err := url.Parse("socks5://" + user + "@" + host)
	if err != nil {
		t.Fatal(err)
	}
	return &socksUDPDialer{proxyURL: u}
}

func TestSOCKS5UDPCarriesDatagramsAndFailsWithTheControlConnection(t *testing.T) {
	host, ctrls, relay := fakeSOCKS5(t, 0)
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	conn, err := socksUDPTestDialer(t, host, "u:p").associate(ctx)
	if err != nil {
		t.Fatal(err)
	}
	defer conn.Close()
	ctrl := <-ctrls
	if conn.relay.Port() != uint16(relay.LocalAddr().(*net.UDPAddr).Port) || !conn.relay.Addr().IsLoopback() {
		t.Fatalf("relay %v: a 0.0.0.0 BND.ADDR must mean the proxy's host", conn.relay)
	}

	dst := &net.UDPAddr{IP: net.IPv4(127, 0, 0, 9), Port: 4433}
	if _, err := conn.WriteTo([]byte("quic"), dst); err != nil {
		t.Fatal(err)
	}
	buf := make([]byte, 2048)
	relay.SetReadDeadline(time.Now().Add(5 * time.Second))
	n, client, err := relay.ReadFromUDP(buf)
	if err != nil {
		t.Fatal(err)
	}
	header := appendSocksUDPHeader(nil, netip.MustParseAddrPort("127.0.0.9:4433"))
	if want := append(header, "quic"...); !bytes.Equal(buf[:n], want) {
		t.Fatalf("relay got %x, want %x", buf[:n], want)
	}

	// A stranger's datagram, a fragment and a malformed one are dropped; the reply passes.
	stranger, _ := net.ListenUDP("udp", &net.UDPAddr{IP: net.IPv4(127, 0, 0, 1)})
	defer stranger.Close()
	stranger.WriteToUDP(append(header, "spoof"...), client)
	fragment := append([]byte{0, 0, 1}, header[3:]...)
	relay.WriteToUDP(append(fragment, "frag"...), client)
	relay.WriteToUDP([]byte{0, 0, 0, socksAtypV4, 127}, client)
	relay.WriteToUDP(append(header, "answer"...), client)
	conn.SetReadDeadline(time.Now().Add(5 * time.Second))
	n, from, err := conn.ReadFrom(buf)
	if err != nil || string(buf[:n]) != "answer" || from.String() != "127.0.0.9:4433" {
		t.Fatalf("read %q from %v, err %v", buf[:n], from, err)
	}

	// The proxy drops the control connection: reads fail at once, as a proxy error.
	ctrl.Close()
	conn.SetReadDeadline(time.Now().Add(5 * time.Second))
	_, _, err = conn.ReadFrom(buf)
	var viaProxy *errs.ProxyError
	if !errors.As(err, &viaProxy) || !errors.Is(err, errAssociationClosed) {
		t.Fatalf("read after the control connection closed: %v", err)
	}
	if !conn.failed() {
		t.Fatal("the association is not marked failed")
	}
}

func TestSOCKS5UDPRefusalsAreProxyErrorsWithTheReason(t *testing.T) {
	host, _, _ := fakeSOCKS5(t, 0x07)
	_, err := socksUDPTestDialer(t, host, "u:p").associate(context.Background())
	var viaProxy *errs.ProxyError
	if !errors.As(err, &viaProxy) || !strings.Contains(err.Error(), "command not supported") {
		t.Fatalf("err %v", err)
	}
	if errs.Classify(err, nil, "connect").Kind != errs.KindProxy {
		t.Fatal("not kindProxy")
	}

	host, _, _ = fakeSOCKS5(t, 0)
	_, err = socksUDPTestDialer(t, host, "u:wrong").associate(context.Background())
	if !errors.As(err, &viaProxy) || !strings.Contains(err.Error(), "authentication failed") {
		t.Fatalf("err %v", err)
	}
}

func TestUDPProxyOptions(t *testing.T) {
	cases := []struct {
		opts    NetOptions
		proxy   string
		version string
		match   string
	}{
		{NetOptions{UDPProxy: "http://h:1"}, "", "h3", "HTTP CONNECT"},
		{NetOptions{UDPProxy: "socks5://h:1"}, "", "auto", "only to http_version"},
		{NetOptions{UDPProxy: "socks5://h:1"}, "socks5://g:1", "h3", "not both"},
		{NetOptions{TCPProxy: "socks5://h:1"}, "", "h3", "tcp_proxy"},
	}
	for _, tc := range cases {
		_, _, err := tc.opts.ResolveProxy(tc.proxy, tc.version)
		if err == nil || !strings.Contains(err.Error(), tc.match) {
			t.Errorf("%+v: err %v, want %q", tc.opts, err, tc.match)
		}
	}
	tcp, udp, err := (&NetOptions{UDPProxy: "socks5h://u:p@h:1"}).ResolveProxy("", "h3")
	if err != nil || tcp != "" || udp != "socks5h://u:p@h:1" {
		t.Fatalf("%q %q %v", tcp, udp, err)
	}
}
