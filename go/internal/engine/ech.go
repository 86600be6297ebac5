package engine

import (
	"context"
	"errors"
	"net"
	"strings"
	"time"

	"httpcloakpy/internal/echdns"
	"httpcloakpy/internal/errs"
	"httpcloakpy/internal/fingerprint"

	tls "github.com/bogdanfinn/utls"
)

// ECH options (NetOptions) checked: the domain whose HTTPS record gives every connection
// its ECH config, and whether ECH is off.
type echOptions struct {
	domain string
	off    bool
}

func (o NetOptions) echOptions(httpVersion string) (echOptions, error) {
	domain := strings.TrimSuffix(strings.ToLower(strings.TrimSpace(o.ECHConfigDomain)), ".")
	switch {
	case domain == "":
	case o.DisableECH:
		return echOptions{}, errs.New(errs.KindInvalidArgument, "ech_config_domain conflicts with disable_ech=True")
	case httpVersion == "h3":
		return echOptions{}, errs.New(errs.KindInvalidArgument, "ech_config_domain: this engine sends ECH over HTTP/1.1 and HTTP/2 only, not over HTTP/3")
	case net.ParseIP(strings.Trim(domain, "[]")) != nil || strings.ContainsAny(domain, "/: ") || len(domain) > 253:
		return echOptions{}, errs.New(errs.KindInvalidArgument, "ech_config_domain must be a DNS name, got %q", o.ECHConfigDomain)
	}
	return echOptions{domain: domain, off: o.DisableECH}, nil
}

// echPolicy says which name's HTTPS record gives a connection its ECH config: the
// ech_config_domain for every host, or else the host itself (automatic ECH). nil: no
// lookup ever.
type echPolicy struct {
	domain string
	auto   bool
}

// newECHPolicy decides when lookups happen: never with disable_ech, nor for a preset whose
// ClientHello has no ECH extension (the real one takes the place of its GREASE ECH);
// automatic lookups also not through a proxy, which resolves the names it is asked for (a
// lookup here would tell the local resolver every host visited).
func newECHPolicy(cfg Config, profile fingerprint.Profile) (*echPolicy, error) {
	o := cfg.Net.ech
	if o.off {
		return nil, nil
	}
	spec, err := profile.Hello()
	if err != nil {
		return nil, err
	}
	if !hasECHExtension(spec) {
		if o.domain != "" {
			return nil, errs.New(errs.KindInvalidArgument, "ech_config_domain: preset %q sends no ECH extension to carry a configuration", cfg.Preset)
		}
		return nil, nil
	}
	p := &echPolicy{domain: o.domain, auto: o.domain == "" && cfg.Proxy == ""}
	if p.domain == "" && !p.auto {
		return nil, nil
	}
	return p, nil
}

func hasECHExtension(spec tls.ClientHelloSpec) bool {
	for _, ext := range spec.Extensions {
		if _, ok := ext.(tls.EncryptedClientHelloExtension); ok {
			return true
		}
	}
	return false
}

// begin starts the lookup for a connection to host, to run while TCP connects; the
// function it returns waits for the configs (nil: none, the preset's GREASE ECH is sent).
// No lookup for an IP address or a localhost name, which have no HTTPS records.
func (p *echPolicy) begin(ctx context.Context, host string) func() []byte {
	name := host
	if p != nil && p.domain != "" {
		name = p.domain
	} else if p == nil || !p.auto || net.ParseIP(host) != nil || isLocalhost(host) {
		return func() []byte { return nil }
	}
	// At most half the time left to connect: a slow resolver costs ECH, not the request.
	lookupCtx, cancel := ctx, context.CancelFunc(func() {})
	if deadline, ok := connectDeadline(ctx); ok {
		lookupCtx, cancel = context.WithTimeout(ctx, time.Until(deadline)/2)
	}
	found := make(chan []byte, 1)
	go func() { found <- echdns.Lookup(lookupCtx, name) }()
	return func() []byte {
		defer cancel()
		select {
		case configs := <-found:
			return configs
		case <-lookupCtx.Done():
			return nil
		}
	}
}

func isLocalhost(host string) bool {
	host = strings.TrimSuffix(strings.ToLower(host), ".")
	return host == "localhost" || strings.HasSuffix(host, ".localhost")
}

// echRetryConfigs is what to try once more after the server rejected ECH, as browsers do:
// its retry configs, or none (the preset's GREASE ECH) when it sent none. ok is false for
// any other error, or when no ECH was offered.
func echRetryConfigs(err error, offered []byte) (retry []byte, ok bool) {
	var rejected *tls.ECHRejectionError
	if offered == nil || !errors.As(err, &rejected) {
		return nil, false
	}
	if len(rejected.RetryConfigList) == 0 {
		return nil, true
	}
	return rejected.RetryConfigList, true
}

type connectDeadlineKey struct{}

// WithConnectDeadline tells the engine when the request's connect timeout expires (the
// client enforces it by cancelling ctx, which carries no deadline of its own).
func WithConnectDeadline(ctx context.Context, t time.Time) context.Context {
	return context.WithValue(ctx, connectDeadlineKey{}, t)
}

// connectDeadline is the earlier of ctx's deadline and the one WithConnectDeadline set.
func connectDeadline(ctx context.Context) (time.Time, bool) {
	deadline, ok := ctx.Deadline()
	if t, set := ctx.Value(connectDeadlineKey{}).(time.Time); set && (!ok || t.Before(deadline)) {
		return t, true
	}
	return deadline, ok
}
