package main

// The JSON the C ABI receives besides the op arguments (ops.go): hc_session_new's options,
// hc_stream_open's request, hc_local_proxy_start's options. Each becomes the typed options
// of the package that uses it.

import (
	"encoding/json"

	"httpcloakpy/internal/body"
	"httpcloakpy/internal/client"
	"httpcloakpy/internal/engine"
	"httpcloakpy/internal/errs"
	"httpcloakpy/internal/fingerprint"
	"httpcloakpy/internal/localproxy"
	"httpcloakpy/internal/wire"
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
	// Custom fingerprint over the preset's (package fingerprint).
	JA3     string          `json:"ja3"`
	Akamai  string          `json:"akamai"`
	ExtraFP json.RawMessage `json:"extra_fp"`
	// WithoutCookieJar: no cookie is stored or sent automatically (per-request ones are).
	WithoutCookieJar bool `json:"without_cookie_jar"`
	// WithoutClientHints: the preset's sec-ch-* headers are not sent.
	WithoutClientHints bool `json:"without_client_hints"`
	// WithoutConditionalCache: no validators (ETag, Last-Modified) are sent back.
	WithoutConditionalCache bool `json:"without_conditional_cache"`
	// WithoutHighEntropyClientHints: Accept-CH is not answered with high-entropy hints.
	WithoutHighEntropyClientHints bool `json:"without_high_entropy_client_hints"`
	netOptionsJSON                     // connect_to, local_address, ...
	retryOptionsJSON                   // retry, retry_on_status, ...
}

// timeoutJSON carries seconds as floats; null or absent means "no limit".
type timeoutJSON struct {
	Connect *float64 `json:"connect"`
	Read    *float64 `json:"read"`
	Total   *float64 `json:"total"`
}

func (t *timeoutJSON) resolve() (client.Timeouts, error) {
	var out client.Timeouts
	if t == nil {
		return out, nil
	}
	var err error
	if out.Connect, err = wire.Seconds("connect", t.Connect); err != nil {
		return out, err
	}
	if out.Read, err = wire.Seconds("read", t.Read); err != nil {
		return out, err
	}
	if out.Total, err = wire.Seconds("total", t.Total); err != nil {
		return out, err
	}
	return out, nil
}

// netOptionsJSON are the options of engine.NetOptions, at the top level of the
// session options.
type netOptionsJSON struct {
	TCPProxy        string            `json:"tcp_proxy"`
	UDPProxy        string            `json:"udp_proxy"`
	ConnectTo       map[string]string `json:"connect_to"`
	PreferIPv4      bool              `json:"prefer_ipv4"`
	LocalAddress    string            `json:"local_address"`
	KeyLogFile      string            `json:"key_log_file"`
	TLSOnly         bool              `json:"tls_only"`
	DisableHTTP3    bool              `json:"disable_http3"`
	QUICIdleTimeout *float64          `json:"quic_idle_timeout"`
	ECHConfigDomain string            `json:"ech_config_domain"`
	DisableECH      bool              `json:"disable_ech"`

	// tcp_ttl, tcp_mss, tcp_window_size, tcp_window_scale, tcp_df
	engine.SocketOptions
}

// retryOptionsJSON are the options of RetryOptions, at the top level of the session
// options.
type retryOptionsJSON struct {
	Retry         int      `json:"retry"`
	RetryOnStatus []int    `json:"retry_on_status"`
	RetryWaitMin  *float64 `json:"retry_wait_min"`
	RetryWaitMax  *float64 `json:"retry_wait_max"`
	RetryMethods  []string `json:"retry_methods"`
}

// requestJSON is the request hc_stream_open receives (RequestOptions, with the timeouts in
// seconds).
type requestJSON struct {
	Method         string       `json:"method"`
	URL            string       `json:"url"`
	Headers        [][2]string  `json:"headers"`
	Timeout        *timeoutJSON `json:"timeout"`
	AllowRedirects *bool        `json:"allow_redirects"`
	MaxRedirects   *int         `json:"max_redirects"`
	ContentLength  *int64       `json:"content_length"` // streamed bodies (body_len -1) only
	DropHeaders    []string     `json:"drop_headers"`
	// Per-request fingerprint switches, by the upstream bindings' names.
	DisableConditionalCache bool     `json:"disable_conditional_cache"`
	DisableClientHints      bool     `json:"disable_client_hints"`
	DisableHighEntropyHints bool     `json:"disable_high_entropy_client_hints"`
	HeaderOrder             []string `json:"header_order"` // nil: the session's
	ExactHeaders            bool     `json:"exact_headers"`
	DisableRedirectReferer  bool     `json:"disable_redirect_referer"`
	// What the request is for, as the other bindings name it: Sec-Fetch-Mode and -Dest.
	FetchMode string `json:"fetch_mode"`
	FetchDest string `json:"fetch_dest"`
	// OnRedirect: each redirect hop waits for the caller's decision (hc_stream_meta
	// returns it as {"redirect": ...}; the op redirect.decide answers).
	OnRedirect bool `json:"on_redirect"`
}

