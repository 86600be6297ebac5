package jar

import (
	"fmt"
	"net/url"
	"strconv"
	"strings"
	"testing"
	"time"

	"httpcloakpy/internal/errs"
)

func mustURL(t testing.TB, raw string) *url.URL {
	t.Helper()
	u, err := url.Parse(raw)
	if err != nil {
		t.Fatal(err)
	}
	return u
}

// receive stores Set-Cookie lines as a response to raw would.
func receive(t testing.TB, j *Jar, raw string, lines ...string) {
	t.Helper()
	headers := make([][2]string, len(lines))
	for i, line := range lines {
		headers[i] = [2]string{"set-cookie", line}
	}
	j.StoreFromResponse(mustURL(t, raw), headers)
}

func TestJarFollowsDomainAndPathRules(t *testing.T) {
	j := New()
	receive(t, j, "https://www.example.com/a/b",
		"host=1",                            // host-only, default path /a
		"dom=2; Domain=example.com; Path=/", // domain cookie
		"deep=3; Path=/a/b",
		"sec=4; Secure; Path=/",
		"other=5; Domain=other.com", // another site: refused
		"tld=6; Domain=com",         // a whole TLD: refused
	)
	for raw, want := range map[string]string{
		"https://www.example.com/a/b/c": "deep=3; host=1; dom=2; sec=4",
		"https://www.example.com/a":     "host=1; dom=2; sec=4",
		"https://www.example.com/ab":    "dom=2; sec=4",
		"http://www.example.com/a":      "host=1; dom=2",
		"https://sub.example.com/a":     "dom=2",
		"https://other.com/":            "",
	} {
		if got := j.Header(mustURL(t, raw)); got != want {
			t.Errorf("%s: Cookie %q, want %q", raw, got, want)
		}
	}
}

func TestCookieDomainFollowsRFC6265bisAndThePublicSuffixList(t *testing.T) {
	for _, tc := range []struct {
		host, attribute string
		domain          string // "" when refused
		hostOnly        bool
	}{
		{"www.example.com", "", "www.example.com", true},
		{"www.example.com", "example.com", "example.com", false},
		{"www.example.com", ".Example.COM", "example.com", false},
		{"www.example.com", "www.example.com", "www.example.com", false}, // Domain=host: a domain cookie
		{"www.example.com", "sub.www.example.com", "", false},            // not a parent
		{"www.example.com", "other.com", "", false},
		{"www.example.com", "ample.com", "", false},
		{"www.example.com", "com", "", false},
		{"evil.co.uk", "co.uk", "", false}, // public suffix (ICANN section)
		{"evil.co.uk", "evil.co.uk", "evil.co.uk", false},
		{"a.b.evil.co.uk", "evil.co.uk", "evil.co.uk", false},
		{"co.uk", "co.uk", "co.uk", true},                  // a public suffix host: host-only
		{"me.github.io", "github.io", "", false},           // public suffix (private section)
		{"b.s3.amazonaws.com", "amazonaws.com", "", false}, // above a private suffix
		{"127.0.0.1", "127.0.0.1", "127.0.0.1", true},
		{"127.0.0.1", "0.0.1", "", false},
		{"::1", "::1", "::1", true},
		{"localhost", "localhost", "localhost", true},
		{"a.localhost", "localhost", "", false},
		{"shop.example", "shop.example", "shop.example", false},
	} {
		domain, hostOnly, ok := cookieDomain(tc.host, tc.attribute)
		if !ok {
			domain = ""
		}
		if domain != tc.domain || ok && hostOnly != tc.hostOnly {
			t.Errorf("from %s, Domain=%s: got %q host-only=%v, want %q host-only=%v",
				tc.host, tc.attribute, domain, hostOnly, tc.domain, tc.hostOnly)
		}
	}
}

func TestDomainEqualToTheHostReachesSubdomains(t *testing.T) {
	j := New()
	receive(t, j, "http://shop.example/", "d=1; Domain=shop.example", "h=2")
	if got := j.Header(mustURL(t, "http://sub.shop.example/")); got != "d=1" {
		t.Fatalf("sub.shop.example gets %q, want d=1", got)
	}
	// A host-only and a domain cookie of the same name are two cookies, as in browsers.
	receive(t, j, "http://shop.example/", "d=host")
	if got := j.Header(mustURL(t, "http://shop.example/")); got != "d=1; h=2; d=host" {
		t.Fatalf("shop.example gets %q", got)
	}
}

