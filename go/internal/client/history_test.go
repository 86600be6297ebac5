package client

import (
	"strings"
	"testing"
)

func TestBoundedHeadersKeepsLocationAndWhatFits(t *testing.T) {
	big := strings.Repeat("x", 100)
	headers := [][2]string{
		{"a", big}, {"location", big}, {"b", "small"}, {"c", big}, {"set-cookie", "k=v"},
	}
	got := boundedHeaders(headers, 230)
	want := [][2]string{{"a", big}, {"location", big}, {"b", "small"}, {"set-cookie", "k=v"}}
	if len(got) != len(want) {
		t.Fatalf("kept %d headers, want %d: %v", len(got), len(want), got)
	}
	for i := range want {
		if got[i] != want[i] {
			t.Fatalf("header %d: got %q, want %q", i, got[i][0], want[i][0])
		}
	}
	if kept := boundedHeaders([][2]string{{"Location", big}}, 10); len(kept) != 1 {
		t.Fatalf("a Location over the budget must stay, got %v", kept)
	}
}
