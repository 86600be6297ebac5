package main

import "encoding/json"

// maxForks bounds one fork call; each fork is a full session with its own connections.
const maxForks = 256

// session.fork makes n sessions like this one, as more tabs of the same browser: the same
// preset, options, headers, header order, retries and proxy, the same cookie jar (shared,
// live), and their own connections. It returns their handles.
func init() {
	registerCall("session.fork", func(s *session, args json.RawMessage) (any, error) {
		var a struct {
			N int `json:"n"`
		}
		if err := decodeArgs(args, &a); err != nil {
			return nil, err
		}
		if a.N < 1 || a.N > maxForks {
			return nil, newError(kindInvalidArgument, "fork needs 1 to %d sessions, got %d", maxForks, a.N)
		}
		handles := make([]int64, 0, a.N)
		for range a.N {
			child, err := s.fork()
			if err != nil {
				for _, h := range handles {
					if sess, ok := sessions.take(h); ok {
						sess.close()
					}
				}
				return nil, err
			}
			handles = append(handles, sessions.add(child))
		}
		return handles, nil
	})
}

func (s *session) fork() (*session, error) {
	s.mu.Lock()
	closed := s.closed
	s.mu.Unlock()
	if closed {
		return nil, errSessionClosed
	}
	s.net.mu.Lock()
	cfg := s.net.cfg
	order := s.net.headerOrder
	s.net.mu.Unlock()
	// The key log file is opened again: each session closes its own.
	if path := cfg.net.keyLogPath; path != "" {
		reopened, err := (&netOptions{KeyLogFile: path}).netConfig(cfg.httpVersion)
		if err != nil {
			return nil, err
		}
		cfg.net.keyLog, cfg.net.keyLogOwner = reopened.keyLog, reopened.keyLogOwner
	}
	eng, err := newEngine(cfg)
	if err != nil {
		cfg.net.close()
		return nil, err
	}
	hidden := append(proxySecrets(cfg.proxy), proxySecrets(cfg.udpProxy)...)
	registerSecrets(hidden)
	swap := newSwappableEngine(eng)
	child := &session{
		secrets: hidden,
		engine:  swap,
		net:     &sessionNet{cfg: cfg, swap: swap, retry: s.net.retry, headerOrder: order},
		jar:     s.jar,
		headers: s.headers.fork(),
		streams: make(map[int64]*stream),
		meta:    newSessionMeta(),
	}
	child.hintsOff.Store(s.hintsOff.Load())
	return child, nil
}
