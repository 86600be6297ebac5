package client

import (
	"net/url"
	"strings"
	"time"

	"httpcloakpy/internal/body"
	"httpcloakpy/internal/errs"
	"httpcloakpy/internal/fingerprint"
	"httpcloakpy/internal/targets"
	"httpcloakpy/internal/wire"
)

// RequestOptions are a request as the caller gives it. The caller sends resolved values:
// no field falls back to a session default here except the headers, merged over the
// session's.
type RequestOptions struct {
	Method         string // "": GET
	URL            string
	Headers        [][2]string
	Timeouts       Timeouts
	AllowRedirects *bool // nil: true
	MaxRedirects   *int  // nil: 30
	// ContentLength of a streamed body, when the caller knows it.
	ContentLength *int64
	// DropHeaders names headers this request does not send at all: removed after the
	// merge, so a session or preset header of that name is left out too, on every
	// redirect hop (requests' headers={name: None}).
	DropHeaders []string
	// WithoutConditionalCache: this request neither sends nor keeps validators.
	WithoutConditionalCache bool
	// HeaderOrder, when set, is this request's order instead of the session's (names first,
	// in this order, then the rest).
	HeaderOrder []string
	// WithoutClientHints leaves the preset's sec-ch-* headers out of this request.
	WithoutClientHints bool
	// WithoutHighEntropyClientHints: no hints asked for with Accept-CH on this request.
	WithoutHighEntropyClientHints bool
	// ExactHeaders sends Headers alone, in their order: none of the session's or preset's.
	ExactHeaders bool
	// WithoutRedirectReferer sends no Referer on the hops after a redirect.
	WithoutRedirectReferer bool
	// Kind is what the request is for (fetch_mode / fetch_dest): its headers start from the
	// browser's for that kind. Zero: a navigation, the preset's own headers.
	Kind fingerprint.RequestKind
	// RedirectHook offers each redirect hop to the stream's reader before it is followed
	// (Stream.WaitMetaOrRedirect, DecideRedirect).
	RedirectHook bool
}

// defaultMaxRedirects is requests' limit (MaxRedirects nil).
const defaultMaxRedirects = 30

// Timeouts bound an exchange; 0: no limit.
type Timeouts struct {
	// Connect bounds everything up to the response headers, Read each silence of the
	// body, Total the whole exchange.
	Connect, Read, Total time.Duration
}

// Request is a validated request, ready for the redirect loop.
type Request struct {
	Method         string
	URL            *url.URL
	Headers        [][2]string
	Body           *body.Held   // nil: no body
	Upload         *body.Upload // a streamed body instead of body, or nil
	Timeouts       Timeouts
	AllowRedirects bool
	MaxRedirects   int
	DropHeaders    []string       // names never sent, checked again on every hop
	NoCache        bool           // no validators sent or kept (conditional_cache.go)
	HeaderOrder    []string       // this request's header order; nil: the session's
	NoHopReferer   bool           // no Referer after a redirect
	NoHighEntropy  bool           // no hints asked for with Accept-CH (accept_ch.go)
	Guard          *targets.Guard // a local proxy's: addresses its connections must not reach
	RedirectHook   bool           // hops wait for the reader's decision (redirect_hook.go)
}

// NewRequest validates a request on s; streamed tells that the body will be written
// piece by piece (Stream.Write) instead of arriving whole in payload.
func (s *Session) NewRequest(opts RequestOptions, payload *body.Held, streamed bool) (*Request, error) {
	// The one check of a method, for every caller: no trimming ("GET\r\n" is refused, not
	// repaired) and no default (an empty method is refused, not sent as GET).
	method := strings.ToUpper(opts.Method)
	if !wire.IsToken(method) {
		return nil, errs.New(errs.KindInvalidArgument, "invalid HTTP method %q: must be a non-empty HTTP token", opts.Method)
	}
	u, err := wire.ValidateURL(opts.URL)
	if err != nil {
		return nil, err
	}
	if err := wire.ValidateHeaders(opts.Headers); err != nil {
		return nil, err
	}
	for _, name := range opts.DropHeaders {
		if !wire.IsToken(name) {
			return nil, errs.New(errs.KindInvalidArgument, "invalid header name %q in drop_headers", name)
		}
	}
	var order []string
	if opts.HeaderOrder != nil {
		if order, err = checkedHeaderOrder(opts.HeaderOrder); err != nil {
			return nil, err
		}
	}
	base := s.BaseHeadersFor(opts.Kind)
	switch {
	case opts.ExactHeaders:
		base = nil
	case opts.WithoutClientHints:
		base = withoutClientHints(base)
	}
	spec := &Request{
		Method:         method,
		URL:            u,
		Headers:        wire.WithoutHeaders(wire.MergeHeaders(base, opts.Headers), opts.DropHeaders...),
		Body:           payload,
		Timeouts:       opts.Timeouts,
		AllowRedirects: opts.AllowRedirects == nil || *opts.AllowRedirects,
		MaxRedirects:   defaultMaxRedirects,
		DropHeaders:    opts.DropHeaders,
		NoCache:        opts.WithoutConditionalCache,
		HeaderOrder:    order,
		NoHopReferer:   opts.WithoutRedirectReferer,
		RedirectHook:   opts.RedirectHook,
		NoHighEntropy:  opts.WithoutHighEntropyClientHints || opts.ExactHeaders,
	}
	if opts.ExactHeaders && order == nil {
		spec.HeaderOrder = headerNames(opts.Headers) // as given, whatever the session's order
	}
	if streamed {
		length := int64(-1)
		if opts.ContentLength != nil {
			if *opts.ContentLength < 0 {
				return nil, errs.New(errs.KindInvalidArgument, "content_length must be >= 0, got %d", *opts.ContentLength)
			}
			length = *opts.ContentLength
		}
		spec.Upload = body.NewUpload(length)
	} else if opts.ContentLength != nil {
		return nil, errs.New(errs.KindInvalidArgument, "content_length is only for a streamed body (body_len -1)")
	}
	if opts.MaxRedirects != nil {
		if *opts.MaxRedirects < 0 {
			return nil, errs.New(errs.KindInvalidArgument, "max_redirects must be >= 0, got %d", *opts.MaxRedirects)
		}
		spec.MaxRedirects = *opts.MaxRedirects
	}
	return spec, nil
}
