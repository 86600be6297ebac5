package body

import (
	"testing"

	"httpcloakpy/internal/errs"
)

func TestAnUploadEndedShortOfItsLengthIsAnError(t *testing.T) {
	u := NewUpload(10)
	if u.Write([]byte("abcd"), 0) != WriteAccepted {
		t.Fatal("write refused")
	}
	short := u.Shortfall()
	if short == nil || short.Kind != errs.KindProtocol {
		t.Fatalf("shortfall = %v, want a protocol error", short)
	}
	if u.Write([]byte("efghij"), 0) != WriteAccepted || u.Shortfall() != nil {
		t.Fatalf("a body of its declared length is short: %v", u.Shortfall())
	}
}

func TestAnUploadWithoutALengthOrNoLongerReadIsNeverShort(t *testing.T) {
	if short := NewUpload(-1).Shortfall(); short != nil {
		t.Fatalf("unknown length: %v", short)
	}
	answered := NewUpload(10)
	_ = answered.Close() // the engine stopped reading: the response came first
	if short := answered.Shortfall(); short != nil {
		t.Fatalf("after the engine stopped reading: %v", short)
	}
}
