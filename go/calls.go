package main

import (
	"encoding/json"
	"sort"
	"strings"
	"sync"

	"httpcloakpy/internal/errs"
	"httpcloakpy/internal/fingerprint"
	"httpcloakpy/internal/wire"
)

// Operations off the hot path cross the C ABI as {"op": name, "args": {...}} with a JSON
// result, through one export per kind of target: hc_session_call (a session), hc_call
// (process-wide) and hc_local_proxy_call (a local proxy). Each feature registers its
// operations from its own file in an init function, so adding one never touches the
// export layer.

// opRegistry holds the operations on one kind of target.
type opRegistry[T any] struct {
	what string // how errors name an operation: "session operation", ...
	mu   sync.RWMutex
	ops  map[string]func(T, json.RawMessage) (any, error)
}

func newOpRegistry[T any](what string) *opRegistry[T] {
	return &opRegistry[T]{what: what, ops: map[string]func(T, json.RawMessage) (any, error){}}
}

func (r *opRegistry[T]) register(op string, fn func(T, json.RawMessage) (any, error)) {
	r.mu.Lock()
	defer r.mu.Unlock()
	if _, dup := r.ops[op]; dup {
		panic(r.what + " registered twice: " + op)
	}
	r.ops[op] = fn
}

type callJSON struct {
	Op   string          `json:"op"`
	Args json.RawMessage `json:"args"`
}

// run decodes {"op","args"}, runs the operation on target and encodes its result.
func (r *opRegistry[T]) run(target T, raw []byte) ([]byte, error) {
	var c callJSON
	if err := wire.DecodeStrict(raw, &c); err != nil {
		return nil, err
	}
	r.mu.RLock()
	fn, ok := r.ops[c.Op]
	r.mu.RUnlock()
	if !ok {
		return nil, errs.New(errs.KindInvalidArgument, "unknown %s %q (known: %s)", r.what, c.Op, r.known())
	}
	result, err := fn(target, c.Args)
	if err != nil {
		return nil, err
	}
	data, err := json.Marshal(result)
	if err != nil {
		return nil, errs.New(errs.KindInternal, "encoding the result of %s: %v", c.Op, err)
	}
	return data, nil
}

func (r *opRegistry[T]) known() string {
	r.mu.RLock()
	defer r.mu.RUnlock()
	names := make([]string, 0, len(r.ops))
	for name := range r.ops {
		names = append(names, name)
	}
	sort.Strings(names)
	return strings.Join(names, ", ")
}

// decodeArgs decodes an operation's arguments strictly; absent args decode as {}.
func decodeArgs(args json.RawMessage, into any) error {
	if len(args) == 0 || string(args) == "null" {
		args = json.RawMessage("{}")
	}
	return wire.DecodeStrict(args, into)
}

// sessionCall is one operation on a session; args are decoded with decodeArgs.
type sessionCall func(s *session, args json.RawMessage) (any, error)

var sessionCalls = newOpRegistry[*session]("session operation")

func registerCall(op string, fn sessionCall) { sessionCalls.register(op, fn) }

func (s *session) call(raw []byte) ([]byte, error) { return sessionCalls.run(s, raw) }

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
			return nil, errs.New(errs.KindInvalidArgument, "fork needs 1 to %d sessions, got %d", maxForks, a.N)
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

func init() {
	registerProcessCall("session_cache_stats", func(args json.RawMessage) (any, error) {
		if err := decodeArgs(args, &struct{}{}); err != nil {
			return nil, err
		}
		return sessionCacheStatsJSON(sharedSessions.Stats()), nil
	})
}

type registerArgs struct {
	JSON string `json:"json"`
}

type nameArgs struct {
	Name string `json:"name"`
}

func init() {
	registerProcessCall("preset.register", func(args json.RawMessage) (any, error) {
		var a registerArgs
		if err := decodeArgs(args, &a); err != nil {
			return nil, err
		}
		name, err := fingerprint.Register([]byte(a.JSON))
		if err != nil {
			return nil, err
		}
		return nameArgs{Name: name}, nil
	})
	registerProcessCall("preset.unregister", func(args json.RawMessage) (any, error) {
		var a nameArgs
		if err := decodeArgs(args, &a); err != nil {
			return nil, err
		}
		return struct{}{}, fingerprint.Unregister(a.Name)
	})
}
