package wire

import (
	"reflect"
	"testing"
)

func TestMergeHeadersKeepsBaseOrderAndOverrides(t *testing.T) {
	base := [][2]string{{"user-agent", "ua"}, {"accept", "*/*"}, {"accept-language", "en"}}
	extra := [][2]string{{"Accept", "text/html"}, {"x-new", "1"}, {"x-new", "2"}}
	got := MergeHeaders(base, extra)
	want := [][2]string{{"user-agent", "ua"}, {"Accept", "text/html"}, {"accept-language", "en"}, {"x-new", "1"}, {"x-new", "2"}}
	if !reflect.DeepEqual(got, want) {
		t.Fatalf("mergeHeaders = %v, want %v", got, want)
	}
}

func TestValidateHeadersRefusesInjection(t *testing.T) {
	for _, bad := range [][2]string{{"x", "a\r\nb: c"}, {"x", "a\nb"}, {"x", "nul\x00"}, {"x", "soh\x01"}, {"x", "del\x7f"}, {"x", "\x1f"}, {"bad name", "v"}, {"", "v"}} {
		if err := ValidateHeaders([][2]string{bad}); err == nil {
			t.Errorf("header %q accepted", bad)
		}
	}
	if err := ValidateHeaders([][2]string{{"x-ok", "tab\tand utf-8 é"}}); err != nil {
		t.Errorf("valid header refused: %v", err)
	}
}
