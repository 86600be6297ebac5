package main

import (
	"testing"

	"httpcloakpy/internal/errs"
)

// Every error kind crosses the C ABI under its own number (a kind missing from cKinds
// would reach Python as an internal error).
func TestEveryErrorKindHasItsOwnCNumber(t *testing.T) {
	seen := map[int32]errs.Kind{}
	for k := errs.KindInvalidArgument; k <= errs.KindTotalTimeout; k++ {
		code, ok := cKinds[k]
		if !ok {
			t.Errorf("kind %s has no C number", k.Name())
			continue
		}
		if other, dup := seen[int32(code)]; dup || code == 0 {
			t.Errorf("kind %s has C number %d, also %s's (or HC_OK)", k.Name(), int32(code), other.Name())
		}
		seen[int32(code)] = k
	}
	if len(cKinds) != len(seen) {
		t.Errorf("cKinds has %d entries for %d kinds", len(cKinds), len(seen))
	}
}
