package main

import (
	"net/url"
	"strings"

	"httpcloakpy/internal/errs"
	"httpcloakpy/internal/targets"
	"httpcloakpy/internal/wire"
)

// requestOptions is the JSON hc_stream_open receives. The caller sends resolved values:
// no field falls back to a session default here except the headers, merged over the
// session's.
type requestOptions struct {
	Method         string       `json:"method"`
	URL            string       `json:"url"`
	Headers        [][2]string  `json:"headers"`
	Timeout        *timeoutJSON `json:"timeout"`
	AllowRedirects *bool        `json:"allow_redirects"`
	MaxRedirects   *int         `json:"max_redirects"`
	// ContentLength of a streamed body (body_len -1), when the caller knows it.
	ContentLength *int64 `json:"content_length"`
	// DropHeaders names headers this request does not send at all: removed after the
	// merge, so a session or preset header of that name is left out too, on every
	// redirect hop (requests' headers={name: None}).
	DropHeaders []string `json:"drop_headers"`
}

// requestSpec is a validated request, ready for the redirect loop.
type requestSpec struct {
	method         string
	url            *url.URL
	headers        [][2]string
	body           *requestBody // nil: no body
	upload         *upload      // a streamed body instead of body, or nil
	timeouts       timeouts
	allowRedirects bool
	maxRedirects   int
	dropHeaders    []string       // names never sent, checked again on every hop
	guard          *targets.Guard // a local proxy's: addresses its connections must not reach
}

// parseRequest validates a request; streamed tells that the body will be written with
// hc_stream_write instead of arriving in body.
func parseRequest(raw []byte, body *requestBody, streamed bool, sess *session) (*requestSpec, error) {
	var opts requestOptions
	if err := wire.DecodeStrict(raw, &opts); err != nil {
		return nil, err
	}
	method := strings.ToUpper(opts.Method) // no trimming: "GET\r\n" is refused, not repaired
	if method == "" {
		method = "GET"
	}
	if !wire.IsToken(method) {
		return nil, errs.New(errs.KindInvalidArgument, "invalid HTTP method %q", opts.Method)
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
	t, err := opts.Timeout.resolve()
	if err != nil {
		return nil, err
	}
	spec := &requestSpec{
		method:         method,
		url:            u,
		headers:        wire.WithoutHeaders(wire.MergeHeaders(sess.baseHeaders(), opts.Headers), opts.DropHeaders...),
		body:           body,
		timeouts:       t,
		allowRedirects: opts.AllowRedirects == nil || *opts.AllowRedirects,
		maxRedirects:   defaultMaxRedirects,
		dropHeaders:    opts.DropHeaders,
	}
	if streamed {
		length := int64(-1)
		if opts.ContentLength != nil {
			if *opts.ContentLength < 0 {
				return nil, errs.New(errs.KindInvalidArgument, "content_length must be >= 0, got %d", *opts.ContentLength)
			}
			length = *opts.ContentLength
		}
		spec.upload = newUpload(length)
	} else if opts.ContentLength != nil {
		return nil, errs.New(errs.KindInvalidArgument, "content_length is only for a streamed body (body_len -1)")
	}
	if opts.MaxRedirects != nil {
		if *opts.MaxRedirects < 0 {
			return nil, errs.New(errs.KindInvalidArgument, "max_redirects must be >= 0, got %d", *opts.MaxRedirects)
		}
		spec.maxRedirects = *opts.MaxRedirects
	}
	return spec, nil
}
