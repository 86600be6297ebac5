package main

import (
	"encoding/json"
	"runtime/debug"
	"sort"
	"strings"

	"httpcloakpy/internal/client"
	"httpcloakpy/internal/echdns"
	"httpcloakpy/internal/errs"
	"httpcloakpy/internal/fingerprint"
	"httpcloakpy/internal/jar"
	"httpcloakpy/internal/localproxy"
	"httpcloakpy/internal/ticketcache"
	"httpcloakpy/internal/wire"
)

// The op table: every operation off the hot path that crosses the C ABI as
// {"op": name, "args": {...}} with a JSON result, by target: hc_session_call (a session),
// hc_call (process-wide) and hc_local_proxy_call (a local proxy). Arguments are decoded
// strictly (absent: {}), so a misspelt one is an error; an unknown op is too.

// sessionOps are hc_session_call's operations.
var sessionOps = ops[*client.Session]{what: "session operation", table: map[string]op[*client.Session]{
	// cookies.list {url?}: every cookie, or only those a request to url would carry, in
	// the order it would carry them.
	"cookies.list": withArgs(func(s *client.Session, a struct {
		URL *string `json:"url"`
	}) (any, error) {
		if a.URL == nil {
			return cookiesJSON(s.Jar().List(nil)), nil
		}
		u, err := wire.ValidateURL(*a.URL)
		if err != nil {
			return nil, err
		}
		return cookiesJSON(s.Jar().List(u)), nil
	}),
	// cookies.set {name, value, domain, path, expires, secure, http_only, same_site}.
	"cookies.set": withArgs(func(s *client.Session, c cookieJSON) (any, error) {
		return nil, s.SetCookie(jar.Cookie(c))
	}),
	// cookies.delete {name, domain?, path?}: how many cookies were removed.
	"cookies.delete": withArgs(func(s *client.Session, a struct {
		Name   string  `json:"name"`
		Domain *string `json:"domain"`
		Path   *string `json:"path"`
	}) (any, error) {
		return s.Jar().Remove(a.Name, a.Domain, a.Path), nil
	}),
	"cookies.clear": withArgs(func(s *client.Session, _ noArgs) (any, error) {
		s.Jar().Clear()
		return nil, nil
	}),
	"headers.set": withArgs(func(s *client.Session, a struct {
		Headers [][2]string `json:"headers"`
	}) (any, error) {
		return nil, s.SetHeaders(a.Headers)
	}),
	"header_order.set": withArgs(func(s *client.Session, a struct {
		Order []string `json:"order"`
	}) (any, error) {
		return nil, s.SetHeaderOrder(a.Order)
	}),
	"header_order.get": withArgs(func(s *client.Session, _ noArgs) (any, error) {
		return s.HeaderOrder(), nil
	}),
	"client_hints.set": withArgs(func(s *client.Session, a struct {
		Enabled *bool `json:"enabled"`
	}) (any, error) {
		if a.Enabled == nil {
			return nil, errs.New(errs.KindInvalidArgument, "client_hints.set needs enabled: true or false")
		}
		s.SetClientHints(*a.Enabled)
		return nil, nil
	}),
	"client_hints.get": withArgs(func(s *client.Session, _ noArgs) (any, error) {
		return s.ClientHints(), nil
	}),
	// high_entropy_client_hints.set {enabled}: answer Accept-CH with the preset's
	// high-entropy hints, or not.
	"high_entropy_client_hints.set": withArgs(func(s *client.Session, a struct {
		Enabled *bool `json:"enabled"`
	}) (any, error) {
		if a.Enabled == nil {
			return nil, errs.New(errs.KindInvalidArgument, "high_entropy_client_hints.set needs enabled: true or false")
		}
		s.SetHighEntropyClientHints(*a.Enabled)
		return nil, nil
	}),
	"high_entropy_client_hints.get": withArgs(func(s *client.Session, _ noArgs) (any, error) {
		return s.HighEntropyClientHints(), nil
	}),
	// The conditional cache: validators (ETag, Last-Modified) sent back per URL.
	"conditional_cache.set": withArgs(func(s *client.Session, a struct {
		Enabled *bool `json:"enabled"`
	}) (any, error) {
		if a.Enabled == nil {
			return nil, errs.New(errs.KindInvalidArgument, "conditional_cache.set needs enabled: true or false")
		}
		s.SetConditionalCache(*a.Enabled)
		return nil, nil
	}),
	"conditional_cache.get": withArgs(func(s *client.Session, _ noArgs) (any, error) {
		return s.ConditionalCache(), nil
	}),
	"conditional_cache.clear": withArgs(func(s *client.Session, _ noArgs) (any, error) {
		s.ClearCache()
		return nil, nil
	}),
	// proxy.set {proxy} ("": direct): a change applies to requests started after it.
	"proxy.set": withArgs(func(s *client.Session, a proxyArgs) (any, error) {
		return nil, s.SetProxy(a.Proxy)
	}),
	"proxy.get": withArgs(func(s *client.Session, _ noArgs) (any, error) {
		return s.Proxy(), nil
	}),
	"udp_proxy.set": withArgs(func(s *client.Session, a proxyArgs) (any, error) {
		return nil, s.SetUDPProxy(a.Proxy)
	}),
	"udp_proxy.get": withArgs(func(s *client.Session, _ noArgs) (any, error) {
		return s.UDPProxy(), nil
	}),
	// pins.add {pin | file, host?, include_subdomains?}: a certificate pin (SHA-256 of a
	// public key, or the key of the certificate in a PEM file) for host, or every host.
	"pins.add": withArgs(func(s *client.Session, a struct {
		Pin               string `json:"pin"`
		File              string `json:"file"`
		Host              string `json:"host"`
		IncludeSubdomains bool   `json:"include_subdomains"`
	}) (any, error) {
		pin, err := certPinOf(a.Pin, a.File, a.Host, a.IncludeSubdomains)
		if err != nil {
			return nil, err
		}
		return nil, s.PinCertificate(pin)
	}),
	"pins.clear": withArgs(func(s *client.Session, _ noArgs) (any, error) {
		return nil, s.ClearPins()
	}),
	// pins.list: [{pin: "sha256/...", host, include_subdomains}].
	"pins.list": withArgs(func(s *client.Session, _ noArgs) (any, error) {
		return certPinsJSON(s.Pins()), nil
	}),
	// session.refresh {protocol?}: drop the connections; a protocol switches to it.
	"session.refresh": withArgs(func(s *client.Session, a struct {
		Protocol string `json:"protocol"`
	}) (any, error) {
		return nil, s.Refresh(a.Protocol)
	}),
	"session.stats": withArgs(func(s *client.Session, _ noArgs) (any, error) {
		return sessionStatsJSON(s.Stats()), nil
	}),
	"session.touch": withArgs(func(s *client.Session, _ noArgs) (any, error) {
		s.Touch()
		return nil, nil
	}),
	"session.identifier.set": withArgs(func(s *client.Session, a struct {
		Identifier string `json:"identifier"`
	}) (any, error) {
		return nil, s.SetIdentifier(a.Identifier)
	}),
	// session.fork {n}: n sessions like this one, as more tabs of the same browser (the
	// same cookie jar, their own connections); their handles.
	"session.fork": withArgs(forkSession),
	// state.export / state.import: cookies and resumable TLS sessions, which the Python
	// side wraps with the version and the options that recreate the session.
	"state.export": withArgs(func(s *client.Session, _ noArgs) (any, error) {
		cookies, saved, err := s.ExportState()
		if err != nil {
			return nil, err
		}
		out := sessionStateJSON{Cookies: cookiesJSON(cookies), TLSSessions: []tlsSessionJSON{}}
		for _, one := range saved {
			out.TLSSessions = append(out.TLSSessions, tlsSessionJSON(one))
		}
		return out, nil
	}),
	"state.import": withArgs(func(s *client.Session, in sessionStateJSON) (any, error) {
		cookies := make([]jar.Cookie, len(in.Cookies))
		for i, c := range in.Cookies {
			cookies[i] = jar.Cookie(c)
		}
		saved := make([]ticketcache.Saved, len(in.TLSSessions))
		for i, one := range in.TLSSessions {
			saved[i] = ticketcache.Saved(one)
		}
		return nil, s.ImportState(cookies, saved)
	}),
}}

