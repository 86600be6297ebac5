package engine

import (
	"bufio"
	"net"
	"sync"
	"sync/atomic"
	"time"
)

// h1Conn is one plain HTTP/1.1 connection of h1Exchanges: the socket, its buffered reader
// (bytes the server sent beyond a response stay with the connection) and writer.
type h1Conn struct {
	addr      string
	conn      net.Conn
	counted   *countingReader // under br: how many bytes the server has sent
	br        *bufio.Reader
	bw        *bufio.Writer
	reused    bool        // it carried an exchange before this one
	idleSince time.Time   // when it was last filed as idle (h1Idle.put)
	era       uint64      // h1Idle.era when it was taken or dialled
	polling   atomic.Bool // a wait is in poll(2) on it (h1Conn.poll)
}

// countingReader counts what the connection delivered, so that a failure on a reused
// connection can tell "the server said nothing" (safe to send again) from a broken answer.
type countingReader struct {
	conn net.Conn
	n    int64
	// sliced, while set, reads in conn's place: the head of an answer awaited on the
	// caller's thread (h1Conn.readInSlices).
	sliced func(p []byte) (int, error)
}

func (r *countingReader) Read(p []byte) (n int, err error) {
	if r.sliced != nil {
		n, err = r.sliced(p)
	} else {
		n, err = readAckingFirst(r.conn, p)
	}
	r.n += int64(n)
	return n, err
}

func newH1Conn(addr string, conn net.Conn) *h1Conn {
	counted := &countingReader{conn: conn}
	return &h1Conn{
		addr:    addr,
		conn:    conn,
		counted: counted,
		br:      bufio.NewReaderSize(counted, engineIOBufferSize),
		bw:      bufio.NewWriterSize(conn, 4<<10),
	}
}

// h1Idle keeps the idle connections per origin address, the most recently used last
// (it is the one taken next: its server is the least likely to have closed it).
//
// One idle for engineIdleTimeout is closed at the pool's next use, as urllib3, httpcore
// and curl expire theirs, not by a timer of its own: a pending runtime timer keeps one of
// Go's threads in epoll_wait, woken by every event of every socket, two a request
// (bench/RESULTS.md, session 11).
type h1Idle struct {
	mu    sync.Mutex
	conns map[string][]*h1Conn
	total int
	// era counts closeAll calls: a connection in use across one is closed when its
	// exchange ends, not kept (as fhttp's Transport does after CloseIdleConnections).
	era    uint64
	pruned time.Time // the last pruneLocked that looked
}

// idlePruneEvery is how often the pool's use looks for expired connections of every origin.
const idlePruneEvery = time.Second

// currentEra is the era a connection dialled now belongs to.
func (p *h1Idle) currentEra() uint64 {
	p.mu.Lock()
	defer p.mu.Unlock()
	return p.era
}

// take returns an idle connection to addr that the server has not closed, or nil. One
// whose state cannot be asked (stillOpen) is taken only for a request that may be sent
// again (replayable): if the server closed it, the request goes again on a new one.
func (p *h1Idle) take(addr string, replayable bool) *h1Conn {
	for {
		p.mu.Lock()
		p.pruneLocked(time.Now())
		conns := p.conns[addr]
		if len(conns) == 0 {
			p.mu.Unlock()
			return nil
		}
		pc := conns[len(conns)-1]
		p.setLocked(addr, conns[:len(conns)-1])
		p.total--
		pc.era = p.era
		p.mu.Unlock()
		if time.Since(pc.idleSince) < engineIdleTimeout {
			if open, known := stillOpen(pc.conn); open || (!known && replayable) {
				pc.reused = true
				return pc
			}
		}
		_ = pc.conn.Close() // expired, or the server closed it while idle
	}
}

// put files pc as idle, within the per-origin and overall limits (beyond them the oldest
// goes, as with fhttp's Transport); engineIdleTimeout unused, it expires (h1Idle).
func (p *h1Idle) put(pc *h1Conn) {
	p.mu.Lock()
	defer p.mu.Unlock()
	if pc.era != p.era {
		_ = pc.conn.Close()
		return
	}
	if p.conns == nil {
		p.conns = map[string][]*h1Conn{}
	}
	conns := p.conns[pc.addr]
	if len(conns) >= engineIdleConnsPerHost {
		p.dropLocked(pc.addr, 0)
		conns = p.conns[pc.addr]
	}
	if p.total >= engineMaxIdleConns {
		for addr := range p.conns { // any origin's oldest: the map has no order to prefer
			if len(p.conns[addr]) > 0 {
				p.dropLocked(addr, 0)
				break
			}
		}
		conns = p.conns[pc.addr]
	}
	pc.idleSince = time.Now()
	p.conns[pc.addr] = append(conns, pc)
	p.total++
	p.pruneLocked(pc.idleSince)
}

// pruneLocked closes the connections idle for engineIdleTimeout, of every origin, at most
// once per idlePruneEvery. p.mu is held.
func (p *h1Idle) pruneLocked(now time.Time) {
	if now.Sub(p.pruned) < idlePruneEvery {
		return
	}
	p.pruned = now
	for addr, conns := range p.conns {
		// Oldest first: the expired ones are a prefix.
		for len(conns) > 0 && now.Sub(conns[0].idleSince) >= engineIdleTimeout {
			p.dropLocked(addr, 0)
			conns = p.conns[addr]
		}
	}
}

// dropLocked closes and forgets addr's idle connection at index i; p.mu is held.
func (p *h1Idle) dropLocked(addr string, i int) {
	conns := p.conns[addr]
	pc := conns[i]
	p.setLocked(addr, append(conns[:i:i], conns[i+1:]...))
	p.total--
	_ = pc.conn.Close()
}

// setLocked files addr's idle connections; an origin left with none is forgotten, so a
// long-lived session that visited many hosts keeps no entry per host. p.mu is held.
func (p *h1Idle) setLocked(addr string, conns []*h1Conn) {
	if len(conns) == 0 {
		delete(p.conns, addr)
		return
	}
	p.conns[addr] = conns
}

// closeAll closes every idle connection, and those carrying an exchange once it ends.
func (p *h1Idle) closeAll() {
	p.mu.Lock()
	defer p.mu.Unlock()
	p.era++
	for addr, conns := range p.conns {
		for range conns {
			p.dropLocked(addr, 0)
		}
	}
}
