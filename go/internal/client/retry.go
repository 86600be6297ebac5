package client

import (
	"context"
	"errors"
	"math"
	"math/rand/v2"
	"strings"
	"time"

	"httpcloakpy/internal/callerwait"
	"httpcloakpy/internal/engine"
	"httpcloakpy/internal/errs"
	"httpcloakpy/internal/wire"

	"github.com/bogdanfinn/fhttp/http2"
)

// RetryOptions are the session's retry settings, as users give them. Off unless Retry > 0.
// Waits are seconds; nil: the default.
type RetryOptions struct {
	Retry         int
	RetryOnStatus []int
	RetryWaitMin  *float64
	RetryWaitMax  *float64
	RetryMethods  []string
}

// retryPolicy: up to count more attempts of a request that failed to connect or answered
// one of statuses, waiting a random time between waitMin and an exponentially growing
// bound capped at waitMax. Only methods in methods are retried, and never a streamed body.
type retryPolicy struct {
	count            int
	statuses         map[int]bool
	methods          map[string]bool
	waitMin, waitMax time.Duration
}

var (
	defaultRetryStatuses = []int{429, 500, 502, 503, 504}
	// The idempotent methods; POST and PATCH only when asked.
	defaultRetryMethods = engine.IdempotentMethods
)

const (
	defaultRetryWaitMin = 0.5
	defaultRetryWaitMax = 10.0
	maxRetries          = 100
)

func (o *RetryOptions) retryPolicy() (retryPolicy, error) {
	var p retryPolicy
	if o.Retry < 0 || o.Retry > maxRetries {
		return p, errs.New(errs.KindInvalidArgument, "retry must be between 0 and %d, got %d", maxRetries, o.Retry)
	}
	p.count = o.Retry
	statuses := o.RetryOnStatus
	if statuses == nil {
		statuses = defaultRetryStatuses
	}
	p.statuses = make(map[int]bool, len(statuses))
	for _, code := range statuses {
		if code < 100 || code > 599 {
			return p, errs.New(errs.KindInvalidArgument, "retry_on_status: %d is not an HTTP status", code)
		}
		p.statuses[code] = true
	}
	methods := o.RetryMethods
	if methods == nil {
		methods = defaultRetryMethods
	}
	p.methods = make(map[string]bool, len(methods))
	for _, m := range methods {
		if !wire.IsToken(m) {
			return p, errs.New(errs.KindInvalidArgument, "retry_methods: invalid method %q", m)
		}
		p.methods[strings.ToUpper(m)] = true
	}
	var err error
	if p.waitMin, err = retryWait("retry_wait_min", o.RetryWaitMin, defaultRetryWaitMin); err != nil {
		return p, err
	}
	if p.waitMax, err = retryWait("retry_wait_max", o.RetryWaitMax, defaultRetryWaitMax); err != nil {
		return p, err
	}
	if p.waitMax < p.waitMin {
		return p, errs.New(errs.KindInvalidArgument, "retry_wait_max (%v) is below retry_wait_min (%v)", p.waitMax, p.waitMin)
	}
	return p, nil
}

func retryWait(name string, v *float64, def float64) (time.Duration, error) {
	s := def
	if v != nil {
		s = *v
	}
	if math.IsNaN(s) || s < 0 || s > 3600 {
		return 0, errs.New(errs.KindInvalidArgument, "%s must be between 0 and 3600 seconds, got %v", name, s)
	}
	return time.Duration(s * float64(time.Second)), nil
}

// applies reports whether out may be sent again: retries are on, its method is allowed and
// its body is bytes we still hold (a streamed body was consumed by the first attempt).
func (p retryPolicy) applies(out *engine.Request) bool {
	return p.count > 0 && p.methods[out.Method] && out.Stream == nil
}

// backoff is the wait before retry number attempt (0-based): uniform between waitMin and
// min(waitMax, waitMin * 2^attempt).
func (p retryPolicy) backoff(attempt int) time.Duration {
	upper := p.waitMax
	if attempt < 30 {
		upper = min(p.waitMax, p.waitMin<<attempt)
	}
	if upper <= p.waitMin {
		return p.waitMin
	}
	return p.waitMin + rand.N(upper-p.waitMin+1)
}

// retriable errors are connection failures before any response: refused, reset, closed
// before the headers, an unresolvable name. Not TLS, proxy or timeout failures.
func retriable(err error, ctx context.Context) bool {
	if ctx.Err() != nil {
		return false
	}
	switch errs.Classify(err, ctx, "connect").Kind {
	case errs.KindConnect, errs.KindDNS:
		return true
	}
	// An HTTP/2 stream reset or GOAWAY before any header is HTTP/1.1's dropped
	// connection: the server never answered, so the request may go again.
	var reset http2.StreamError
	var away http2.GoAwayError
	return errors.As(err, &reset) || errors.As(err, &away)
}

// send is one hop of exchange: the session's header order applied, then the engine's
// round trip, repeated per the retry policy. Waiting is bounded by ctx (connect and total
// timeouts, cancel). Retries happen only before a response is handed back, so a body that
// started to be delivered is never retried.
func (s *Session) send(ctx context.Context, out *engine.Request, order []string) (*engine.Response, error) {
	if order == nil {
		order = s.net.order()
	}
	out.Headers = orderHeaders(out.Headers, order)
	p := s.net.retry
	if !p.applies(out) {
		return s.roundTrip(ctx, out)
	}
	for attempt := 0; ; attempt++ {
		resp, err := s.roundTrip(ctx, out)
		last := attempt >= p.count
		switch {
		case err != nil:
			if last || !retriable(err, ctx) {
				return nil, err
			}
		case last || !p.statuses[resp.Status]:
			return resp, nil
		default:
			discard(resp.Body)
		}
		if err := pause(ctx, p.backoff(attempt)); err != nil {
			return nil, errs.Classify(err, ctx, "connect")
		}
	}
}

// roundTrip is the engine's round trip; for an exchange on its caller's thread
// (callerwait) one the engine cannot wait for in slices runs on a goroutine meanwhile.
func (s *Session) roundTrip(ctx context.Context, out *engine.Request) (*engine.Response, error) {
	if !callerwait.Here(ctx) || s.engine.WaitsInSlices(out) {
		return s.engine.RoundTrip(ctx, out)
	}
	return callerwait.Do(ctx, func(ctx context.Context) (*engine.Response, error) { return s.engine.RoundTrip(ctx, out) },
		func(resp *engine.Response) { _ = resp.Body.Close() })
}

// pause waits d between attempts; nil unless ctx ended (its cause) first.
func pause(ctx context.Context, d time.Duration) error {
	if callerwait.Here(ctx) {
		return callerwait.Sleep(ctx, d)
	}
	t := time.NewTimer(d)
	defer t.Stop()
	select {
	case <-ctx.Done():
		return context.Cause(ctx)
	case <-t.C:
		return nil
	}
}
