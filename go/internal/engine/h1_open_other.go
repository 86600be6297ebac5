//go:build !unix

package engine

import (
	"net"
	"time"
)

// Without a non-blocking peek to tell whether the server closed an idle connection, plain
// HTTP/1.1 stays with fhttp's Transport, which learns it from a read loop per connection.
const h1ExchangesHere = false

func stillOpen(net.Conn) (open, known bool) { return false, false }

func pollReadable(net.Conn, time.Duration) (readable, polled bool, err error) {
	return false, false, nil
}

func pollMoreBody(net.Conn, time.Duration) (readable, polled bool, err error) {
	return false, false, nil
}

func readAckingFirst(conn net.Conn, p []byte) (int, error) { return conn.Read(p) }
