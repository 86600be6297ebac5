package main

import (
	"testing"

	"httpcloakpy/internal/body"
	"httpcloakpy/internal/client"
	"httpcloakpy/internal/errs"
	"httpcloakpy/internal/fingerprint"
	"httpcloakpy/internal/wire"
)

// The export layer decodes caller JSON and lengths before anything else; whatever arrives,
// decoding must end in a value or an invalid-argument error, never a panic.

func FuzzSessionOptions(f *testing.F) {
	for _, seed := range []string{`{}`, `{"preset":"chrome-latest","retry":2}`,
		`{"headers":[["a","b"]],"proxy":"socks5://u:p@h:1"}`, `{"verify":false,"ca_file":""}`,
		`[]`, `null`, `{"timeout":{"read":-1}}`, `{"headers":[["a"]]}`, "\x00\xff"} {
		f.Add([]byte(seed))
	}
	f.Fuzz(func(t *testing.T, raw []byte) {
		var opts sessionOptions
		if err := wire.DecodeStrict(raw, &opts); err != nil {
			if e, ok := err.(*errs.Error); !ok || e.Kind != errs.KindInvalidArgument {
				t.Fatalf("decode error of the wrong kind: %v", err)
			}
			return
		}
		_ = wire.ValidateHeaders(opts.Headers)
		_ = wire.ValidateProxy(opts.Proxy)
		_, _ = fingerprint.Lookup(opts.Preset)
		_, _ = sessionOptionsOf(raw)
	})
}

func FuzzRequest(f *testing.F) {
	for _, seed := range []string{`{"method":"GET","url":"http://127.0.0.1/"}`,
		`{"url":"https://[::1]:0/x?y#z","headers":[["x","y\r\n"]],"max_redirects":-1}`,
		`{"url":"","timeout":{"total":1e400}}`, `{"method":"G ET","url":"http://h"}`,
		`{"url":"http://h","timeout":{"connect":NaN}}`} {
		f.Add([]byte(seed), []byte("body"))
	}
	sess := newTestSession(f, `{"preset":"chrome-133"}`)
	f.Fuzz(func(t *testing.T, raw, payload []byte) {
		spec, err := parseRequest(raw, body.Copied(payload), len(payload)%2 == 0, sess)
		if err != nil {
			if e, ok := err.(*errs.Error); !ok || e.Kind != errs.KindInvalidArgument {
				t.Fatalf("request error of the wrong kind: %v", err)
			}
			return
		}
		if spec.URL == nil || spec.Method == "" || spec.MaxRedirects < 0 {
			t.Fatalf("accepted an incomplete request: %+v", spec)
		}
	})
}

// FuzzSessionCall drives hc_session_call's decoding and every registered operation with
// arbitrary JSON on a live session: each ends in a result or a typed error.
func FuzzSessionCall(f *testing.F) {
	for _, seed := range []string{`{"op":"cookies.list"}`, `{"op":"cookies.set","args":{"name":"a","value":"b","domain":"h"}}`,
		`{"op":"cookies.delete","args":{"name":"a"}}`, `{"op":"header_order.set","args":{"order":["a","a"]}}`,
		`{"op":"proxy.set","args":{"proxy":"socks5://u:p@h:1"}}`, `{"op":"udp_proxy.set","args":{"proxy":"socks5://u:p@h:1"}}`, `{"op":"state.import","args":{"cookies":[{}]}}`,
		`{"op":"state.export"}`, `{"op":"nope"}`, `{"op":"cookies.list","args":[]}`, `[]`, "\x00"} {
		f.Add([]byte(seed))
	}
	sess := newTestSession(f, `{}`)
	f.Fuzz(func(t *testing.T, raw []byte) {
		var c callJSON
		if wire.DecodeStrict(raw, &c) == nil && c.Op == "session.fork" {
			return // makes sessions: covered by the Python tests
		}
		if _, err := sessionOps.run(sess, raw); err != nil {
			if _, ok := err.(*errs.Error); !ok {
				t.Fatalf("untyped error from %q: %v", raw, err)
			}
		}
	})
}

// newTestSession makes a session from hc_session_new's JSON options.
func newTestSession(tb testing.TB, raw string) *client.Session {
	tb.Helper()
	opts, err := sessionOptionsOf([]byte(raw))
	if err != nil {
		tb.Fatal(err)
	}
	sess, err := client.NewSession(opts)
	if err != nil {
		tb.Fatal(err)
	}
	tb.Cleanup(sess.Close)
	return sess
}
