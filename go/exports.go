package main

/*
#include <stdlib.h>
#include <string.h>
#include "httpcloak.h"
*/
import "C"

import (
	"bytes"
	"encoding/json"
	"fmt"
	"runtime"
	"time"
	"unsafe"

	"httpcloakpy/internal/errs"
	"httpcloakpy/internal/fingerprint"
)

// Every export is a thin shell: decode C arguments, call the Go side, fill the error
// out-param, and never let a panic cross into C.

const (
	readEOF     = C.HC_READ_EOF
	readError   = C.HC_READ_ERROR
	readPending = C.HC_READ_PENDING
	writeDone   = C.HC_WRITE_RESPONDED
	waitArm     = C.HC_WAIT_ARM

	// Lengths beyond this are refused rather than trusted (JSON options, bodies).
	maxInputLength = 1 << 40
)

// cKinds are the error kinds' numbers in the C ABI (enum hc_kind).
var cKinds = map[errs.Kind]C.int32_t{
	errs.KindInvalidArgument: C.HC_ERR_INVALID_ARGUMENT, errs.KindClosed: C.HC_ERR_CLOSED,
	errs.KindDNS: C.HC_ERR_DNS, errs.KindConnect: C.HC_ERR_CONNECT, errs.KindTLS: C.HC_ERR_TLS,
	errs.KindProxy: C.HC_ERR_PROXY, errs.KindConnectTimeout: C.HC_ERR_CONNECT_TIMEOUT,
	errs.KindReadTimeout: C.HC_ERR_READ_TIMEOUT, errs.KindTruncated: C.HC_ERR_TRUNCATED,
	errs.KindProtocol: C.HC_ERR_PROTOCOL, errs.KindCanceled: C.HC_ERR_CANCELED,
	errs.KindTooManyRedirects: C.HC_ERR_TOO_MANY_REDIRECTS, errs.KindInternal: C.HC_ERR_INTERNAL,
	errs.KindTotalTimeout: C.HC_ERR_TOTAL_TIMEOUT,
}

// setError fills the error out-param: HC_OK for nil, else the error's kind (internal for
// an error without one) and its message, secrets masked, cut to fit.
func setError(cerr *C.hc_error, err error) {
	if cerr == nil {
		return
	}
	if err == nil {
		cerr.kind = C.HC_OK
		cerr.message[0] = 0
		return
	}
	cerr.kind = C.HC_ERR_INTERNAL
	if e, ok := err.(*errs.Error); ok {
		if code, known := cKinds[e.Kind]; known {
			cerr.kind = code
		}
	}
	msg := processSecrets.Redact(err.Error())
	limit := len(cerr.message) - 1
	if len(msg) > limit {
		msg = msg[:limit]
	}
	dst := unsafe.Slice((*byte)(unsafe.Pointer(&cerr.message[0])), len(cerr.message))
	copy(dst, msg)
	dst[len(msg)] = 0
}

// guard turns a panic into an internal error; use as `defer guard(err, &ret, failValue)`.
func guard[T any](cerr *C.hc_error, ret *T, fail T) {
	if r := recover(); r != nil {
		setError(cerr, errs.New(errs.KindInternal, "internal error: %v", r))
		*ret = fail
	}
}

func goBytes(p unsafe.Pointer, n C.int64_t, what string) ([]byte, error) {
	if n < 0 || n > maxInputLength {
		return nil, errs.New(errs.KindInvalidArgument, "%s length %d out of range", what, int64(n))
	}
	if n == 0 {
		return nil, nil
	}
	if p == nil {
		return nil, errs.New(errs.KindInvalidArgument, "%s is NULL but its length is %d", what, int64(n))
	}
	// A copy of all n bytes: C.GoBytes takes a C int and cut lengths of 2 GiB and more.
	return bytes.Clone(unsafe.Slice((*byte)(p), int(n))), nil
}

// goBytesView exposes caller memory without copying, for as long as the caller promises
// it stays valid (the call, or a borrowed body's stream).
func goBytesView(p unsafe.Pointer, n C.int64_t, what string) ([]byte, error) {
	if n <= 0 || n > maxInputLength || p == nil {
		return nil, errs.New(errs.KindInvalidArgument, "%s must be non-NULL with a positive size, got %d", what, int64(n))
	}
	return unsafe.Slice((*byte)(p), int(n)), nil
}

// cBytes copies b into NUL-terminated C memory, freed with C.free (hc_free for the
// caller); never NULL.
func cBytes(b []byte) (*C.char, C.int64_t) {
	p := C.malloc(C.size_t(len(b) + 1))
	buf := unsafe.Slice((*byte)(p), len(b)+1)
	copy(buf, b)
	buf[len(b)] = 0
	return (*C.char)(p), C.int64_t(len(b))
}

// handOut copies data into C memory that the caller frees with hc_free.
func handOut(data []byte, out **C.char) C.int64_t {
	p, n := cBytes(data)
	*out = p
	return n
}

func waitDuration(ms C.int32_t) time.Duration {
	if ms <= 0 {
		return 0
	}
	return time.Duration(ms) * time.Millisecond
}

// runCall is the body of the *_call exports: decode the call, run it, hand out the JSON.
func runCall(call *C.char, callLen C.int64_t, out **C.char, cerr *C.hc_error, run func([]byte) ([]byte, error)) C.int64_t {
	if out == nil {
		setError(cerr, errs.New(errs.KindInvalidArgument, "out is NULL"))
		return -1
	}
	raw, err := goBytes(unsafe.Pointer(call), callLen, "call")
	if err != nil {
		setError(cerr, err)
		return -1
	}
	data, err := run(raw)
	if err != nil {
		setError(cerr, err)
		return -1
	}
	setError(cerr, nil)
	return handOut(data, out)
}

//export hc_abi_version
func hc_abi_version() C.int32_t { return C.HC_ABI_VERSION }

//export hc_call
func hc_call(call *C.char, callLen C.int64_t, out **C.char, cerr *C.hc_error) (ret C.int64_t) {
	defer guard(cerr, &ret, -1)
	return runCall(call, callLen, out, cerr, func(raw []byte) ([]byte, error) { return processOps.run(struct{}{}, raw) })
}

//export hc_stats
func hc_stats(out **C.char, cerr *C.hc_error) (ret C.int64_t) {
	defer guard(cerr, &ret, -1)
	if out == nil {
		setError(cerr, errs.New(errs.KindInvalidArgument, "out is NULL"))
		return -1
	}
	data := []byte(fmt.Sprintf(`{"sessions":%d,"streams":%d,"notifiers":%d,"goroutines":%d}`,
		sessions.len(), streams.len(), notifiers.len(), runtime.NumGoroutine()))
	setError(cerr, nil)
	return handOut(data, out)
}

//export hc_presets
func hc_presets(out **C.char, cerr *C.hc_error) (ret C.int64_t) {
	defer guard(cerr, &ret, -1)
	if out == nil {
		setError(cerr, errs.New(errs.KindInvalidArgument, "out is NULL"))
		return -1
	}
	data, err := json.Marshal(presetsJSON(fingerprint.Describe()))
	if err != nil {
		setError(cerr, errs.New(errs.KindInternal, "encoding presets: %v", err))
		return -1
	}
	setError(cerr, nil)
	return handOut(data, out)
}

//export hc_set_interrupt_check
func hc_set_interrupt_check(check C.hc_interrupt_check_fn) { setInterruptCheck(check) }

//export hc_free
func hc_free(p unsafe.Pointer) {
	C.free(p)
}

func main() {}
