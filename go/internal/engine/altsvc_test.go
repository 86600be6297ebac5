package engine

import (
	"testing"
	"time"
)

func TestParseAltSvc(t *testing.T) {
	now := time.Unix(1_700_000_000, 0)
	for _, c := range []struct {
		value, addr string
		maxAge      time.Duration
		clear, ok   bool
	}{
		{value: `h3=":443"; ma=86400`, addr: "example.com:443", maxAge: 86400 * time.Second, ok: true},
		{value: `h3-29=":8443", h3=":8443"; ma=60; persist=1`, addr: "example.com:8443", maxAge: time.Minute, ok: true},
		{value: `h3="alt.example.com:9443"`, addr: "alt.example.com:9443", maxAge: altSvcDefaultMaxAge, ok: true},
		{value: `h2=":443", h3="[::1]:4433"; ma="120"`, addr: "[::1]:4433", maxAge: 2 * time.Minute, ok: true},
		{value: `clear`, clear: true},
		{value: `h3-29=":443"`},    // a draft version: not spoken here
		{value: `h3=":443"; ma=0`}, // stale at once
		{value: `h3=":0"`},         // no such port
		{value: `h3=443`},          // not a quoted authority
		{value: `h3="h:1"; x="a,b;c"; ma=5, h3=":443"`, addr: "h:1", maxAge: 5 * time.Second, ok: true}, // separators inside quotes
	} {
		entry, clear, ok := parseAltSvc(c.value, "example.com:443", now)
		if clear != c.clear || ok != c.ok {
			t.Errorf("%q: clear=%v ok=%v, want %v %v", c.value, clear, ok, c.clear, c.ok)
			continue
		}
		if ok && (entry.addr != c.addr || entry.expires != now.Add(c.maxAge)) {
			t.Errorf("%q: %s until %v, want %s after %v", c.value, entry.addr, entry.expires.Sub(now), c.addr, c.maxAge)
		}
	}
}

func TestAltSvcCacheExpiresClearsAndBacksOff(t *testing.T) {
	now := time.Unix(1_700_000_000, 0)
	c := newAltSvcCache()
	c.learn("o:443", []string{`h3=":443"; ma=10`}, now)
	if addr, ok := c.lookup("o:443", now); !ok || addr != "o:443" {
		t.Fatalf("lookup = %q %v", addr, ok)
	}
	if _, ok := c.lookup("o:443", now.Add(10*time.Second)); ok {
		t.Fatal("an entry past its ma= is still used")
	}
	c.learn("o:443", []string{`h3=":443"`}, now)
	c.learn("o:443", nil, now) // a response without Alt-Svc changes nothing
	if _, ok := c.lookup("o:443", now); !ok {
		t.Fatal("a response without Alt-Svc dropped the entry")
	}
	c.learn("o:443", []string{"clear"}, now)
	if _, ok := c.lookup("o:443", now); ok {
		t.Fatal("clear kept the entry")
	}
	c.learn("o:443", []string{`h3=":443"`}, now)
	c.markBroken("o:443", now)
	if _, ok := c.lookup("o:443", now.Add(altSvcBrokenFirst-time.Second)); ok {
		t.Fatal("a broken alternative is used within its first period")
	}
	if _, ok := c.lookup("o:443", now.Add(altSvcBrokenFirst)); !ok {
		t.Fatal("a broken alternative is never tried again")
	}
	c.markBroken("o:443", now)
	if _, ok := c.lookup("o:443", now.Add(altSvcBrokenFirst)); ok {
		t.Fatal("the second failure does not double the period")
	}
	c.markWorking("o:443")
	if _, ok := c.lookup("o:443", now); !ok {
		t.Fatal("a working alternative stays broken")
	}
}
