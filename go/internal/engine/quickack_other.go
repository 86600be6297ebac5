//go:build unix && !linux

package engine

// ackNow: TCP_QUICKACK is Linux's; elsewhere the kernel's own delayed-ACK rules stand.
func ackNow(int) {}
