package main

import (
	"testing"

	"httpcloakpy/internal/errs"
	"httpcloakpy/internal/fingerprint"
	"httpcloakpy/internal/jar"
	"httpcloakpy/internal/wire"
)

// The export layer decodes caller JSON and lengths before anything else; whatever arrives,
// decoding must end in a value or an invalid-argument error, never a panic.

var fuzzSession = &session{jar: jar.New(), headers: newSessionHeaders(mustPreset("chrome-133").Headers, nil), streams: map[*stream]struct{}{}, meta: newSessionMeta()}

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
	})
}

func FuzzRequest(f *testing.F) {
	for _, seed := range []string{`{"method":"GET","url":"http://127.0.0.1/"}`,
		`{"url":"https://[::1]:0/x?y#z","headers":[["x","y\r\n"]],"max_redirects":-1}`,
		`{"url":"","timeout":{"total":1e400}}`, `{"method":"G ET","url":"http://h"}`,
		`{"url":"http://h","timeout":{"connect":NaN}}`} {
		f.Add([]byte(seed), []byte("body"))
	}
	f.Fuzz(func(t *testing.T, raw, body []byte) {
		spec, err := parseRequest(raw, copiedBody(body), len(body)%2 == 0, fuzzSession)
		if err != nil {
			if e, ok := err.(*errs.Error); !ok || e.Kind != errs.KindInvalidArgument {
				t.Fatalf("request error of the wrong kind: %v", err)
			}
			return
		}
		if spec.url == nil || spec.method == "" || spec.maxRedirects < 0 {
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
	sess, err := newSession([]byte(`{}`), sessionServices{})
	if err != nil {
		f.Fatal(err)
	}
	f.Cleanup(sess.close)
	f.Fuzz(func(t *testing.T, raw []byte) {
		var c callJSON
		if wire.DecodeStrict(raw, &c) == nil && c.Op == "session.fork" {
			return // makes sessions: covered by the Python tests
		}
		if _, err := sess.call(raw); err != nil {
			if _, ok := err.(*errs.Error); !ok {
				t.Fatalf("untyped error from %q: %v", raw, err)
			}
		}
	})
}

func mustPreset(name string) fingerprint.Preset {
	p, err := fingerprint.Lookup(name)
	if err != nil {
		panic(err)
	}
	return p
}
