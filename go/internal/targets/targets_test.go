package targets

import (
	"context"
	"net/netip"
	"net/url"
	"testing"
)

func TestTargetPatterns(t *testing.T) {
	g, err := NewGuard([]string{"example.com:443", "*.example.org:*", "[::FFFF:1.2.3.4]:80", "*:8443"}, true)
	if err != nil {
		t.Fatal(err)
	}
	for target, want := range map[string]bool{
		"example.com:443": true, "EXAMPLE.com.:443": true, "example.com:80": false,
		"a.example.org:1": true, "a.b.example.org:2": true, "example.org:1": false, "badexample.org:1": false,
		"1.2.3.4:80": true, "1.2.3.4:81": false, "anything:8443": true,
	} {
		host, port := splitTarget(t, target)
		if got := g.Check(context.Background(), host, port, nil) == nil; got != want {
			t.Errorf("%s allowed = %v, want %v", target, got, want)
		}
	}
	for _, bad := range []string{"example.com", ":80", "a*b.com:80", "*.*.com:80", "x:0", "x:65536", "x:port"} {
		if _, err := NewGuard([]string{bad}, false); err == nil {
			t.Errorf("pattern %q accepted", bad)
		}
	}
}

func splitTarget(t *testing.T, target string) (string, int) {
	u, err := url.Parse("//" + target)
	if err != nil {
		t.Fatal(err)
	}
	port := 0
	for _, c := range u.Port() {
		port = port*10 + int(c-'0')
	}
	return u.Hostname(), port
}

func TestPrivateAddresses(t *testing.T) {
	for _, private := range []string{
		"127.0.0.1", "127.9.9.9", "::1", "10.0.0.1", "172.16.0.1", "192.168.1.1", "fd00::1",
		"169.254.169.254", "fe80::1", "0.0.0.0", "0.1.2.3", "::", "100.64.0.1", "198.18.0.1",
		"224.0.0.1", "ff02::1", "255.255.255.255", "::ffff:127.0.0.1", "64:ff9b::7f00:1", "fec0::1",
	} {
		if !privateAddress(netip.MustParseAddr(private)) {
			t.Errorf("%s counted as public", private)
		}
	}
	for _, public := range []string{"1.1.1.1", "93.184.216.34", "2606:4700::1111", "64:ff9b::101:101"} {
		if privateAddress(netip.MustParseAddr(public)) {
			t.Errorf("%s counted as private", public)
		}
	}
}
