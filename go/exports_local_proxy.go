package main

/*
#include "httpcloak.h"
*/
import "C"

import (
	"unsafe"

	"httpcloakpy/internal/errs"
	"httpcloakpy/internal/localproxy"
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
	opts, err := localProxyOptionsOf(raw)
	if err != nil {
		setError(cerr, err)
		return 0
	}
	p, err := localproxy.Start(opts)
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
	p, ok := localProxies.get(int64(handle))
	if !ok {
		setError(cerr, errs.New(errs.KindClosed, "local proxy %d is closed or unknown", int64(handle)))
		return -1
	}
	return runCall(call, callLen, out, cerr, func(raw []byte) ([]byte, error) { return localProxyOps.run(p, raw) })
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
		setError(cerr, errs.New(errs.KindClosed, "unknown local proxy handle %d", int64(handle)))
		return -1
	}
	p.Close()
	setError(cerr, nil)
	return 0
}
