package engine

import (
	"context"
	"net"
	"strconv"
	"testing"
	"time"
)

// dualListeners listens on 127.0.0.1 and ::1 with the same port, as a dual-stack server.
func dualListeners(t *testing.T) (v4, v6 net.Listener, port string) {
	t.Helper()
	for range 20 {
		l4, err := net.Listen("tcp", "127.0.0.1:0")
		if err != nil {
			t.Fatal(err)
		}
		port = strconv.Itoa(l4.Addr().(*net.TCPAddr).Port)
		l6, err := net.Listen("tcp", net.JoinHostPort("::1", port))
		if err == nil {
			t.Cleanup(func() { _ = l4.Close(); _ = l6.Close() })
			return l4, l6, port
		}
		_ = l4.Close()
	}
	t.Skip("no IPv6 loopback with a free matching port")
	return nil, nil, ""
}

// acceptedOn reports which listener gets each connection.
func acceptedOn(v4, v6 net.Listener) <-chan string {
	got := make(chan string, 4)
	for name, l := range map[string]net.Listener{"v4": v4, "v6": v6} {
		go func() {
			for {
				c, err := l.Accept()
				if err != nil {
					return
				}
				got <- name
				_ = c.Close()
			}
		}()
	}
	return got
}

func TestPreferIPv4DialsTheIPv4AddressOfADualStackName(t *testing.T) {
	v4, v6, port := dualListeners(t)
	got := acceptedOn(v4, v6)
	bothFamilies := func(context.Context, string) ([]net.IPAddr, error) {
		return []net.IPAddr{{IP: net.ParseIP("::1")}, {IP: net.ParseIP("127.0.0.1")}}, nil
	}
	d := newNetDialer(NetConfig{}, nil)
	d.resolve = bothFamilies
	if ips, _, err := d.lookup(context.Background(), "dual.test:"+port); err != nil || !ips[0].Equal(net.ParseIP("::1")) {
		t.Fatalf("without prefer_ipv4 the resolver's order must stay: %v %v", ips, err)
	}
	d = newNetDialer(NetConfig{preferIPv4: true}, nil)
	d.resolve = bothFamilies
	for range 3 {
		conn, err := d.DialContext(context.Background(), "tcp", "dual.test:"+port)
		if err != nil {
			t.Fatal(err)
		}
		_ = conn.Close()
		select {
		case side := <-got:
			if side != "v4" {
				t.Fatalf("prefer_ipv4 dialled %s", side)
			}
		case <-time.After(5 * time.Second):
			t.Fatal("no connection accepted")
		}
	}
	// The IPv6 listener works: the choice was the dialer's.
	conn, err := net.Dial("tcp", net.JoinHostPort("::1", port))
	if err != nil {
		t.Fatal(err)
	}
	_ = conn.Close()
	if side := <-got; side != "v6" {
		t.Fatalf("::1 reached %s", side)
	}
}

func TestConnectToMapping(t *testing.T) {
	m, err := parseConnectTo(map[string]string{
		"A.test":       "127.0.0.1",
		"a.test:8443":  "127.0.0.2:9000",
		"v6.test":      "::1",
		"[::2]:443":    "127.0.0.1:1",
		"other.test:1": "b.test",
	})
	if err != nil {
		t.Fatal(err)
	}
	c := NetConfig{connectTo: m}
	for in, want := range map[string]string{
		"a.test:443":   "127.0.0.1:443",
		"a.test:8443":  "127.0.0.2:9000",
		"v6.test:80":   "[::1]:80",
		"[::2]:443":    "127.0.0.1:1",
		"other.test:1": "b.test:1",
		"other.test:2": "other.test:2",
		"z.test:443":   "z.test:443",
	} {
		if got := c.mapAddress(in); got != want {
			t.Errorf("mapAddress(%q) = %q, want %q", in, got, want)
		}
	}
}

func TestQUICIdleTimeoutReachesTheQUICConfig(t *testing.T) {
	if got := h3QUICConfig(0).MaxIdleTimeout; got != h3IdleTimeout {
		t.Fatalf("default idle timeout %v", got)
	}
	cfg := h3QUICConfig(4 * time.Second)
	if cfg.MaxIdleTimeout != 4*time.Second || cfg.KeepAlivePeriod != 2*time.Second {
		t.Fatalf("idle %v keep-alive %v", cfg.MaxIdleTimeout, cfg.KeepAlivePeriod)
	}
}
