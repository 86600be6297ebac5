package main

/*
#include "httpcloak.h"
*/
import "C"

import (
	"encoding/json"
	"sort"
	"unsafe"
)

// The local proxy's exports: start, one call for everything else, close.

//export hc_local_proxy_start
func hc_local_proxy_start(options *C.char, optionsLen C.int64_t, cerr *C.hc_error) (ret C.int64_t) {
	defer guard(cerr, &ret, 0)
	raw, err := goBytes(unsafe.Pointer(options), optionsLen, "options")
	if err != nil {
		setError(cerr, err)
		return 0
	}
	p, err := startLocalProxy(raw)
	if err != nil {
		setError(cerr, err)
		return 0
	}
	setError(cerr, nil)
	return C.int64_t(localProxies.add(p))
}

//export hc_local_proxy_call
func hc_local_proxy_call(handle C.int64_t, call *C.char, callLen C.int64_t, out **C.char, cerr *C.hc_error) (ret C.int64_t) {
	defer guard(cerr, &ret, -1)
	if out == nil {
		setError(cerr, newError(kindInvalidArgument, "out is NULL"))
		return -1
	}
	raw, err := goBytes(unsafe.Pointer(call), callLen, "call")
	if err != nil {
		setError(cerr, err)
		return -1
	}
	p, ok := localProxies.get(int64(handle))
	if !ok {
		setError(cerr, newError(kindClosed, "local proxy %d is closed or unknown", int64(handle)))
		return -1
	}
	result, err := p.call(raw)
	if err != nil {
		setError(cerr, err)
		return -1
	}
	setError(cerr, nil)
	return handOut(result, out)
}

//export hc_local_proxy_close
func hc_local_proxy_close(handle C.int64_t, cerr *C.hc_error) (ret C.int32_t) {
	defer guard(cerr, &ret, -1)
	p, ok := localProxies.take(int64(handle))
	if !ok {
		if localProxies.issued(int64(handle)) {
			setError(cerr, nil)
			return 0
		}
		setError(cerr, newError(kindClosed, "unknown local proxy handle %d", int64(handle)))
		return -1
	}
	p.close()
	setError(cerr, nil)
	return 0
}

// call runs {"op": "stats" | "register" | "unregister" | "sessions", "args": {...}}.
func (p *localProxy) call(raw []byte) ([]byte, error) {
	var c callJSON
	if err := decodeStrict(raw, &c); err != nil {
		return nil, err
	}
	var result any
	switch c.Op {
	case "stats":
		if err := decodeArgs(c.Args, &struct{}{}); err != nil {
			return nil, err
		}
		result = p.stats()
	case "register":
		var args struct {
			ID      string `json:"session_id"`
			Session int64  `json:"session"`
		}
		if err := decodeArgs(c.Args, &args); err != nil {
			return nil, err
		}
		if err := p.register(args.ID, args.Session); err != nil {
			return nil, err
		}
		result = true
	case "unregister":
		var args struct {
			ID string `json:"session_id"`
		}
		if err := decodeArgs(c.Args, &args); err != nil {
			return nil, err
		}
		result = p.unregister(args.ID)
	case "sessions":
		if err := decodeArgs(c.Args, &struct{}{}); err != nil {
			return nil, err
		}
		names := p.routeNames()
		sort.Strings(names)
		result = names
	default:
		return nil, newError(kindInvalidArgument, "unknown local proxy operation %q (known: register, sessions, stats, unregister)", c.Op)
	}
	data, err := json.Marshal(result)
	if err != nil {
		return nil, newError(kindInternal, "encoding the result of %s: %v", c.Op, err)
	}
	return data, nil
}
