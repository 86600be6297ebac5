package main

import (
	"encoding/json"
	"sort"
	"strings"
	"sync"
)

// Process-wide operations (not tied to a session, e.g. registering a preset) cross the C
// ABI through one export, hc_call, as {"op": name, "args": {...}} with a JSON result,
// mirroring hc_session_call. Features register their operations from their own files.

type processCall func(args json.RawMessage) (any, error)

var (
	processCallsMu sync.RWMutex
	processCalls   = map[string]processCall{}
)

func registerProcessCall(op string, fn processCall) {
	processCallsMu.Lock()
	defer processCallsMu.Unlock()
	if _, dup := processCalls[op]; dup {
		panic("process call registered twice: " + op)
	}
	processCalls[op] = fn
}

// runProcessCall decodes {"op","args"}, runs the operation and encodes its result.
func runProcessCall(raw []byte) ([]byte, error) {
	var c callJSON
	if err := decodeStrict(raw, &c); err != nil {
		return nil, err
	}
	processCallsMu.RLock()
	fn, ok := processCalls[c.Op]
	processCallsMu.RUnlock()
	if !ok {
		return nil, newError(kindInvalidArgument, "unknown operation %q (known: %s)", c.Op, knownProcessCalls())
	}
	result, err := fn(c.Args)
	if err != nil {
		return nil, err
	}
	data, err := json.Marshal(result)
	if err != nil {
		return nil, newError(kindInternal, "encoding the result of %s: %v", c.Op, err)
	}
	return data, nil
}

func knownProcessCalls() string {
	processCallsMu.RLock()
	defer processCallsMu.RUnlock()
	names := make([]string, 0, len(processCalls))
	for name := range processCalls {
		names = append(names, name)
	}
	sort.Strings(names)
	return strings.Join(names, ", ")
}