// processOps are hc_call's operations.
var processOps = ops[struct{}]{what: "operation", table: map[string]op[struct{}]{
	// redirect.decide {stream, follow}: the answer to the redirect hc_stream_meta returned
	// for a stream opened with on_redirect: follow it, or stop there (the 3xx is the
	// response). To fail the request instead, close the stream.
	"redirect.decide": withArgs(func(_ struct{}, a struct {
		Stream int64 `json:"stream"`
		Follow *bool `json:"follow"`
	}) (any, error) {
		st, ok := streams.get(a.Stream)
		if !ok {
			return nil, errs.New(errs.KindClosed, "the stream is closed (by close(), or with its session)")
		}
		if a.Follow == nil {
			return nil, errs.New(errs.KindInvalidArgument, "redirect.decide needs follow: true or false")
		}
		return nil, st.DecideRedirect(*a.Follow)
	}),
	// preset.register {json}: a preset from its JSON document; {name}.
	"preset.register": withArgs(func(_ struct{}, a struct {
		JSON string `json:"json"`
	}) (any, error) {
		name, err := fingerprint.Register([]byte(a.JSON))
		if err != nil {
			return nil, err
		}
		return presetNameJSON{Name: name}, nil
	}),
	"preset.unregister": withArgs(func(_ struct{}, a presetNameJSON) (any, error) {
		return struct{}{}, fingerprint.Unregister(a.Name)
	}),
	"session_cache_stats": withArgs(func(_ struct{}, _ noArgs) (any, error) {
		return sessionCacheStatsJSON(sharedSessions.Stats()), nil
	}),
	// ech_dns_servers.set {servers} ([]: the system's) / .get: the DNS servers ECH
	// configurations are looked up with (package echdns).
	"ech_dns_servers.set": withArgs(func(_ struct{}, a struct {
		Servers []string `json:"servers"`
	}) (any, error) {
		return nil, echdns.SetServers(a.Servers)
	}),
	"ech_dns_servers.get": withArgs(func(_ struct{}, _ noArgs) (any, error) {
		return append([]string{}, echdns.Servers()...), nil
	}),
	// memory.trim: collect, then give freed memory back to the system now (Go returns it
	// lazily), for a worker that finished a batch or a memory-capped container.
	"memory.trim": withArgs(func(_ struct{}, _ noArgs) (any, error) {
		debug.FreeOSMemory()
		return nil, nil
	}),
}}