func TestPlainHTTPLeavesSecureCookiesAlone(t *testing.T) {
	const site = "www.example.com"
	for _, tc := range []struct {
		name         string
		secure, over string // Set-Cookie from https://site/, then from over
		want         string // Cookie header on https://site/login/x
	}{
		{"overwrite", "sid=s; Secure; Path=/", "http://" + site + "/|sid=evil; Path=/", "sid=s"},
		{"delete", "sid=s; Secure; Path=/", "http://" + site + "/|sid=; Max-Age=0; Path=/", "sid=s"},
		{"delete with Expires", "sid=s; Secure; Path=/", "http://" + site + "/|sid=; Expires=Thu, 01 Jan 1970 00:00:00 GMT; Path=/", "sid=s"},
		{"shadow under its path", "sid=s; Secure; Path=/login", "http://" + site + "/|sid=evil; Path=/login/x", "sid=s"},
		{"from a subdomain", "sid=s; Secure; Domain=example.com; Path=/", "http://a." + site + "/|sid=evil; Domain=" + site + "; Path=/", "sid=s"},
		{"from the parent domain", "sid=s; Secure; Path=/", "http://example.com/|sid=evil; Domain=example.com; Path=/", "sid=s"},
		{"a shorter path is another cookie", "sid=s; Secure; Path=/login", "http://" + site + "/|sid=other; Path=/", "sid=s; sid=other"},
		{"another name", "sid=s; Secure; Path=/", "http://" + site + "/|x=1; Path=/", "sid=s; x=1"},
		{"https may overwrite", "sid=s; Secure; Path=/", "https://" + site + "/|sid=new; Path=/", "sid=new"},
		{"https may delete", "sid=s; Secure; Path=/", "https://" + site + "/|sid=; Max-Age=0; Path=/", ""},
	} {
		t.Run(tc.name, func(t *testing.T) {
			j := New()
			receive(t, j, "https://"+site+"/", tc.secure)
			from, line, _ := strings.Cut(tc.over, "|")
			receive(t, j, from, line)
			if got := j.Header(mustURL(t, "https://"+site+"/login/x")); got != tc.want {
				t.Fatalf("Cookie %q, want %q", got, tc.want)
			}
		})
	}
}

func TestACookieNoLongerSecureCanBeReplacedOverHTTP(t *testing.T) {
	j := New()
	receive(t, j, "https://example.com/", "sid=s; Secure; Path=/")
	receive(t, j, "https://example.com/", "sid=n; Path=/") // https made it non-secure
	receive(t, j, "http://example.com/", "sid=h; Path=/")
	if got := j.Header(mustURL(t, "http://example.com/")); got != "sid=h" {
		t.Fatalf("Cookie %q, want sid=h", got)
	}
	if n := len(j.sites["example.com"].secureNames); n != 0 {
		t.Fatalf("%d Secure names still counted", n)
	}
}

func TestJarDeletesOnExpiryAndRefusesSecureFromHTTP(t *testing.T) {
	j := New()
	receive(t, j, "http://127.0.0.1/", "a=1", "s=1; Secure")
	u := mustURL(t, "http://127.0.0.1/")
	if got := j.Header(u); got != "a=1" {
		t.Fatalf("Cookie %q, want a=1", got)
	}
	receive(t, j, "http://127.0.0.1/", "a=; Max-Age=0")
	if got := j.Header(u); got != "" || j.count != 0 {
		t.Fatalf("expired cookie still sent: %q (%d stored)", got, j.count)
	}
}

func cookieLines(prefix string, n int, attributes string) []string {
	lines := make([]string, n)
	for i := range lines {
		lines[i] = prefix + strconv.Itoa(i) + "=1" + attributes
	}
	return lines
}

func namesFor(t *testing.T, j *Jar, raw string) map[string]bool {
	names := map[string]bool{}
	for _, c := range j.List(mustURL(t, raw)) {
		names[c.Name] = true
	}
	return names
}

