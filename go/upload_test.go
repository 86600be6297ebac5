package main

import (
	"testing"

	"httpcloakpy/internal/errs"
)

func TestAnUploadEndedShortOfItsLengthIsAnError(t *testing.T) {
	u := newUpload(10)
	if u.write([]byte("abcd"), 0) != writeAccepted {
		t.Fatal("write refused")
	}
	short := u.shortfall()
	if short == nil || short.Kind != errs.KindProtocol {
		t.Fatalf("shortfall = %v, want a protocol error", short)
	}
	if u.write([]byte("efghij"), 0) != writeAccepted || u.shortfall() != nil {
		t.Fatalf("a body of its declared length is short: %v", u.shortfall())
	}
}

func TestAnUploadWithoutALengthOrNoLongerReadIsNeverShort(t *testing.T) {
	if short := newUpload(-1).shortfall(); short != nil {
		t.Fatalf("unknown length: %v", short)
	}
	answered := newUpload(10)
	_ = answered.Close() // the engine stopped reading: the response came first
	if short := answered.shortfall(); short != nil {
		t.Fatalf("after the engine stopped reading: %v", short)
	}
}
