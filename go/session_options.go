package main

import (
	"encoding/json"
	"time"

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
	// Custom fingerprint over the preset's (custom_fingerprint.go).
	JA3     string          `json:"ja3"`
	Akamai  string          `json:"akamai"`
	ExtraFP json.RawMessage `json:"extra_fp"`
	// WithoutCookieJar: no cookie is stored or sent automatically (per-request ones are).
	WithoutCookieJar bool `json:"without_cookie_jar"`
	// WithoutClientHints: the preset's sec-ch-* headers are not sent (client_hints.go).
	WithoutClientHints bool `json:"without_client_hints"`
	netOptionsJSON          // connect_to, local_address, ...
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

func (t *timeoutJSON) resolve() (timeouts, error) {
	var out timeouts
	if t == nil {
		return out, nil
	}
	var err error
	if out.connect, err = wire.Seconds("connect", t.Connect); err != nil {
		return out, err
	}
	if out.read, err = wire.Seconds("read", t.Read); err != nil {
		return out, err
	}
	if out.total, err = wire.Seconds("total", t.Total); err != nil {
		return out, err
	}
	return out, nil
}

// netOptionsJSON are the options of netOptions (netopts.go), at the top level of the
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
}
