package main

import (
	"net/url"
	"strconv"
	"testing"
)

func mustURL(t *testing.T, raw string) *url.URL {
	t.Helper()
	u, err := url.Parse(raw)
	if err != nil {
		t.Fatal(err)
	}
	return u
}

func TestJarFollowsDomainAndPathRules(t *testing.T) {
	j := newCookieJar()
	j.storeFromResponse(mustURL(t, "https://www.example.com/a/b"), [][2]string{
		{"set-cookie", "host=1"},                            // host-only, default path /a
		{"set-cookie", "dom=2; Domain=example.com; Path=/"}, // domain cookie
		{"set-cookie", "deep=3; Path=/a/b"},
		{"set-cookie", "sec=4; Secure; Path=/"},
		{"set-cookie", "other=5; Domain=other.com"}, // another site: refused
		{"set-cookie", "tld=6; Domain=com"},         // a whole TLD: refused
	})
	for raw, want := range map[string]string{
		"https://www.example.com/a/b/c": "deep=3; host=1; dom=2; sec=4",
		"https://www.example.com/a":     "host=1; dom=2; sec=4",
		"https://www.example.com/ab":    "dom=2; sec=4",
		"http://www.example.com/a":      "host=1; dom=2",
		"https://sub.example.com/a":     "dom=2",
		"https://other.com/":            "",
	} {
		if got := j.header(mustURL(t, raw)); got != want {
			t.Errorf("%s: Cookie %q, want %q", raw, got, want)
		}
	}
}

func TestJarDeletesOnExpiryAndRefusesSecureFromHTTP(t *testing.T) {
	j := newCookieJar()
	u := mustURL(t, "http://127.0.0.1/")
	j.storeFromResponse(u, [][2]string{{"set-cookie", "a=1"}, {"set-cookie", "s=1; Secure"}})
	if got := j.header(u); got != "a=1" {
		t.Fatalf("Cookie %q, want a=1", got)
	}
	j.storeFromResponse(u, [][2]string{{"set-cookie", "a=; Max-Age=0"}})
	if got := j.header(u); got != "" {
		t.Fatalf("expired cookie still sent: %q", got)
	}
}

func TestJarEvictsTheOldestBeyondItsLimit(t *testing.T) {
	j := newCookieJar()
	u := mustURL(t, "http://127.0.0.1/")
	for i := 0; i <= maxCookies; i++ {
		j.storeFromResponse(u, [][2]string{{"set-cookie", "c" + strconv.Itoa(i) + "=1"}})
	}
	all := j.list(nil)
	if len(all) != maxCookies || all[0].Name != "c1" {
		t.Fatalf("jar holds %d cookies, first %q; want %d, first c1", len(all), all[0].Name, maxCookies)
	}
}

func TestDisabledJarStoresNothing(t *testing.T) {
	j := newCookieJar()
	j.disabled = true
	u := mustURL(t, "http://127.0.0.1/")
	j.storeFromResponse(u, [][2]string{{"set-cookie", "a=1"}})
	if got := j.header(u); got != "" || len(j.list(nil)) != 0 {
		t.Fatalf("disabled jar kept %q", got)
	}
}

func TestTicketCacheInstalls(t *testing.T) {
	eng, err := newEngine(engineConfig{preset: "chrome-latest", verify: true})
	if err != nil {
		t.Fatal(err)
	}
	defer eng.close()
	if eng.(ticketKeeper).ticketStore() == nil {
		t.Fatal("chrome-latest resumes TLS sessions, but no ticket cache was installed")
	}
}
