package main

/*
#include "httpcloak.h"
*/
import "C"

import (
	"encoding/json"
	"errors"
	"io"
	"math"
	"unsafe"

	"httpcloakpy/internal/body"
	"httpcloakpy/internal/client"
	"httpcloakpy/internal/errs"
	"httpcloakpy/internal/notify"
)

// A stream's exports: open, metadata, read, write a streamed body, watch, cancel, close;
// and the notifiers event loops wait on.

// liveStream resolves a stream handle, or reports it as closed.
func liveStream(handle C.int64_t, cerr *C.hc_error) (*client.Stream, bool) {
	st, ok := streams.get(int64(handle))
	if !ok {
		setError(cerr, errs.New(errs.KindClosed, "the stream is closed (by close(), or with its session)"))
	}
	return st, ok
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
	return openStream(sess, spec, cerr)
}

//export hc_stream_open_plain
func hc_stream_open_plain(handle C.int64_t, method *C.char, methodLen C.int64_t, url *C.char, urlLen C.int64_t, connect, read, total C.double, allowRedirects C.int32_t, maxRedirects C.int64_t, cerr *C.hc_error) (ret C.int64_t) {
	defer guard(cerr, &ret, 0)
	sess, ok := liveSession(handle, cerr)
	if !ok {
		return 0
	}
	in, err := plainRequest(method, methodLen, url, urlLen, connect, read, total, allowRedirects, maxRedirects)
	if err != nil {
		setError(cerr, err)
		return 0
	}
	spec, err := requestOf(in, body.Copied(nil), false, sess)
	if err != nil {
		setError(cerr, err)
		return 0
	}
	return openStream(sess, spec, cerr)
}

// plainRequest is the request hc_stream_open_plain's arguments describe, as hc_stream_open
// would have decoded it from JSON; a negative timeout is one not given (JSON's null).
func plainRequest(method *C.char, methodLen C.int64_t, url *C.char, urlLen C.int64_t, connect, read, total C.double, allowRedirects C.int32_t, maxRedirects C.int64_t) (requestJSON, error) {
	name, err := goBytes(unsafe.Pointer(method), methodLen, "method")
	if err != nil {
		return requestJSON{}, err
	}
	target, err := goBytes(unsafe.Pointer(url), urlLen, "url")
	if err != nil {
		return requestJSON{}, err
	}
	if allowRedirects != 0 && allowRedirects != 1 {
		return requestJSON{}, errs.New(errs.KindInvalidArgument, "allow_redirects must be 0 or 1, got %d", int32(allowRedirects))
	}
	if maxRedirects < 0 || maxRedirects > math.MaxInt32 {
		return requestJSON{}, errs.New(errs.KindInvalidArgument, "max_redirects must be a non-negative int32, got %d", int64(maxRedirects))
	}
	follow, hops := allowRedirects == 1, int(maxRedirects)
	return requestJSON{
		Method: string(name), URL: string(target),
		Timeout:        &timeoutJSON{Connect: givenSeconds(connect), Read: givenSeconds(read), Total: givenSeconds(total)},
		AllowRedirects: &follow, MaxRedirects: &hops,
	}, nil
}

// givenSeconds is a plain request's timeout as JSON would give it: nil when negative
// (none); any other value is checked where every request's timeouts are.
func givenSeconds(s C.double) *float64 {
	if s < 0 {
		return nil
	}
	v := float64(s)
	return &v
}

// openStream starts a parsed request on its session and hands out the stream's handle.
func openStream(sess *client.Session, spec *client.Request, cerr *C.hc_error) C.int64_t {
	st, err := client.OpenStream(sess, spec)
	if err != nil {
		setError(cerr, err)
		return 0
	}
	setError(cerr, nil)
	return C.int64_t(streams.add(st))
}

// streamWithOut is the live stream of a call that hands out JSON in out and outLen, which
// must not be NULL.
func streamWithOut(handle C.int64_t, out **C.char, outLen *C.int64_t, cerr *C.hc_error) (*client.Stream, bool) {
	if out == nil || outLen == nil {
		setError(cerr, errs.New(errs.KindInvalidArgument, "out or out_len is NULL"))
		return nil, false
	}
	return liveStream(handle, cerr)
}

//export hc_stream_meta
func hc_stream_meta(handle C.int64_t, waitMs C.int32_t, out **C.char, outLen *C.int64_t, cerr *C.hc_error) (ret C.int32_t) {
	defer guard(cerr, &ret, -1)
	st, ok := streamWithOut(handle, out, outLen, cerr)
	if !ok {
		return -1
	}
	meta, hop, failure := st.WaitMetaOrRedirect(waitDuration(waitMs))
	if failure != nil {
		setError(cerr, failure)
		return -1
	}
	var result any
	switch {
	case hop != nil:
		result = redirectJSON{Redirect: redirectHopJSON(*hop)}
	case meta != nil:
		result = metaJSONOf(meta)
	default:
		setError(cerr, nil)
		return 0
	}
	data, err := json.Marshal(result)
	if err != nil {
		setError(cerr, errs.New(errs.KindInternal, "encoding metadata: %v", err))
		return -1
	}
	setError(cerr, nil)
	*outLen = handOut(data, out)
	return 1
}

//export hc_stream_trailers
func hc_stream_trailers(handle C.int64_t, out **C.char, outLen *C.int64_t, cerr *C.hc_error) (ret C.int32_t) {
	defer guard(cerr, &ret, -1)
	st, ok := streamWithOut(handle, out, outLen, cerr)
	if !ok {
		return -1
	}
	pairs, err := st.Trailers()
	if err != nil {
		setError(cerr, err)
		return -1
	}
	setError(cerr, nil)
	if len(pairs) == 0 {
		return 0
	}
	data, err := json.Marshal(pairs)
	if err != nil {
		setError(cerr, errs.New(errs.KindInternal, "encoding trailers: %v", err))
		return -1
	}
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
	if failure == body.ErrPending && waitMs == waitArm {
		st.Arm() // tells the notifier at once if news came since the read
	}
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
