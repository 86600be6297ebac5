//go:build unix

package engine

import (
	"errors"
	"io"
	"net"
	"os"
	"syscall"
	"time"

	"httpcloakpy/internal/wake"

	"golang.org/x/sys/unix"
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

// pollReadable waits up to timeout (< 0: without a limit) for conn to have something to
// read (or to fail), in poll(2) on the calling thread: when the answer comes, the kernel
// wakes this thread itself, where Go's poller would wake one of its own threads to hand
// the goroutine back to this one (a locked thread: a caller's). polled is false for a
// connection that is not a socket; the caller then waits with a read deadline instead. A
// close from another thread meanwhile takes effect once the poll returns (Go defers it),
// within the timeout.
func pollReadable(conn net.Conn, timeout time.Duration) (readable, polled bool, err error) {
	return pollSocket(conn, timeout, false)
}

// pollMoreBody is pollReadable for the rest of a body the server is sending: before it
// sleeps, the acknowledgement of what was read goes out (ackNow), so the server is not
// held by our delayed ACK. When bytes are there already it costs no more than
// pollReadable: one poll(2).
func pollMoreBody(conn net.Conn, timeout time.Duration) (readable, polled bool, err error) {
	return pollSocket(conn, timeout, true)
}

func pollSocket(conn net.Conn, timeout time.Duration, ackFirst bool) (readable, polled bool, err error) {
	sc, ok := conn.(syscall.Conn)
	if !ok {
		return false, false, nil
	}
	raw, err := sc.SyscallConn()
	if err != nil {
		return false, true, err
	}
	ms := wake.PollMillis(timeout)
	readErr := raw.Read(func(fd uintptr) bool {
		fds := []unix.PollFd{{Fd: int32(fd), Events: unix.POLLIN}}
		if ackFirst && ms != 0 {
			if n, _ := unix.Poll(fds, 0); n > 0 {
				readable = true
				return true
			}
			ackNow(int(fd))
		}
		n, perr := unix.Poll(fds, ms)
		if perr != nil && !errors.Is(perr, unix.EINTR) {
			err = perr
		}
		readable = n > 0
		return true
	})
	if err == nil {
		err = readErr
	}
	return readable, true, err
}

// readAckingFirst is conn.Read, except that a read about to wait in Go's poller for bytes
// that have not come first sends the acknowledgement of what was read (ackNow, as
// pollMoreBody does on a caller's thread). Its errors are conn.Read's.
func readAckingFirst(conn net.Conn, p []byte) (int, error) {
	sc, ok := conn.(syscall.Conn)
	if !ok || len(p) == 0 {
		return conn.Read(p)
	}
	raw, err := sc.SyscallConn()
	if err != nil {
		return conn.Read(p)
	}
	var (
		n       int
		readErr error
		acked   bool
	)
	err = raw.Read(func(fd uintptr) bool {
		for {
			n, readErr = syscall.Read(int(fd), p)
			if !errors.Is(readErr, syscall.EINTR) {
				break
			}
		}
		if errors.Is(readErr, syscall.EAGAIN) {
			if !acked {
				ackNow(int(fd))
				acked = true
			}
			return false // wait in Go's poller, then read again
		}
		return true
	})
	switch {
	case err != nil:
		var op *net.OpError
		if errors.As(err, &op) {
			op.Op = "read" // as conn.Read names it, not "raw-read"
		}
		return 0, err
	case readErr != nil:
		return 0, &net.OpError{Op: "read", Net: conn.LocalAddr().Network(), Source: conn.LocalAddr(),
			Addr: conn.RemoteAddr(), Err: os.NewSyscallError("read", readErr)}
	case n == 0:
		return 0, io.EOF
	}
	return n, nil
}
