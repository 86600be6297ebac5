package main

import (
	"testing"

	"httpcloakpy/internal/wire"
)

func TestDropHeadersRemovesPresetAndRequestHeaders(t *testing.T) {
	sess := newTestSession(t, `{"preset":"chrome-latest"}`)
	raw := `{"method":"GET","url":"https://h/","headers":[["x-mine","1"],["Sec-Fetch-User","?0"]],"drop_headers":["SEC-FETCH-USER","upgrade-insecure-requests"]}`
	spec, err := parseRequest([]byte(raw), nil, false, sess)
	if err != nil {
		t.Fatal(err)
	}
	for _, name := range []string{"sec-fetch-user", "upgrade-insecure-requests"} {
		if v, ok := wire.HeaderValue(spec.Headers, name); ok {
			t.Errorf("%s still sent: %q", name, v)
		}
	}
	if _, ok := wire.HeaderValue(spec.Headers, "sec-fetch-dest"); !ok {
		t.Error("an undropped preset header went missing")
	}
	if v, _ := wire.HeaderValue(spec.Headers, "x-mine"); v != "1" {
		t.Errorf("x-mine = %q", v)
	}
	for _, bad := range []string{`[""]`, `["a b"]`, `["x:y"]`, `"x"`, `[1]`} {
		if _, err := parseRequest([]byte(`{"method":"GET","url":"https://h/","drop_headers":`+bad+`}`), nil, false, sess); err == nil {
			t.Errorf("drop_headers %s accepted", bad)
		}
	}
}
