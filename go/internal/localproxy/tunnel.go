package localproxy

import (
	"context"
	"errors"
	"io"
	"net"
	"net/http"
	"os"
	"strconv"
	"sync/atomic"
	"time"

	"httpcloakpy/internal/errs"
	"httpcloakpy/internal/targets"
)

// defaultTunnelIdle ends a CONNECT tunnel nothing crossed for this long: an idle tunnel
// must not hold a max_connections slot forever. Five minutes outlasts the keep-alives of
// anything that means to stay open (WebSocket pings, SSE comments, HTTP/2 PINGs).
const defaultTunnelIdle = 5 * time.Minute

// tunnel carries a CONNECT: bytes both ways until either side ends, or until neither
// side sent anything for the idle timeout.
func (p *Proxy) tunnel(w http.ResponseWriter, r *http.Request) {
	host, portText, err := net.SplitHostPort(r.Host)
	port, _ := strconv.Atoi(portText)
	if err != nil || host == "" || port < 1 || port > 65535 {
		p.refuse(w, http.StatusBadRequest, errs.KindInvalidArgument, "CONNECT needs host:port, got "+r.Host)
		return
	}
	ctx := r.Context()
	if p.timeouts.Connect > 0 {
		var cancel context.CancelFunc
		ctx, cancel = context.WithTimeout(ctx, p.timeouts.Connect)
		defer cancel()
	}
	// A direct dial is checked address by address (DialControl); through an upstream proxy
	// only what the target names can be.
	if err := p.guard.Check(ctx, host, port, nil); err != nil {
		p.refuse(w, http.StatusForbidden, errs.KindInvalidArgument, err.Error())
		return
	}
	dial := p.tunnelDialer
	through := upstreamProxyOf(r)
	if through != "" {
		if status, err := p.checkUpstream(ctx, through); err != nil {
			p.refuseUpstream(w, status, err, through)
			return
		}
		if dial, err = p.upstreamTunnelDialer(through); err != nil {
			p.refuseUpstream(w, 0, err, through)
			return
		}
	}
	upstream, err := dial(targets.WithGuard(ctx, p.guard), "tcp", r.Host)
	if err != nil {
		if targets.IsForbidden(err) {
			p.refuse(w, http.StatusForbidden, errs.KindInvalidArgument, maskProxy(errs.Classify(err, nil, "connect").Error(), through))
			return
		}
		p.refuse(w, http.StatusBadGateway, errs.KindConnect, maskProxy("cannot reach "+r.Host+": "+err.Error(), through))
		return
	}
	defer upstream.Close()
	hijacker, ok := w.(http.Hijacker)
	if !ok {
		p.refuse(w, http.StatusInternalServerError, errs.KindInternal, "connection cannot be taken over")
		return
	}
	client, buffered, err := hijacker.Hijack()
	if err != nil {
		return
	}
	defer client.Close()
	// Written by hand: net/http would add Transfer-Encoding, which a 2xx to CONNECT must
	// not carry (RFC 9110 section 9.3.6).
	if _, err := io.WriteString(client, "HTTP/1.1 200 Connection Established\r\n\r\n"); err != nil {
		return
	}
	if !p.holdTunnel(client, upstream) {
		return
	}
	defer p.releaseTunnel(client, upstream)
	// Bytes the client sent right after CONNECT may already sit in the reader.
	if early, _ := buffered.Reader.Peek(buffered.Reader.Buffered()); len(early) > 0 {
		if _, err := upstream.Write(early); err != nil {
			return
		}
	}
	idle := &tunnelIdle{limit: p.tunnelIdle}
	idle.touch()
	done := make(chan struct{}, 2)
	carry := func(dst, src net.Conn) {
		if err := idle.relay(dst, src); err != nil {
			// Timed out or broken: end both directions, not just this one.
			_ = client.Close()
			_ = upstream.Close()
		} else {
			closeWrite(dst)
		}
		done <- struct{}{}
	}
	go carry(upstream, client)
	go carry(client, upstream)
	<-done
	<-done
}

// tunnelIdle is one tunnel's idle clock, shared by its two directions: a read that times
// out while the other direction is busy goes on waiting.
type tunnelIdle struct {
	limit time.Duration // 0: no limit
	last  atomic.Int64  // unix nanoseconds of the last byte, either way
}

func (t *tunnelIdle) touch() { t.last.Store(time.Now().UnixNano()) }

func (t *tunnelIdle) deadline() time.Time { return time.Unix(0, t.last.Load()).Add(t.limit) }

// relay copies src to dst until src ends (nil), or fails, or the tunnel was idle too long.
func (t *tunnelIdle) relay(dst, src net.Conn) error {
	buf := make([]byte, 32<<10)
	for {
		if t.limit > 0 {
			_ = src.SetReadDeadline(t.deadline())
		}
		n, err := src.Read(buf)
		if n > 0 {
			t.touch()
			if t.limit > 0 {
				_ = dst.SetWriteDeadline(time.Now().Add(t.limit)) // a peer that stops reading
			}
			if _, werr := dst.Write(buf[:n]); werr != nil {
				return werr
			}
			t.touch()
		}
		switch {
		case err == nil:
		case errors.Is(err, io.EOF):
			return nil
		case errors.Is(err, os.ErrDeadlineExceeded) && time.Now().Before(t.deadline()):
			// The other direction kept the tunnel alive: wait on.
		default:
			return err
		}
	}
}

// closeWrite passes an end of stream on while the other direction may still carry data.
func closeWrite(c net.Conn) {
	if halfCloser, ok := c.(interface{ CloseWrite() error }); ok {
		_ = halfCloser.CloseWrite()
		return
	}
	_ = c.Close()
}
