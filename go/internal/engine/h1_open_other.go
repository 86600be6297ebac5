//go:build !unix

package engine

import "net"

// Without a non-blocking peek to tell whether the server closed an idle connection, plain
// HTTP/1.1 stays with fhttp's Transport, which learns it from a read loop per connection.
const h1ExchangesHere = false

func stillOpen(net.Conn) (open, known bool) { return false, false }
