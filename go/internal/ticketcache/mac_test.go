package ticketcache

import (
	"encoding/json"
	"strings"
	"testing"
)

func TestEntryMACBindsKeyAndContent(t *testing.T) {
	secret := []byte("0123456789abcdef")
	v := sharedTicketValue{Ticket: []byte("ticket"), State: []byte("state"), CreatedAt: 42}
	v.MAC = entryMAC(secret, "k1", v)
	if !entryAuthentic(secret, "k1", v) {
		t.Fatal("a genuine entry was refused")
	}
	moved, changed, unsigned := v, v, v
	changed.State = []byte("other")
	unsigned.MAC = nil
	for name, ok := range map[string]bool{
		"another key":          entryAuthentic(secret, "k2", moved),
		"another HMAC key":     entryAuthentic([]byte("fedcba9876543210"), "k1", v),
		"changed state":        entryAuthentic(secret, "k1", changed),
		"no mac":               entryAuthentic(secret, "k1", unsigned),
		"ticket/state shifted": entryAuthentic(secret, "k1", sharedTicketValue{Ticket: []byte("ticketstate"), State: nil, CreatedAt: 42, MAC: v.MAC}),
	} {
		if ok {
			t.Errorf("%s: accepted", name)
		}
	}
	raw, _ := json.Marshal(unsigned)
	if _, err := decodeSharedTicket("k1", raw, secret); err == nil || !strings.Contains(err.Error(), "failed authentication") {
		t.Fatalf("an unsigned value decoded: %v", err)
	}
}
