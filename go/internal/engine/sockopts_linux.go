package engine

import (
	"math/bits"
	"os"
	"strconv"
	"strings"
	"syscall"

	"httpcloakpy/internal/errs"
)

func socketOptionsSupported() error { return nil }

// apply sets the options on a socket before connect, so its SYN carries them.
//   - TTL: IP_TTL (IPv6: IPV6_UNICAST_HOPS, the hop limit).
//   - MSS: TCP_MAXSEG, the MSS option of the SYN (and the largest segment sent).
//   - window size: SO_RCVBUF; the SYN then offers that window rounded down to a multiple
//     of the MSS (at least about 1152 bytes, the kernel's smallest buffer), and the buffer
//     stays that size for the connection's life (no receive autotuning).
//   - window scale S: TCP_WINDOW_CLAMP of 65535<<S, the largest window scale S can express;
//     the kernel picks the scale from that clamp, so the SYN carries exactly S.
//   - DF: IP_MTU_DISCOVER "do" (DF set) or "dont" (DF clear); IPv6 packets have no DF bit
//     (routers never fragment them), so there it sets the matching path-MTU policy only.
func (s socketConfig) apply(fd int, network string) error {
	v6 := strings.HasSuffix(network, "6") || network == "tcp" && isV6Socket(fd)
	set := func(what string, level, opt, value int) error {
		if err := syscall.SetsockoptInt(fd, level, opt, value); err != nil {
			return errs.New(errs.KindConnect, "setting %s on the socket: %v", what, err)
		}
		return nil
	}
	if s.ttl != 0 {
		if v6 {
			if err := set("tcp_ttl (IPV6_UNICAST_HOPS)", syscall.IPPROTO_IPV6, syscall.IPV6_UNICAST_HOPS, s.ttl); err != nil {
				return err
			}
		} else if err := set("tcp_ttl (IP_TTL)", syscall.IPPROTO_IP, syscall.IP_TTL, s.ttl); err != nil {
			return err
		}
	}
	if s.mss != 0 {
		if err := set("tcp_mss (TCP_MAXSEG)", syscall.IPPROTO_TCP, syscall.TCP_MAXSEG, s.mss); err != nil {
			return err
		}
	}
	if s.windowSize != 0 {
		if err := set("tcp_window_size (SO_RCVBUF)", syscall.SOL_SOCKET, syscall.SO_RCVBUF, s.windowSize); err != nil {
			return err
		}
	}
	if s.windowScale != nil {
		if err := set("tcp_window_scale (TCP_WINDOW_CLAMP)", syscall.IPPROTO_TCP, syscall.TCP_WINDOW_CLAMP, maxSYNWindow<<*s.windowScale); err != nil {
			return err
		}
	}
	if s.df != nil {
		policy := syscall.IP_PMTUDISC_DONT
		if *s.df {
			policy = syscall.IP_PMTUDISC_DO
		}
		if v6 {
			return set("tcp_df (IPV6_MTU_DISCOVER)", syscall.IPPROTO_IPV6, syscall.IPV6_MTU_DISCOVER, policy)
		}
		return set("tcp_df (IP_MTU_DISCOVER)", syscall.IPPROTO_IP, syscall.IP_MTU_DISCOVER, policy)
	}
	return nil
}

func isV6Socket(fd int) bool {
	sa, err := syscall.Getsockname(fd)
	if err != nil {
		return false
	}
	_, ok := sa.(*syscall.SockaddrInet6)
	return ok
}

// checkWindowScale refuses a scale this machine's kernel will not put in a SYN: it picks
// the scale from the smallest of the window clamp and its largest receive buffer
// (max of net.ipv4.tcp_rmem[2] and net.core.rmem_max), and sends none when
// net.ipv4.tcp_window_scaling is 0.
func checkWindowScale(scale int) error {
	if readSysctl("net/ipv4/tcp_window_scaling") == 0 {
		return errs.New(errs.KindInvalidArgument, "tcp_window_scale: window scaling is off on this machine (net.ipv4.tcp_window_scaling = 0), so no SYN carries a scale")
	}
	largest := max(readSysctl("net/core/rmem_max"), readSysctl("net/ipv4/tcp_rmem"))
	if largest <= 0 {
		return nil // unknown: let the kernel decide
	}
	if most := min(bits.Len64(uint64(largest))-1-15, maxWindowScale); scale > most {
		return errs.New(errs.KindInvalidArgument,
			"tcp_window_scale %d: this kernel offers at most scale %d (it derives the scale from its largest receive buffer, %d bytes: raise net.ipv4.tcp_rmem's maximum or net.core.rmem_max for more)", scale, most, largest)
	}
	return nil
}

// readSysctl is the last number of /proc/sys/<name> (tcp_rmem holds min, default, max);
// -1 when unreadable.
func readSysctl(name string) int64 {
	raw, err := os.ReadFile("/proc/sys/" + name)
	if err != nil {
		return -1
	}
	fields := strings.Fields(string(raw))
	if len(fields) == 0 {
		return -1
	}
	n, err := strconv.ParseInt(fields[len(fields)-1], 10, 64)
	if err != nil {
		return -1
	}
	return n
}
