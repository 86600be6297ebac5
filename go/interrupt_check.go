package main

// The caller's interrupt check (hc_set_interrupt_check), called through a static shim: Go
// cannot call a C function pointer itself, and a cgo file with exports may only declare
// in its preamble (the export is in exports.go).

/*
#include "httpcloak.h"

static int32_t hc_call_interrupt_check(hc_interrupt_check_fn f) {
    return f();
}
*/
import "C"

import "httpcloakpy/internal/callerwait"

func setInterruptCheck(check C.hc_interrupt_check_fn) {
	if check == nil {
		callerwait.SetCheck(nil)
		return
	}
	callerwait.SetCheck(func() bool { return C.hc_call_interrupt_check(check) != 0 })
}
