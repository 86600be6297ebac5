package main

import (
	"net"
	"sync"
)

// trackedListener counts connections for /stats and gives each one a connInfo.
type trackedListener struct {
	net.Listener
	name     string
	counters *listenerCounters
}

func newTrackedListener(inner net.Listener, name string) *trackedListener {
	return &trackedListener{Listener: inner, name: name, counters: connCounters[name]}
}

func (l *trackedListener) Accept() (net.Conn, error) {
	c, err := l.Listener.Accept()
	if err != nil {
		return nil, err
	}
	l.counters.accepted.Add(1)
	l.counters.open.Add(1)
	tc := &trackedConn{Conn: c, counters: l.counters}
	tc.info = &connInfo{id: nextConnID(), listener: l.name, raw: tc}
	captureOpened(tc.info)
	return tc, nil
}

// trackedConn is a TCP connection that decrements the open counter once on
// close and lets one observer see the bytes read (ClientHello capture or the
// HTTP/1 header-order sniffer).
type trackedConn struct {
	net.Conn
	counters  *listenerCounters
	info      *connInfo
	onRead    func([]byte)
	closeOnce sync.Once
}

func (c *trackedConn) Read(p []byte) (int, error) {
	n, err := c.Conn.Read(p)
	if n > 0 && c.onRead != nil {
		c.onRead(p[:n])
	}
	return n, err
}

func (c *trackedConn) Close() error {
	err := net.ErrClosed
	c.closeOnce.Do(func() {
		c.counters.open.Add(-1)
		err = c.Conn.Close()
		captureClosed(c.info)
	})
	return err
}

// handoffListener feeds connections that were accepted (and TLS-handshaken)
// elsewhere into an http.Server.
type handoffListener struct {
	addr   net.Addr
	conns  chan net.Conn
	done   chan struct{}
	closed sync.Once
}

func newHandoffListener(addr net.Addr) *handoffListener {
	return &handoffListener{addr: addr, conns: make(chan net.Conn), done: make(chan struct{})}
}

// push hands c to the server, or closes it if the listener is gone.
func (l *handoffListener) push(c net.Conn) {
	select {
	case l.conns <- c:
	case <-l.done:
		c.Close()
	}
}

func (l *handoffListener) Accept() (net.Conn, error) {
	select {
	case c := <-l.conns:
		return c, nil
	case <-l.done:
		return nil, net.ErrClosed
	}
}

func (l *handoffListener) Close() error {
	l.closed.Do(func() { close(l.done) })
	return nil
}

func (l *handoffListener) Addr() net.Addr { return l.addr }