func TestOneSiteCannotEvictAnother(t *testing.T) {
	j := New()
	receive(t, j, "https://bank.example/", cookieLines("b", 20, "")...)
	// The flood comes from many hosts of one site: they share its cap.
	for i := 0; i < 20; i++ {
		receive(t, j, fmt.Sprintf("https://h%d.evil.example/", i), cookieLines(fmt.Sprintf("e%d_", i), 200, "; Domain=evil.example")...)
	}
	if got := len(namesFor(t, j, "https://bank.example/")); got != 20 {
		t.Fatalf("bank.example kept %d of its 20 cookies", got)
	}
	evil := namesFor(t, j, "https://evil.example/")
	if len(evil) < keepCookiesPerSite || len(evil) > maxCookiesPerSite || !evil["e19_199"] || evil["e0_0"] {
		t.Fatalf("evil.example holds %d cookies (newest kept: %v, oldest gone: %v)", len(evil), evil["e19_199"], !evil["e0_0"])
	}
	if j.count != 20+len(evil) {
		t.Fatalf("count %d, want %d", j.count, 20+len(evil))
	}
}

func TestSiteTrimTakesNonSecureThenLeastRecentlyUsed(t *testing.T) {
	j := New()
	receive(t, j, "https://a.example/", "used=1; Path=/used") // the oldest, but sent below
	receive(t, j, "https://a.example/", cookieLines("s", 20, "; Secure")...)
	receive(t, j, "https://a.example/", cookieLines("n", 150, "; Path=/other")...)
	j.Header(mustURL(t, "https://a.example/used"))
	receive(t, j, "https://a.example/", cookieLines("m", 10, "")...) // 181: trim to 150
	if j.count != keepCookiesPerSite {
		t.Fatalf("site holds %d cookies, want %d", j.count, keepCookiesPerSite)
	}
	kept := namesFor(t, j, "https://a.example/used")
	for i := 0; i < 20; i++ {
		if !kept["s"+strconv.Itoa(i)] {
			t.Fatalf("secure cookie s%d evicted before non-secure ones", i)
		}
	}
	other := namesFor(t, j, "https://a.example/other")
	if !kept["used"] || !kept["m9"] || other["n30"] || !other["n31"] {
		t.Fatalf("used=%v m9=%v n30=%v n31=%v; want the 31 least recently used non-secure gone",
			kept["used"], kept["m9"], other["n30"], other["n31"])
	}
}

func TestWholeJarIsCappedLeastRecentlyUsedFirst(t *testing.T) {
	j := New()
	receive(t, j, "https://first.example/", "keep=1")
	for i := 0; i < 40; i++ {
		receive(t, j, fmt.Sprintf("https://s%d.example/", i), cookieLines("c", 100, "")...)
		j.Header(mustURL(t, "https://first.example/")) // first.example stays in use
	}
	if j.count > maxCookies || j.count < keepCookies {
		t.Fatalf("jar holds %d cookies, want %d..%d", j.count, keepCookies, maxCookies)
	}
	if got := j.Header(mustURL(t, "https://first.example/")); got != "keep=1" {
		t.Fatalf("a cookie in use was evicted: %q", got)
	}
	if len(namesFor(t, j, "https://s0.example/")) != 0 || len(namesFor(t, j, "https://s39.example/")) != 100 {
		t.Fatal("the global trim did not take the least recently used site first")
	}
}

func TestAFloodOfSetCookieKeepsTheCap(t *testing.T) {
	j := New()
	receive(t, j, "http://127.0.0.1/", cookieLines("c", 100_000, "")...)
	names := namesFor(t, j, "http://127.0.0.1/")
	if len(names) > maxCookiesPerSite || !names["c99999"] {
		t.Fatalf("127.0.0.1 holds %d cookies after a flood (newest kept: %v)", len(names), names["c99999"])
	}
}

// BenchmarkSetCookieFlood: one response with 100k Set-Cookie (issue #11 asks < 1 s).
func BenchmarkSetCookieFlood(b *testing.B) {
	lines := cookieLines("c", 100_000, "; Path=/")
	headers := make([][2]string, len(lines))
	for i, line := range lines {
		headers[i] = [2]string{"set-cookie", line}
	}
	u := mustURL(b, "http://127.0.0.1/")
	for b.Loop() {
		New().StoreFromResponse(u, headers)
	}
}

