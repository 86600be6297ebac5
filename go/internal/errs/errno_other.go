//go:build !windows

package errs

import "syscall"

// The system errors that mean a reset connection, and a connection that could not be made.
var (
	resetErrnos   = []error{syscall.ECONNRESET}
	refusedErrnos = []error{syscall.ECONNREFUSED, syscall.EHOSTUNREACH, syscall.ENETUNREACH}
)
