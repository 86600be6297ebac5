package main

import (
	"encoding/json"
	"sort"
	"strings"
	"sync"
)

// Session operations off the hot path cross the C ABI through one export,
// hc_session_call, as {"op": name, "args": {...}} with a JSON result. Each feature registers
// its operations from its own file (registerCall in an init function), so adding one never
// touches the export layer.

// sessionCall runs one operation. args is the raw "args" object (empty when absent); it is
// decoded strictly with decodeArgs so a misspelt argument is an error, not a default.
type sessionCall func(s *session, args json.RawMessage) (any, error)

var (
	callsMu sync.RWMutex
	calls   = map[string]sessionCall{}
)

func registerCall(op string, fn sessionCall) {
	callsMu.Lock()
	defer callsMu.Unlock()
	if _, dup := calls[op]; dup {
		panic("session call registered twice: " + op)
	}
	calls[op] = fn
}

type callJSON struct {
	Op   string          `json:"op"`
	Args json.RawMessage `json:"args"`
}

// call decodes {"op","args"}, runs the operation and encodes its result.
func (s *session) call(raw []byte) ([]byte, error) {
	var c callJSON
	if err := decodeStrict(raw, &c); err != nil {
		return nil, err
	}
	callsMu.RLock()
	fn, ok := calls[c.Op]
	callsMu.RUnlock()
	if !ok {
		return nil, newError(kindInvalidArgument, "unknown session operation %q (known: %s)", c.Op, knownCalls())
	}
	result, err := fn(s, c.Args)
	if err != nil {
		return nil, err
	}
	data, err := json.Marshal(result)
	if err != nil {
		return nil, newError(kindInternal, "encoding the result of %s: %v", c.Op, err)
	}
	return data, nil
}

// decodeArgs decodes an operation's arguments strictly; absent args decode as {}.
func decodeArgs(args json.RawMessage, into any) error {
	if len(args) == 0 || string(args) == "null" {
		args = json.RawMessage("{}")
	}
	return decodeStrict(args, into)
}

func knownCalls() string {
	callsMu.RLock()
	defer callsMu.RUnlock()
	names := make([]string, 0, len(calls))
	for name := range calls {
		names = append(names, name)
	}
	sort.Strings(names)
	return strings.Join(names, ", ")
}
