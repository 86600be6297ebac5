package notify

import (
	"errors"
	"testing"

	"golang.org/x/sys/windows"
)

func peekReadable(t *testing.T, fd int) bool {
	t.Helper()
	var b [1]byte
	k, _, err := windows.Recvfrom(windows.Handle(fd), b[:], windows.MSG_PEEK)
	if errors.Is(err, windows.WSAEWOULDBLOCK) {
		return false
	}
	if err != nil {
		t.Fatalf("peeking at the notifier: %v", err)
	}
	return k > 0
}
