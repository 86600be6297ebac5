//go:build unix

package engine

import (
	"errors"
	"net"
	"syscall"
)

// Plain HTTP/1.1 is exchanged by h1Exchanges where stillOpen can ask the socket.
const h1ExchangesHere = true

// stillOpen reports whether an idle connection can carry a request: the server has
// neither closed it nor sent anything unasked. fhttp's Transport learns this from the read
// loop it keeps on every idle connection; here one non-blocking peek asks the socket.
// known is false for a connection that is not a socket (a tunnel through a TLS proxy).
func stillOpen(conn net.Conn) (open, known bool) {
	sc, ok := conn.(syscall.Conn)
	if !ok {
		return false, false
	}
	raw, err := sc.SyscallConn()
	if err != nil {
		return false, true
	}
	var probe [1]byte
	if err := raw.Read(func(fd uintptr) bool {
		_, _, err := syscall.Recvfrom(int(fd), probe[:], syscall.MSG_PEEK|syscall.MSG_DONTWAIT)
		open = errors.Is(err, syscall.EAGAIN) // nothing to read: quiet and open
		return true
	}); err != nil {
		return false, true
	}
	return open, true
}
