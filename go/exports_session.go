package main

/*
#include "httpcloak.h"
*/
import "C"

import (
	"unsafe"

	"httpcloakpy/internal/client"
	"httpcloakpy/internal/errs"
)

// A session's exports: make one, close it, its cookies, and its operations (ops.go).

// liveSession resolves a session handle, or reports it as closed.
func liveSession(handle C.int64_t, cerr *C.hc_error) (*client.Session, bool) {
	sess, ok := sessions.get(int64(handle))
	if !ok {
		setError(cerr, errs.New(errs.KindClosed, "the session is closed"))
	}
	return sess, ok
}

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

//export hc_session_call
func hc_session_call(handle C.int64_t, call *C.char, callLen C.int64_t, out **C.char, cerr *C.hc_error) (ret C.int64_t) {
	defer guard(cerr, &ret, -1)
	sess, ok := liveSession(handle, cerr)
	if !ok {
		return -1
	}
	return runCall(call, callLen, out, cerr, func(raw []byte) ([]byte, error) { return sessionOps.run(sess, raw) })
}
