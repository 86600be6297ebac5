package echdns

import (
	"slices"
	"testing"

	"golang.org/x/net/dns/dnsmessage"
)

func TestNormaliseServer(t *testing.T) {
	for in, want := range map[string]string{
		"10.0.0.53": "10.0.0.53:53", "10.0.0.53:5353": "10.0.0.53:5353",
		"::1": "[::1]:53", "[::1]:5353": "[::1]:5353", " 1.1.1.1 ": "1.1.1.1:53",
	} {
		if got, err := normaliseServer(in); err != nil || got != want {
			t.Errorf("normaliseServer(%q) = %q, %v; want %q", in, got, err, want)
		}
	}
	for _, bad := range []string{"", "dns.google", "dns.google:53", "1.1.1.1:0", "1.1.1.1:70000"} {
		if _, err := normaliseServer(bad); err == nil {
			t.Errorf("normaliseServer(%q) accepted", bad)
		}
	}
}

func TestResolvConfNameservers(t *testing.T) {
	conf := "# comment\nsearch example.com\nnameserver 10.0.0.1\nnameserver fe80::1%eth0\nnameserver bogus\n"
	if got := resolvConfServers(conf); !slices.Equal(got, []string{"10.0.0.1:53", "[fe80::1]:53"}) {
		t.Fatalf("resolvConfServers() = %v", got)
	}
}

func TestSystemServersWithoutResolvConfAreNone(t *testing.T) {
	old := resolvConf
	resolvConf = "/nonexistent/resolv.conf"
	defer func() { resolvConf = old }()
	if got := systemServers(); got != nil {
		t.Fatalf("systemServers() = %v", got)
	}
}

// An answer to another query (another ID or name) is not ours: the lookup keeps waiting.
func TestParseAnswerIgnoresOtherQueries(t *testing.T) {
	name := dnsmessage.MustNewName("a.example.")
	query, err := buildQuery(7, name)
	if err != nil {
		t.Fatal(err)
	}
	answer := append([]byte(nil), query...)
	answer[2] |= 0x80 // QR: a response, no records
	if configs, _, err := parseAnswer(answer, 7, name); err != nil || configs != nil {
		t.Fatalf("empty answer: %v, %v", configs, err)
	}
	if _, _, err := parseAnswer(answer, 8, name); err != errBadAnswer {
		t.Fatalf("another ID: %v", err)
	}
	if _, _, err := parseAnswer(answer, 7, dnsmessage.MustNewName("b.example.")); err != errBadAnswer {
		t.Fatalf("another name: %v", err)
	}
	if _, _, err := parseAnswer(query, 7, name); err != errBadAnswer {
		t.Fatalf("a query, not a response: %v", err)
	}
}
