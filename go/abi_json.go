package main

import (
	"httpcloakpy/internal/client"
	"httpcloakpy/internal/fingerprint"
	"httpcloakpy/internal/jar"
)

// The JSON the C ABI carries, in the shapes httpcloak.h documents. The Go side below the
// exports works with typed values; this file is where they become JSON and back.

// metaJSON is hc_stream_meta's result.
type metaJSON struct {
	Status        int         `json:"status"`
	Reason        string      `json:"reason"`
	Proto         string      `json:"proto"`
	Headers       [][2]string `json:"headers"`
	WireNames     []string    `json:"wire_names,omitempty"` // headers' names as received
	ContentLength int64       `json:"content_length"`
	URL           string      `json:"url"`
	History       []hopJSON   `json:"history"`
}

// redirectJSON is hc_stream_meta's result while a redirect waits for the caller's decision
// (a request opened with "on_redirect": true): {"redirect": {...}}.
type redirectJSON struct {
	Redirect redirectHopJSON `json:"redirect"`
}

type redirectHopJSON struct {
	Hop         int         `json:"hop"`
	Status      int         `json:"status"`
	Headers     [][2]string `json:"headers"`
	From        string      `json:"from"`
	To          string      `json:"to"`
	Method      string      `json:"method"`
	CrossOrigin bool        `json:"cross_origin"`
	Downgrade   bool        `json:"downgrade"`
}

// hopJSON is one redirect in metaJSON's history.
type hopJSON struct {
	Status  int         `json:"status"`
	Reason  string      `json:"reason"`
	Proto   string      `json:"proto"`
	URL     string      `json:"url"`
	Headers [][2]string `json:"headers"`
}

func metaJSONOf(m *client.Meta) metaJSON {
	out := metaJSON{
		Status: m.Status, Reason: m.Reason, Proto: m.Proto, Headers: m.Headers,
		WireNames: m.WireNames, ContentLength: m.ContentLength, URL: m.URL,
	}
	if m.History != nil {
		out.History = make([]hopJSON, len(m.History))
		for i, h := range m.History {
			out.History[i] = hopJSON(h)
		}
	}
	return out
}

// cookieJSON is a cookie as the cookie ops and saved states carry it.
type cookieJSON struct {
	Name     string  `json:"name"`
	Value    string  `json:"value"`
	Domain   string  `json:"domain"`
	Path     string  `json:"path"`
	Expires  float64 `json:"expires"` // unix seconds; 0 for a session cookie
	Secure   bool    `json:"secure"`
	HTTPOnly bool    `json:"http_only"`
	SameSite string  `json:"same_site"`
}

func cookiesJSON(list []jar.Cookie) []cookieJSON {
	out := make([]cookieJSON, len(list))
	for i, c := range list {
		out[i] = cookieJSON(c)
	}
	return out
}

// tlsSessionJSON is one resumable TLS session in a saved state (state.export/import).
type tlsSessionJSON struct {
	Key    string `json:"key"`
	Ticket []byte `json:"ticket"`
	State  []byte `json:"state"`
	Scope  string `json:"scope,omitempty"`
}

// sessionCacheStatsJSON is the result of op session_cache_stats.
type sessionCacheStatsJSON struct {
	Configured bool  `json:"configured"`
	Gets       int64 `json:"gets"`
	Hits       int64 `json:"hits"`
	Puts       int64 `json:"puts"`
	Deletes    int64 `json:"deletes"`
	Timeouts   int64 `json:"timeouts"`
	Errors     int64 `json:"errors"`
	InFlight   int64 `json:"in_flight"`
}

// presetJSON is one preset in hc_presets' list; a custom one also says what it adds.
type presetJSON struct {
	Name    string      `json:"name"`
	Alias   string      `json:"alias_of,omitempty"`
	Engine  string      `json:"engine_profile"`
	Headers [][2]string `json:"headers"`
	// What the preset stands for: browser, its version, platform, and whether its wire
	// shape was captured here, published, or derived (docs/fingerprints.md).
	Browser  string `json:"browser"`
	Version  string `json:"version"`
	Platform string `json:"platform"`
	Source   string `json:"source"`
	*customPresetJSON
}

type customPresetJSON struct {
	Custom       bool                 `json:"custom"`
	BasedOn      string               `json:"based_on"`
	JA3          string               `json:"ja3,omitempty"`
	Akamai       string               `json:"akamai,omitempty"`
	ExtraFP      *fingerprint.ExtraFP `json:"extra_fp,omitempty"`
	DisableHTTP3 bool                 `json:"disable_http3"`
}

func presetsJSON(list []fingerprint.Description) []presetJSON {
	out := make([]presetJSON, len(list))
	for i, p := range list {
		out[i] = presetJSON{Name: p.Name, Alias: p.AliasOf, Engine: p.Engine, Headers: p.Headers,
			Browser: p.Browser, Version: p.Version, Platform: p.Platform, Source: p.Source}
		if c := p.Custom; c != nil {
			out[i].customPresetJSON = &customPresetJSON{Custom: true, BasedOn: c.BasedOn, JA3: c.JA3,
				Akamai: c.Akamai, ExtraFP: c.ExtraFP, DisableHTTP3: c.DisableHTTP3}
		}
	}
	return out
}

// sessionStateJSON is a session's saved state (state.export, state.import).
type sessionStateJSON struct {
	Cookies     []cookieJSON     `json:"cookies"`
	TLSSessions []tlsSessionJSON `json:"tls_sessions"`
}

// sessionStatsJSON is the result of session.stats.
type sessionStatsJSON struct {
	CreatedAt    float64 `json:"created_at"` // unix seconds
	LastUsed     float64 `json:"last_used"`  // unix seconds
	AgeSeconds   float64 `json:"age_seconds"`
	IdleSeconds  float64 `json:"idle_seconds"`
	RequestCount int64   `json:"request_count"`
	OpenStreams  int     `json:"open_streams"`
	CookieCount  int     `json:"cookie_count"`
	CacheEntries int     `json:"cache_entry_count"` // upstream's name
	TLSSessions  int     `json:"tls_sessions"`      // resumable TLS sessions held
	Identifier   string  `json:"identifier"`
}

// localProxyStatsJSON is the result of the local proxy's stats.
type localProxyStatsJSON struct {
	Running           bool  `json:"running"`
	Port              int   `json:"port"`
	ActiveConnections int64 `json:"active_connections"`
	TotalRequests     int64 `json:"total_requests"`
	Tunnels           int64 `json:"tunnels"`
	Failures          int64 `json:"failures"`
	Sessions          int   `json:"sessions"`
}