// parseRequest decodes and validates a request for sess; streamed tells that the body will
// be written with hc_stream_write instead of arriving in payload.
func parseRequest(raw []byte, payload *body.Held, streamed bool, sess *client.Session) (*client.Request, error) {
	var in requestJSON
	if err := wire.DecodeStrict(raw, &in); err != nil {
		return nil, err
	}
	return requestOf(in, payload, streamed, sess)
}

// requestOf validates a decoded request for sess (hc_stream_open's JSON, or the arguments
// of hc_stream_open_plain).
func requestOf(in requestJSON, payload *body.Held, streamed bool, sess *client.Session) (*client.Request, error) {
	t, err := in.Timeout.resolve()
	if err != nil {
		return nil, err
	}
	kind, err := fingerprint.ParseRequestKind(in.FetchMode, in.FetchDest)
	if err != nil {
		return nil, err
	}
	return sess.NewRequest(client.RequestOptions{
		Method: in.Method, URL: in.URL, Headers: in.Headers, Timeouts: t,
		AllowRedirects: in.AllowRedirects, MaxRedirects: in.MaxRedirects,
		ContentLength: in.ContentLength, DropHeaders: in.DropHeaders,
		WithoutConditionalCache: in.DisableConditionalCache, WithoutClientHints: in.DisableClientHints,
		HeaderOrder: in.HeaderOrder, ExactHeaders: in.ExactHeaders,
		WithoutRedirectReferer:        in.DisableRedirectReferer,
		WithoutHighEntropyClientHints: in.DisableHighEntropyHints,
		Kind:                          kind, RedirectHook: in.OnRedirect,
	}, payload, streamed)
}

// sessionOptionsOf decodes hc_session_new's options; the session uses the process's
// services.
func sessionOptionsOf(raw []byte) (client.Options, error) {
	var in sessionOptions
	if len(raw) > 0 {
		if err := wire.DecodeStrict(raw, &in); err != nil {
			return client.Options{}, err
		}
	}
	extra, err := fingerprint.ParseExtraFP(in.ExtraFP)
	if err != nil {
		return client.Options{}, err
	}
	return client.Options{
		Preset: in.Preset, HTTPVersion: in.HTTPVersion, Verify: in.Verify == nil || *in.Verify,
		CAFile: in.CAFile, Proxy: in.Proxy, Headers: in.Headers,
		Fingerprint:      fingerprint.Fingerprint{JA3: in.JA3, Akamai: in.Akamai, Extra: extra},
		WithoutCookieJar: in.WithoutCookieJar, WithoutClientHints: in.WithoutClientHints,
		WithoutConditionalCache:       in.WithoutConditionalCache,
		WithoutHighEntropyClientHints: in.WithoutHighEntropyClientHints,
		Net:                           engine.NetOptions(in.netOptionsJSON), Retry: client.RetryOptions(in.retryOptionsJSON),
		Secrets: processSecrets, SharedTickets: sharedSessions,
	}, nil
}

// localProxyJSON is hc_local_proxy_start's options; the session is a handle.
type localProxyJSON struct {
	Port                 int          `json:"port"`
	Session              int64        `json:"session"`
	Timeout              *timeoutJSON `json:"timeout"`
	MaxConnections       int          `json:"max_connections"`
	TLSOnly              bool         `json:"tls_only"`
	TCPProxy             string       `json:"tcp_proxy"`
	Username             string       `json:"username"`
	Password             string       `json:"password"`
	AllowedTargets       []string     `json:"allowed_targets"`
	AllowPrivateNetworks bool         `json:"allow_private_networks"`
	TunnelIdleTimeout    *float64     `json:"tunnel_idle_timeout"`
}

func localProxyOptionsOf(raw []byte) (localproxy.Options, error) {
	var in localProxyJSON
	if err := wire.DecodeStrict(raw, &in); err != nil {
		return localproxy.Options{}, err
	}
	sess, ok := sessions.get(in.Session)
	if !ok {
		return localproxy.Options{}, errs.New(errs.KindClosed, "session %d is closed or unknown", in.Session)
	}
	t, err := in.Timeout.resolve()
	if err != nil {
		return localproxy.Options{}, err
	}
	return localproxy.Options{
		Port: in.Port, Session: sess, Timeouts: t, MaxConnections: in.MaxConnections,
		TLSOnly: in.TLSOnly, TCPProxy: in.TCPProxy, Username: in.Username, Password: in.Password,
		AllowedTargets: in.AllowedTargets, AllowPrivateNetworks: in.AllowPrivateNetworks,
		TunnelIdleTimeout: in.TunnelIdleTimeout, Redact: processSecrets.Redact,
	}, nil
}
