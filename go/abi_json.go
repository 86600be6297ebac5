package main

// The JSON the C ABI carries, in the shapes httpcloak.h documents. The Go side below the
// exports works with typed values; this file is where they become JSON and back.

// metaJSON is hc_stream_meta's result.
type metaJSON struct {
	Status        int         `json:"status"`
	Reason        string      `json:"reason"`
	Proto         string      `json:"proto"`
	Headers       [][2]string `json:"headers"`
	ContentLength int64       `json:"content_length"`
	URL           string      `json:"url"`
	History       []hopJSON   `json:"history"`
}

// hopJSON is one redirect in metaJSON's history.
type hopJSON struct {
	Status  int         `json:"status"`
	Reason  string      `json:"reason"`
	Proto   string      `json:"proto"`
	URL     string      `json:"url"`
	Headers [][2]string `json:"headers"`
}

func metaJSONOf(m *Meta) metaJSON {
	out := metaJSON{
		Status: m.Status, Reason: m.Reason, Proto: m.Proto, Headers: m.Headers,
		ContentLength: m.ContentLength, URL: m.URL,
	}
	if m.History != nil {
		out.History = make([]hopJSON, len(m.History))
		for i, h := range m.History {
			out.History[i] = hopJSON(h)
		}
	}
	return out
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

func localProxyOptionsOf(raw []byte) (localProxyOptions, error) {
	var in localProxyJSON
	if err := decodeStrict(raw, &in); err != nil {
		return localProxyOptions{}, err
	}
	sess, ok := sessions.get(in.Session)
	if !ok {
		return localProxyOptions{}, newError(kindClosed, "session %d is closed or unknown", in.Session)
	}
	t, err := in.Timeout.resolve()
	if err != nil {
		return localProxyOptions{}, err
	}
	return localProxyOptions{
		Port: in.Port, Session: sess, Timeouts: t, MaxConnections: in.MaxConnections,
		TLSOnly: in.TLSOnly, TCPProxy: in.TCPProxy, Username: in.Username, Password: in.Password,
		AllowedTargets: in.AllowedTargets, AllowPrivateNetworks: in.AllowPrivateNetworks,
		TunnelIdleTimeout: in.TunnelIdleTimeout, Redact: processSecrets.redact,
	}, nil
}
