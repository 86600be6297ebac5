package engine

import (
	"net"
	"syscall"
)

// reportUnreachable makes the kernel fail the next read on conn, a UDP socket of one QUIC
// connection, when an ICMP "port unreachable" comes back: the server's QUIC listener is
// gone. Without it an unconnected socket drops the ICMP error and the connection waits
// out its idle timeout (quic_idle_timeout) before a request learns anything; with it quic-go's read
// fails and the connection ends at once. The kernel then reports the other ICMP errors too
// (fragmentation needed for path MTU probes, a router's unreachable): quic-go-utls patch
// 0054 passes over those. Only for a socket of one connection: on a shared one, one dead
// server would end the connections to every other.
func reportUnreachable(conn *net.UDPConn) {
	raw, err := conn.SyscallConn()
	if err != nil {
		return
	}
	_ = raw.Control(func(fd uintptr) {
		if isV6Socket(int(fd)) {
			_ = syscall.SetsockoptInt(int(fd), syscall.IPPROTO_IPV6, syscall.IPV6_RECVERR, 1)
		}
		_ = syscall.SetsockoptInt(int(fd), syscall.IPPROTO_IP, syscall.IP_RECVERR, 1)
	})
}
