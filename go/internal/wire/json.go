package wire

import (
	"bytes"
	"encoding/json"
	"math"
	"time"

	"httpcloakpy/internal/errs"
)

func DecodeStrict(data []byte, into any) error {
	dec := json.NewDecoder(bytes.NewReader(data))
	dec.DisallowUnknownFields()
	if err := dec.Decode(into); err != nil {
		return errs.New(errs.KindInvalidArgument, "invalid JSON: %v", err)
	}
	if dec.More() {
		return errs.New(errs.KindInvalidArgument, "invalid JSON: trailing data")
	}
	return nil
}

func Seconds(name string, v *float64) (time.Duration, error) {
	if v == nil {
		return 0, nil
	}
	s := *v
	if math.IsNaN(s) || math.IsInf(s, 0) || s <= 0 || s > 1e9 {
		return 0, errs.New(errs.KindInvalidArgument, "%s timeout must be a positive number of seconds, at most 1e9, got %v", name, s)
	}
	return time.Duration(s * float64(time.Second)), nil
}
