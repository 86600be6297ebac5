package main

/*
#include "httpcloak.h"
*/
import "C"

import (
	"time"
	"unsafe"

	"httpcloakpy/internal/errs"
	"httpcloakpy/internal/ticketcache"
	"httpcloakpy/internal/wire"
)

type sessionCacheOptions struct {
	Timeout *float64 `json:"timeout"`
	TTL     *float64 `json:"ttl"`
	HMACKey []byte   `json:"hmac_key"` // base64 in the JSON; absent: entries not authenticated
}

//export hc_session_cache_configure
func hc_session_cache_configure(get C.hc_cache_get_fn, put C.hc_cache_put_fn, del C.hc_cache_delete_fn,
	onError C.hc_cache_error_fn, options *C.char, optionsLen C.int64_t, cerr *C.hc_error) (ret C.int32_t) {
	defer guard(cerr, &ret, -1)
	raw, err := goBytes(unsafe.Pointer(options), optionsLen, "options")
	if err != nil {
		setError(cerr, err)
		return -1
	}
	var opts sessionCacheOptions
	if len(raw) > 0 {
		if err := wire.DecodeStrict(raw, &opts); err != nil {
			setError(cerr, err)
			return -1
		}
	}
	timeout, ttl := ticketcache.DefaultTimeout, ticketcache.DefaultTTL
	if opts.Timeout != nil {
		if *opts.Timeout <= 0 || *opts.Timeout > 3600 {
			setError(cerr, errs.New(errs.KindInvalidArgument, "session cache timeout must be in (0, 3600] seconds, got %v", *opts.Timeout))
			return -1
		}
		timeout = time.Duration(*opts.Timeout * float64(time.Second))
	}
	if opts.TTL != nil {
		if *opts.TTL < 1 || *opts.TTL > 365*86400 {
			setError(cerr, errs.New(errs.KindInvalidArgument, "session cache ttl must be in [1, 31536000] seconds, got %v", *opts.TTL))
			return -1
		}
		ttl = time.Duration(*opts.TTL) * time.Second
	}
	if opts.HMACKey != nil && (len(opts.HMACKey) < ticketcache.MinMACKey || len(opts.HMACKey) > ticketcache.MaxMACKey) {
		setError(cerr, errs.New(errs.KindInvalidArgument, "session cache hmac_key must be %d to %d bytes, got %d", ticketcache.MinMACKey, ticketcache.MaxMACKey, len(opts.HMACKey)))
		return -1
	}
	switch {
	case get == nil && put == nil && del == nil:
		sharedSessions.Configure(nil, timeout, ttl, nil)
	case get == nil || put == nil || del == nil:
		setError(cerr, errs.New(errs.KindInvalidArgument, "get, put and delete must all be set (or all NULL to unregister)"))
		return -1
	default:
		sharedSessions.Configure(&cTicketBackend{getFn: get, putFn: put, delFn: del, errorFn: onError}, timeout, ttl, opts.HMACKey)
	}
	setError(cerr, nil)
	return 0
}
