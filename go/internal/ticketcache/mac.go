package ticketcache

// Entry authentication for the shared TLS session store: with a key the user supplies
// (the same in every process of the fleet), each value carries
// "mac": HMAC-SHA256(key, its backend key, ticket, state, created_at), and a value
// without a valid one is refused. A writer without the key cannot plant a session, nor
// move a genuine one to another server's or another trust setting's key.

import (
	"crypto/hmac"
	"crypto/sha256"
	"encoding/binary"
)

// Bounds of a user's HMAC key: shorter is guessable; longer is hashed down anyway.
const (
	MinMACKey = 16
	MaxMACKey = 1024
)

func entryMAC(macKey []byte, key string, v sharedTicketValue) []byte {
	m := hmac.New(sha256.New, macKey)
	m.Write([]byte("httpcloak-session-v1"))
	for _, field := range [][]byte{[]byte(key), v.Ticket, v.State} {
		_ = binary.Write(m, binary.BigEndian, uint32(len(field)))
		m.Write(field)
	}
	_ = binary.Write(m, binary.BigEndian, v.CreatedAt)
	return m.Sum(nil)
}

func entryAuthentic(macKey []byte, key string, v sharedTicketValue) bool {
	return len(v.MAC) > 0 && hmac.Equal(v.MAC, entryMAC(macKey, key, v))
}
