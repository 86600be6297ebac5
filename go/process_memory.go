package main

import (
	"encoding/json"
	"runtime/debug"
)

func init() {
	// memory.trim: collect, then give freed memory back to the system now (Go returns it
	// lazily), for a worker that finished a batch or a memory-capped container.
	registerProcessCall("memory.trim", func(args json.RawMessage) (any, error) {
		if err := decodeArgs(args, &struct{}{}); err != nil {
			return nil, err
		}
		debug.FreeOSMemory()
		return nil, nil
	})
}
