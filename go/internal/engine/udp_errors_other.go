//go:build !linux

package engine

import "net"

// reportUnreachable: elsewhere the connection learns of a vanished server by its idle
// timeout (see the Linux version).
func reportUnreachable(*net.UDPConn) {}
