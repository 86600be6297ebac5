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
	"errors"
	"fmt"
	"io"
	"runtime"
	"time"
	"unsafe"

	"httpcloakpy/internal/body"
	"httpcloakpy/internal/client"
	"httpcloakpy/internal/errs"
	"httpcloakpy/internal/fingerprint"
	"httpcloakpy/internal/notify"
)

// Every export is a thin shell: decode C arguments, call the Go side, fill the error
// out-param, and never let a panic cross into C.

const (
	readEOF     = C.HC_READ_EOF
	readError   = C.HC_READ_ERROR
	readPending = C.HC_READ_PENDING
	writeDone   = C.HC_WRITE_RESPONDED

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

// liveStream resolves a stream handle, or reports it as closed.
func liveStream(handle C.int64_t, cerr *C.hc_error) (*client.Stream, bool) {
	st, ok := streams.get(int64(handle))
	if !ok {
		setError(cerr, errs.New(errs.KindClosed, "the stream is closed (by close(), or with its session)"))
	}
	return st, ok
}

// liveSession resolves a session handle, or reports it as closed.
func liveSession(handle C.int64_t, cerr *C.hc_error) (*client.Session, bool) {
	sess, ok := sessions.get(int64(handle))
	if !ok {
		setError(cerr, errs.New(errs.KindClosed, "the session is closed"))
	}
	return sess, ok
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

//export hc_session_new
func hc_session_new(options *C.char, optionsLen C.int64_t, cerr *C.hc_error) (ret C.int64_t) {
	defer guard(cerr, &ret, 0)
	raw, err := goBytes(unsafe.Pointer(options), optionsLen, "options")
	if err != nil {
		setError(cerr, err)
		return 0
	}
	opts, err := sessionOptionsOf(raw)
	if err != nil {
		setError(cerr, err)
		return 0
	}
	sess, err := client.NewSession(opts)
	if err != nil {
		setError(cerr, err)
		return 0
	}
	setError(cerr, nil)
	return C.int64_t(sessions.add(sess))
}

//export hc_session_close
func hc_session_close(handle C.int64_t, cerr *C.hc_error) (ret C.int32_t) {
	defer guard(cerr, &ret, -1)
	sess, ok := sessions.take(int64(handle))
	if !ok {
		if sessions.issued(int64(handle)) {
			setError(cerr, nil)
			return 0
		}
		setError(cerr, errs.New(errs.KindClosed, "unknown session handle %d", int64(handle)))
		return -1
	}
	// Its streams' handles go first, so no call finds them half closed; again after, for
	// a stream opened meanwhile.
	ofSession := func(st *client.Stream) bool { return st.Session() == sess }
	streams.removeIf(ofSession)
	sess.Close()
	streams.removeIf(ofSession)
	setError(cerr, nil)
	return 0
}

//export hc_session_cookies
func hc_session_cookies(handle C.int64_t, out **C.char, cerr *C.hc_error) (ret C.int64_t) {
	defer guard(cerr, &ret, -1)
	if out == nil {
		setError(cerr, errs.New(errs.KindInvalidArgument, "out is NULL"))
		return -1
	}
	sess, ok := liveSession(handle, cerr)
	if !ok {
		return -1
	}
	data, err := json.Marshal(cookiesJSON(sess.Jar().List(nil)))
	if err != nil {
		setError(cerr, errs.New(errs.KindInternal, "encoding cookies: %v", err))
		return -1
	}
	setError(cerr, nil)
	return handOut(data, out)
}

//export hc_session_call
func hc_session_call(handle C.int64_t, call *C.char, callLen C.int64_t, out **C.char, cerr *C.hc_error) (ret C.int64_t) {
	defer guard(cerr, &ret, -1)
	sess, ok := liveSession(handle, cerr)
	if !ok {
		return -1
	}
	return runCall(call, callLen, out, cerr, func(raw []byte) ([]byte, error) { return sessionOps.run(sess, raw) })
}

//export hc_call
func hc_call(call *C.char, callLen C.int64_t, out **C.char, cerr *C.hc_error) (ret C.int64_t) {
	defer guard(cerr, &ret, -1)
	return runCall(call, callLen, out, cerr, func(raw []byte) ([]byte, error) { return processOps.run(struct{}{}, raw) })
}

//export hc_stream_open
func hc_stream_open(handle C.int64_t, request *C.char, requestLen C.int64_t, bodyPtr *C.uint8_t, bodyLen C.int64_t, cerr *C.hc_error) (ret C.int64_t) {
	defer guard(cerr, &ret, 0)
	streamed := bodyLen == C.HC_BODY_STREAMED
	return startStream(handle, request, requestLen, streamed, cerr, func() (*body.Held, error) {
		if streamed {
			return nil, nil
		}
		payload, err := goBytes(unsafe.Pointer(bodyPtr), bodyLen, "body")
		return body.Copied(payload), err
	})
}

//export hc_stream_open_borrowed
func hc_stream_open_borrowed(handle C.int64_t, request *C.char, requestLen C.int64_t, bodyPtr *C.uint8_t, bodyLen C.int64_t, cerr *C.hc_error) (ret C.int64_t) {
	defer guard(cerr, &ret, 0)
	return startStream(handle, request, requestLen, false, cerr, func() (*body.Held, error) {
		view, err := goBytesView(unsafe.Pointer(bodyPtr), bodyLen, "borrowed body")
		if err != nil {
			return nil, err
		}
		return body.Borrowed(view), nil
	})
}

// startStream is hc_stream_open and hc_stream_open_borrowed after the body: decode the
// request, then open the stream.
func startStream(handle C.int64_t, request *C.char, requestLen C.int64_t, streamed bool, cerr *C.hc_error, readBody func() (*body.Held, error)) C.int64_t {
	sess, ok := liveSession(handle, cerr)
	if !ok {
		return 0
	}
	raw, err := goBytes(unsafe.Pointer(request), requestLen, "request")
	if err != nil {
		setError(cerr, err)
		return 0
	}
	payload, err := readBody()
	if err != nil {
		setError(cerr, err)
		return 0
	}
	spec, err := parseRequest(raw, payload, streamed, sess)
	if err != nil {
		setError(cerr, err)
		return 0
	}
	st, err := client.OpenStream(sess, spec)
	if err != nil {
		setError(cerr, err)
		return 0
	}
	setError(cerr, nil)
	return C.int64_t(streams.add(st))
}

//export hc_stream_meta
func hc_stream_meta(handle C.int64_t, waitMs C.int32_t, out **C.char, outLen *C.int64_t, cerr *C.hc_error) (ret C.int32_t) {
	defer guard(cerr, &ret, -1)
	if out == nil || outLen == nil {
		setError(cerr, errs.New(errs.KindInvalidArgument, "out or out_len is NULL"))
		return -1
	}
	st, ok := liveStream(handle, cerr)
	if !ok {
		return -1
	}
	meta, failure := st.WaitMeta(waitDuration(waitMs))
	if failure != nil {
		setError(cerr, failure)
		return -1
	}
	if meta == nil {
		setError(cerr, nil)
		return 0
	}
	data, err := json.Marshal(metaJSONOf(meta))
	if err != nil {
		setError(cerr, errs.New(errs.KindInternal, "encoding metadata: %v", err))
		return -1
	}
	setError(cerr, nil)
	*outLen = handOut(data, out)
	return 1
}

//export hc_stream_read
func hc_stream_read(handle C.int64_t, buf *C.uint8_t, capacity C.int64_t, waitMs C.int32_t, cerr *C.hc_error) (ret C.int64_t) {
	defer guard(cerr, &ret, readError)
	if capacity <= 0 || capacity > maxInputLength || buf == nil {
		setError(cerr, errs.New(errs.KindInvalidArgument, "read buffer must be non-NULL with a positive size, got %d", int64(capacity)))
		return readError
	}
	st, ok := liveStream(handle, cerr)
	if !ok {
		return readError
	}
	dst := unsafe.Slice((*byte)(unsafe.Pointer(buf)), int(capacity))
	n, failure := st.Read(dst, waitDuration(waitMs))
	switch {
	case failure == nil:
		cerr.kind = C.HC_OK
		return C.int64_t(n)
	case failure == io.EOF:
		cerr.kind = C.HC_OK
		return readEOF
	case failure == body.ErrPending:
		cerr.kind = C.HC_OK
		return readPending
	}
	setError(cerr, failure)
	return readError
}

//export hc_stream_write
func hc_stream_write(handle C.int64_t, buf *C.uint8_t, length C.int64_t, waitMs C.int32_t, cerr *C.hc_error) (ret C.int64_t) {
	defer guard(cerr, &ret, readError)
	st, ok := liveStream(handle, cerr)
	if !ok {
		return readError
	}
	data, err := goBytesView(unsafe.Pointer(buf), length, "write buffer")
	if err != nil {
		setError(cerr, err)
		return readError
	}
	n, failure := st.Write(data, waitDuration(waitMs))
	switch {
	case errors.Is(failure, body.ErrPending):
		setError(cerr, nil)
		return readPending
	case errors.Is(failure, client.ErrResponded):
		setError(cerr, nil)
		return writeDone
	case failure != nil:
		setError(cerr, failure)
		return readError
	}
	setError(cerr, nil)
	return C.int64_t(n)
}

//export hc_stream_write_close
func hc_stream_write_close(handle C.int64_t, cerr *C.hc_error) (ret C.int32_t) {
	defer guard(cerr, &ret, -1)
	st, ok := liveStream(handle, cerr)
	if !ok {
		return -1
	}
	if err := st.EndUpload(); err != nil {
		setError(cerr, err)
		return -1
	}
	setError(cerr, nil)
	return 0
}

//export hc_notifier_new
func hc_notifier_new(fdOut *C.int32_t, cerr *C.hc_error) (ret C.int64_t) {
	defer guard(cerr, &ret, 0)
	if fdOut == nil {
		setError(cerr, errs.New(errs.KindInvalidArgument, "fd_out is NULL"))
		return 0
	}
	n, err := notify.New()
	if err != nil {
		setError(cerr, err)
		return 0
	}
	*fdOut = C.int32_t(n.ReadFD)
	setError(cerr, nil)
	return C.int64_t(notifiers.add(n))
}

//export hc_notifier_drain
func hc_notifier_drain(handle C.int64_t, ids *C.int64_t, capacity C.int64_t, cerr *C.hc_error) (ret C.int64_t) {
	defer guard(cerr, &ret, -1)
	if ids == nil || capacity <= 0 || capacity > maxInputLength {
		setError(cerr, errs.New(errs.KindInvalidArgument, "ids must be non-NULL with a positive capacity"))
		return -1
	}
	n, ok := notifiers.get(int64(handle))
	if !ok {
		setError(cerr, errs.New(errs.KindClosed, "notifier %d is closed or unknown", int64(handle)))
		return -1
	}
	out := unsafe.Slice((*int64)(unsafe.Pointer(ids)), int(capacity))
	setError(cerr, nil)
	return C.int64_t(n.Drain(out))
}

//export hc_notifier_close
func hc_notifier_close(handle C.int64_t) {
	defer func() { _ = recover() }()
	if n, ok := notifiers.take(int64(handle)); ok {
		n.Close()
	}
}

//export hc_stream_watch
func hc_stream_watch(handle C.int64_t, notifierHandle C.int64_t, cerr *C.hc_error) (ret C.int32_t) {
	defer guard(cerr, &ret, -1)
	st, ok := liveStream(handle, cerr)
	if !ok {
		return -1
	}
	n, ok := notifiers.get(int64(notifierHandle))
	if !ok {
		setError(cerr, errs.New(errs.KindClosed, "notifier %d is closed or unknown", int64(notifierHandle)))
		return -1
	}
	st.Watch(n, int64(handle))
	setError(cerr, nil)
	return 0
}

//export hc_stream_arm
func hc_stream_arm(handle C.int64_t, cerr *C.hc_error) (ret C.int32_t) {
	defer guard(cerr, &ret, -1)
	st, ok := liveStream(handle, cerr)
	if !ok {
		return -1
	}
	st.Arm()
	setError(cerr, nil)
	return 0
}

//export hc_stream_cancel
func hc_stream_cancel(handle C.int64_t) {
	defer func() { _ = recover() }()
	if st, ok := streams.get(int64(handle)); ok {
		st.Cancel()
	}
}

//export hc_stream_close
func hc_stream_close(handle C.int64_t, cerr *C.hc_error) (ret C.int32_t) {
	defer guard(cerr, &ret, -1)
	st, ok := streams.take(int64(handle))
	if !ok {
		setError(cerr, errs.New(errs.KindClosed, "the stream is closed (by close(), or with its session)"))
		return -1
	}
	st.Close()
	setError(cerr, nil)
	return 0
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

//export hc_free
func hc_free(p unsafe.Pointer) {
	C.free(p)
}

func main() {}
