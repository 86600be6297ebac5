//go:build !windows

package notify

import (
	"errors"
	"syscall"
	"testing"
)

func peekReadable(t *testing.T, fd int) bool {
	t.Helper()
	var b [1]byte
	k, _, err := syscall.Recvfrom(fd, b[:], syscall.MSG_PEEK)
	if errors.Is(err, syscall.EAGAIN) {
		return false
	}
	if err != nil {
		t.Fatalf("peeking at the notifier: %v", err)
	}
	return k > 0
}