// localProxyOps are hc_local_proxy_call's operations.
var localProxyOps = ops[*localproxy.Proxy]{what: "local proxy operation", table: map[string]op[*localproxy.Proxy]{
	"stats": withArgs(func(p *localproxy.Proxy, _ noArgs) (any, error) {
		return localProxyStatsJSON(p.Stats()), nil
	}),
	// register {session_id, session}: route requests naming session_id to that session.
	"register": withArgs(func(p *localproxy.Proxy, a struct {
		ID      string `json:"session_id"`
		Session int64  `json:"session"`
	}) (any, error) {
		sess, ok := sessions.get(a.Session)
		if !ok {
			return nil, errs.New(errs.KindClosed, "session %d is closed or unknown", a.Session)
		}
		return true, p.Register(a.ID, sess)
	}),
	// unregister {session_id}: whether it was registered.
	"unregister": withArgs(func(p *localproxy.Proxy, a struct {
		ID string `json:"session_id"`
	}) (any, error) {
		return p.Unregister(a.ID), nil
	}),
	"sessions": withArgs(func(p *localproxy.Proxy, _ noArgs) (any, error) {
		return p.RouteNames(), nil
	}),
}}

// maxForks bounds one fork call; each fork is a full session with its own connections.
const maxForks = 256

func forkSession(s *client.Session, a struct {
	N int `json:"n"`
}) (any, error) {
	if a.N < 1 || a.N > maxForks {
		return nil, errs.New(errs.KindInvalidArgument, "fork needs 1 to %d sessions, got %d", maxForks, a.N)
	}
	handles := make([]int64, 0, a.N)
	for range a.N {
		child, err := s.Fork()
		if err != nil {
			for _, h := range handles {
				if sess, ok := sessions.take(h); ok {
					sess.Close()
				}
			}
			return nil, err
		}
		handles = append(handles, sessions.add(child))
	}
	return handles, nil
}

type (
	noArgs    struct{}
	proxyArgs struct {
		Proxy string `json:"proxy"`
	}
	presetNameJSON struct {
		Name string `json:"name"`
	}
)

// op is one operation on a target of type T: its arguments, its JSON-able result.
type op[T any] func(target T, args json.RawMessage) (any, error)

// withArgs makes an op of a function of its decoded arguments.
func withArgs[T, A any](fn func(T, A) (any, error)) op[T] {
	return func(target T, raw json.RawMessage) (any, error) {
		var args A
		if len(raw) == 0 || string(raw) == "null" {
			raw = json.RawMessage("{}")
		}
		if err := wire.DecodeStrict(raw, &args); err != nil {
			return nil, err
		}
		return fn(target, args)
	}
}

// ops are the operations on one kind of target.
type ops[T any] struct {
	what  string // how errors name an operation: "session operation", ...
	table map[string]op[T]
}

type callJSON struct {
	Op   string          `json:"op"`
	Args json.RawMessage `json:"args"`
}

// run decodes {"op","args"}, runs the operation on target and encodes its result.
func (o ops[T]) run(target T, raw []byte) ([]byte, error) {
	var c callJSON
	if err := wire.DecodeStrict(raw, &c); err != nil {
		return nil, err
	}
	fn, ok := o.table[c.Op]
	if !ok {
		return nil, errs.New(errs.KindInvalidArgument, "unknown %s %q (known: %s)", o.what, c.Op, o.known())
	}
	result, err := fn(target, c.Args)
	if err != nil {
		return nil, err
	}
	data, err := json.Marshal(result)
	if err != nil {
		return nil, errs.New(errs.KindInternal, "encoding the result of %s: %v", c.Op, err)
	}
	return data, nil
}

func (o ops[T]) known() string {
	names := make([]string, 0, len(o.table))
	for name := range o.table {
		names = append(names, name)
	}
	sort.Strings(names)
	return strings.Join(names, ", ")
}
