package main

import (
	"net/url"
	"strings"
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
}

// requestSpec is a validated request, ready for the redirect loop.
type requestSpec struct {
	method         string
	url            *url.URL
	headers        [][2]string
	body           []byte
	timeouts       timeouts
	allowRedirects bool
	maxRedirects   int
}

func parseRequest(raw []byte, body []byte, sess *session) (*requestSpec, error) {
	var opts requestOptions
	if err := decodeStrict(raw, &opts); err != nil {
		return nil, err
	}
	method := strings.ToUpper(strings.TrimSpace(opts.Method))
	if method == "" {
		method = "GET"
	}
	if !isToken(method) {
		return nil, newError(kindInvalidArgument, "invalid HTTP method %q", opts.Method)
	}
	u, err := validateURL(opts.URL)
	if err != nil {
		return nil, err
	}
	if err := validateHeaders(opts.Headers); err != nil {
		return nil, err
	}
	t, err := opts.Timeout.resolve()
	if err != nil {
		return nil, err
	}
	spec := &requestSpec{
		method:         method,
		url:            u,
		headers:        mergeHeaders(sess.headers, opts.Headers),
		body:           body,
		timeouts:       t,
		allowRedirects: opts.AllowRedirects == nil || *opts.AllowRedirects,
		maxRedirects:   defaultMaxRedirects,
	}
	if opts.MaxRedirects != nil {
		if *opts.MaxRedirects < 0 {
			return nil, newError(kindInvalidArgument, "max_redirects must be >= 0, got %d", *opts.MaxRedirects)
		}
		spec.maxRedirects = *opts.MaxRedirects
	}
	return spec, nil
}
