package errs

import (
	"syscall"

	"golang.org/x/sys/windows"
)

// Winsock's numbers for the same errors: syscall.ECONNRESET and friends are invented
// numbers on Windows that no socket call returns, and errors.Is does not map between them.
var (
	resetErrnos   = []error{syscall.ECONNRESET, windows.WSAECONNRESET, windows.WSAECONNABORTED}
	refusedErrnos = []error{syscall.ECONNREFUSED, windows.WSAECONNREFUSED,
		windows.WSAEHOSTUNREACH, windows.WSAENETUNREACH}
)
