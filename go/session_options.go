package main

import (
	"bytes"
	"encoding/json"
	"math"
	"time"
)

// sessionOptions is the JSON that hc_session_new receives. Unknown fields are refused so
// a misspelt option is an error, not a silent default. Timeouts and redirects are not
// among them: the Python side resolves them and sends them with every request.
type sessionOptions struct {
	Preset      string      `json:"preset"`
	HTTPVersion string      `json:"http_version"`
	Verify      *bool       `json:"verify"`
	CAFile      string      `json:"ca_file"`
	Proxy       string      `json:"proxy"`
	Headers     [][2]string `json:"headers"`
	// Custom fingerprint over the preset's (custom_fingerprint.go).
	JA3     string          `json:"ja3"`
	Akamai  string          `json:"akamai"`
	ExtraFP json.RawMessage `json:"extra_fp"`
	// WithoutCookieJar: no cookie is stored or sent automatically (per-request ones are).
	WithoutCookieJar bool `json:"without_cookie_jar"`
	// WithoutClientHints: the preset's sec-ch-* headers are not sent (client_hints.go).
	WithoutClientHints bool `json:"without_client_hints"`
	netOptions              // connect_to, local_address, ... (netopts.go)
	retryOptions            // retry, retry_on_status, ... (retry.go)
}

// timeoutJSON carries seconds as floats; null or absent means "no limit".
type timeoutJSON struct {
	Connect *float64 `json:"connect"`
	Read    *float64 `json:"read"`
	Total   *float64 `json:"total"`
}

type timeouts struct {
	connect, read, total time.Duration // 0 = no limit
}

const defaultMaxRedirects = 30

func decodeStrict(data []byte, into any) error {
	dec := json.NewDecoder(bytes.NewReader(data))
	dec.DisallowUnknownFields()
	if err := dec.Decode(into); err != nil {
		return newError(kindInvalidArgument, "invalid JSON: %v", err)
	}
	if dec.More() {
		return newError(kindInvalidArgument, "invalid JSON: trailing data")
	}
	return nil
}

func secondsToDuration(name string, v *float64) (time.Duration, error) {
	if v == nil {
		return 0, nil
	}
	s := *v
	if math.IsNaN(s) || math.IsInf(s, 0) || s <= 0 || s > 1e9 {
		return 0, newError(kindInvalidArgument, "%s timeout must be a positive number of seconds, at most 1e9, got %v", name, s)
	}
	return time.Duration(s * float64(time.Second)), nil
}

func (t *timeoutJSON) resolve() (timeouts, error) {
	var out timeouts
	if t == nil {
		return out, nil
	}
	var err error
	if out.connect, err = secondsToDuration("connect", t.Connect); err != nil {
		return out, err
	}
	if out.read, err = secondsToDuration("read", t.Read); err != nil {
		return out, err
	}
	if out.total, err = secondsToDuration("total", t.Total); err != nil {
		return out, err
	}
	return out, nil
}
