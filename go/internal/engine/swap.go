package engine

import (
	"context"
	"io"
	"sync"
	"time"

	"httpcloakpy/internal/errs"
	"httpcloakpy/internal/ticketcache"
)

// Swappable lets a session change its proxy or drop its connections while streams
// are open: new requests take the current engine; a replaced engine keeps serving the
// exchanges it started and is closed once the last of their bodies is closed.
type Swappable struct {
	mu      sync.Mutex
	current *leasedEngine
	closed  bool
}

type leasedEngine struct {
	Engine
	mu      sync.Mutex
	active  int
	retired bool
	closed  bool
}

// retiredLinger closes a retired engine's pool once more after its last body closed, for
// a connection that went back to the idle pool just after the close call.
const retiredLinger = time.Second

func NewSwappable(e Engine) *Swappable {
	return &Swappable{current: &leasedEngine{Engine: e}}
}

func (s *Swappable) PresetHeaders() [][2]string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.current.PresetHeaders()
}

func (s *Swappable) WaitsInSlices(req *Request) bool {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.current.WaitsInSlices(req)
}

// Swap installs next and retires the engine it replaces; after close it refuses.
func (s *Swappable) Swap(next Engine) error {
	s.mu.Lock()
	if s.closed {
		s.mu.Unlock()
		next.Close()
		return errs.ErrSessionClosed
	}
	old := s.current
	s.current = &leasedEngine{Engine: next}
	s.mu.Unlock()
	old.retire()
	return nil
}

// TicketStore is the current engine's TLS session cache (rebuilds keep the same one).
func (s *Swappable) TicketStore() *ticketcache.Cache {
	s.mu.Lock()
	defer s.mu.Unlock()
	if keeper, ok := s.current.Engine.(TicketKeeper); ok {
		return keeper.TicketStore()
	}
	return nil
}

func (s *Swappable) Close() {
	s.mu.Lock()
	s.closed = true
	cur := s.current
	s.mu.Unlock()
	cur.retire()
	cur.shut()
}

func (s *Swappable) RoundTrip(ctx context.Context, req *Request) (*Response, error) {
	s.mu.Lock()
	lease := s.current
	lease.acquire()
	s.mu.Unlock()
	resp, err := lease.RoundTrip(ctx, req)
	if err != nil {
		lease.release()
		return nil, err
	}
	resp.Body = &leasedBody{ReadCloser: resp.Body, lease: lease}
	return resp, nil
}

func (l *leasedEngine) acquire() {
	l.mu.Lock()
	l.active++
	l.mu.Unlock()
}

func (l *leasedEngine) release() {
	l.mu.Lock()
	l.active--
	done := l.retired && l.active == 0
	l.mu.Unlock()
	if done {
		l.shut()
		time.AfterFunc(retiredLinger, l.Engine.Close)
	}
}

// retire stops the engine from taking new work; it closes now if nothing is in flight.
func (l *leasedEngine) retire() {
	l.mu.Lock()
	l.retired = true
	idle := l.active == 0
	l.mu.Unlock()
	if idle {
		l.shut()
	}
}

func (l *leasedEngine) shut() {
	l.mu.Lock()
	if l.closed {
		l.mu.Unlock()
		return
	}
	l.closed = true
	l.mu.Unlock()
	l.Engine.Close()
}

// leasedBody returns its engine lease when closed, once.
type leasedBody struct {
	io.ReadCloser
	lease *leasedEngine
	once  sync.Once
}

func (b *leasedBody) Close() error {
	err := b.ReadCloser.Close()
	b.once.Do(b.lease.release)
	return err
}
