package main

// The C side of the shared session cache: the caller's function pointers, called through
// static shims (Go cannot call a C function pointer itself). No //export here: a cgo file
// with exports may only declare in its preamble, and these shims are definitions.

/*
#include <stdlib.h>
#include "httpcloak.h"

static int64_t hc_cache_call_get(hc_cache_get_fn f, char *key, int64_t key_len,
                                 uint8_t *buf, int64_t cap) {
    return f(key, key_len, buf, cap);
}
static void hc_cache_call_put(hc_cache_put_fn f, char *key, int64_t key_len,
                              uint8_t *value, int64_t value_len, int64_t ttl) {
    f(key, key_len, value, value_len, ttl);
}
static void hc_cache_call_delete(hc_cache_delete_fn f, char *key, int64_t key_len) {
    f(key, key_len);
}
static void hc_cache_call_error(hc_cache_error_fn f, char *op, int64_t op_len, char *key,
                                int64_t key_len, char *msg, int64_t msg_len) {
    if (f != NULL) {
        f(op, op_len, key, key_len, msg, msg_len);
    }
}
*/
import "C"

import (
	"time"
	"unsafe"

	"httpcloakpy/internal/ticketcache"
)

// firstGetBuffer is the buffer a get starts with; a longer value is asked for again.
const firstGetBuffer = 16 << 10

type cTicketBackend struct {
	getFn   C.hc_cache_get_fn
	putFn   C.hc_cache_put_fn
	delFn   C.hc_cache_delete_fn
	errorFn C.hc_cache_error_fn
}

func (c *cTicketBackend) Get(key string) ([]byte, bool) {
	k, kl := cBytes([]byte(key))
	defer C.free(unsafe.Pointer(k))
	size := int64(firstGetBuffer)
	for attempt := 0; attempt < 2; attempt++ {
		buf := C.malloc(C.size_t(size))
		n := int64(C.hc_cache_call_get(c.getFn, k, kl, (*C.uint8_t)(buf), C.int64_t(size)))
		if n >= 0 && n <= size {
			value := C.GoBytes(buf, C.int(n))
			C.free(buf)
			return value, true
		}
		C.free(buf)
		if n < 0 {
			return nil, false
		}
		if n > ticketcache.MaxValue {
			sharedSessions.Fail(c, "get", key, "value of %d bytes is over the %d-byte limit; treated as a miss", n, ticketcache.MaxValue)
			return nil, false
		}
		size = n
	}
	sharedSessions.Fail(c, "get", key, "value kept growing between two gets; treated as a miss")
	return nil, false
}

func (c *cTicketBackend) Put(key string, value []byte, ttl time.Duration) {
	k, kl := cBytes([]byte(key))
	defer C.free(unsafe.Pointer(k))
	v, vl := cBytes(value)
	defer C.free(unsafe.Pointer(v))
	C.hc_cache_call_put(c.putFn, k, kl, (*C.uint8_t)(unsafe.Pointer(v)), vl, C.int64_t(ttl/time.Second))
}

func (c *cTicketBackend) Delete(key string) {
	k, kl := cBytes([]byte(key))
	defer C.free(unsafe.Pointer(k))
	C.hc_cache_call_delete(c.delFn, k, kl)
}

func (c *cTicketBackend) Report(op, key, message string) {
	if c.errorFn == nil {
		return
	}
	o, ol := cBytes([]byte(op))
	defer C.free(unsafe.Pointer(o))
	k, kl := cBytes([]byte(key))
	defer C.free(unsafe.Pointer(k))
	m, ml := cBytes([]byte(message))
	defer C.free(unsafe.Pointer(m))
	C.hc_cache_call_error(c.errorFn, o, ol, k, kl, m, ml)
}
