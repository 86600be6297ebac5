package engine

import "golang.org/x/sys/unix"

// ackNow makes the kernel send the acknowledgement it is holding for what fd received, now
// instead of at the delayed-ACK timer (40 ms). Between a request and its answer the socket
// is in the kernel's interactive mode, where it acknowledges a read of less than one
// segment's size only with the next send or the timer; a server whose send buffer is full
// of those unacknowledged bytes then waits for that timer to send the rest. On loopback a
// segment is 64 KiB, so a 64 KiB body stalled once in ~200 GETs from nginx.
func ackNow(fd int) {
	_ = unix.SetsockoptInt(fd, unix.IPPROTO_TCP, unix.TCP_QUICKACK, 1)
}