func TestEntryFromJSONRefusesWhatCannotBeStored(t *testing.T) {
	good := Cookie{Name: "n", Value: "v", Domain: "example.com", Path: "/"}
	for _, tc := range []struct {
		what string
		edit func(*Cookie)
	}{
		{"NUL in domain", func(c *Cookie) { c.Domain = "exa\x00mple.com" }},
		{"trailing NUL in domain", func(c *Cookie) { c.Domain = "example.com\x00" }},
		{"control in domain", func(c *Cookie) { c.Domain = "a\x01.com" }},
		{"DEL in domain", func(c *Cookie) { c.Domain = "a.com\x7f" }},
		{"space in domain", func(c *Cookie) { c.Domain = "a b.com" }},
		{"URL in domain", func(c *Cookie) { c.Domain = "a.com/x" }},
		{"port in domain", func(c *Cookie) { c.Domain = "a.com:80" }},
		{"empty label", func(c *Cookie) { c.Domain = "a..com" }},
		{"a lone dot for a domain", func(c *Cookie) { c.Domain = "." }},
		{"long label", func(c *Cookie) { c.Domain = strings.Repeat("a", 64) + ".com" }},
		{"public suffix", func(c *Cookie) { c.Domain = ".co.uk" }},
		{"top-level domain", func(c *Cookie) { c.Domain = ".com" }},
		{"private suffix", func(c *Cookie) { c.Domain = ".github.io" }},
		{"domain cookie for an IP", func(c *Cookie) { c.Domain = ".127.0.0.1" }},
		{"NUL in name", func(c *Cookie) { c.Name = "n\x00" }},
		{"NUL in value", func(c *Cookie) { c.Value = "v\x00" }},
		{"control in value", func(c *Cookie) { c.Value = "v\x1f" }},
		{"NUL in path", func(c *Cookie) { c.Path = "/\x00" }},
		{"relative path", func(c *Cookie) { c.Path = "p" }},
	} {
		c := good
		tc.edit(&c)
		if _, err := NewEntry(c); err == nil || err.(*errs.Error).Kind != errs.KindInvalidArgument {
			t.Errorf("%s: %#v accepted (err %v)", tc.what, c, err)
		}
	}
	for _, domain := range []string{"example.com", ".example.com", "co.uk", "localhost", "127.0.0.1", "::1", "bücher.de", "_srv.example.com"} {
		c := good
		c.Domain = domain
		if _, err := NewEntry(c); err != nil {
			t.Errorf("domain %q refused: %v", domain, err)
		}
	}
}

func TestDisabledJarStoresNothing(t *testing.T) {
	j := New()
	j.Disabled = true
	receive(t, j, "http://127.0.0.1/", "a=1")
	if got := j.Header(mustURL(t, "http://127.0.0.1/")); got != "" || len(j.List(nil)) != 0 {
		t.Fatalf("disabled jar kept %q", got)
	}
}

// A cookie the user sets without a domain goes to every host (the upstream binding's
// set_cookie(name, value)), over every scheme unless Secure, within its path; listing
// shows it with an empty domain, and removing it by name alone works.
func TestACookieWithoutDomainGoesToEveryHost(t *testing.T) {
	j := New()
	for _, c := range []Cookie{
		{Name: "any", Value: "1"},
		{Name: "sec", Value: "2", Secure: true},
		{Name: "deep", Value: "3", Path: "/a"},
		{Name: "site", Value: "4", Domain: "example.com"},
	} {
		e, err := NewEntry(c)
		if err != nil {
			t.Fatalf("%s: %v", c.Name, err)
		}
		j.Put(e, time.Now())
	}
	for _, tc := range []struct{ url, want string }{
		{"https://example.com/a/b", "deep=3; any=1; sec=2; site=4"},
		{"http://127.0.0.1/", "any=1"},
		{"https://other.org/x", "any=1; sec=2"},
		{"http://[::1]:8080/a", "deep=3; any=1"},
	} {
		if got := j.Header(mustURL(t, tc.url)); got != tc.want {
			t.Errorf("%s: Cookie %q, want %q", tc.url, got, tc.want)
		}
	}
	if got := j.List(nil)[0]; got.Domain != "" || got.Name != "any" {
		t.Errorf("listed as %+v, want domain \"\"", got)
	}
	if n := j.Remove("any", nil, nil); n != 1 || j.Header(mustURL(t, "http://x.test/")) != "" {
		t.Errorf("Remove took %d, left %q", n, j.Header(mustURL(t, "http://x.test/")))
	}
	for _, bad := range []string{".", "a b"} {
		if _, err := NewEntry(Cookie{Name: "n", Value: "v", Domain: bad}); err == nil {
			t.Errorf("domain %q accepted", bad)
		}
	}
}
