package main

import (
	"encoding/json"
	"sort"

	"httpcloakpy/internal/errs"
)

// The local proxy's operations (hc_local_proxy_call; registry in calls.go).

var localProxyCalls = newOpRegistry[*localProxy]("local proxy operation")

func (p *localProxy) call(raw []byte) ([]byte, error) { return localProxyCalls.run(p, raw) }

func init() {
	localProxyCalls.register("stats", func(p *localProxy, args json.RawMessage) (any, error) {
		if err := decodeArgs(args, &struct{}{}); err != nil {
			return nil, err
		}
		return p.stats(), nil
	})
	localProxyCalls.register("register", func(p *localProxy, args json.RawMessage) (any, error) {
		var a struct {
			ID      string `json:"session_id"`
			Session int64  `json:"session"`
		}
		if err := decodeArgs(args, &a); err != nil {
			return nil, err
		}
		sess, ok := sessions.get(a.Session)
		if !ok {
			return nil, errs.New(errs.KindClosed, "session %d is closed or unknown", a.Session)
		}
		return true, p.register(a.ID, sess)
	})
	localProxyCalls.register("unregister", func(p *localProxy, args json.RawMessage) (any, error) {
		var a struct {
			ID string `json:"session_id"`
		}
		if err := decodeArgs(args, &a); err != nil {
			return nil, err
		}
		return p.unregister(a.ID), nil
	})
	localProxyCalls.register("sessions", func(p *localProxy, args json.RawMessage) (any, error) {
		if err := decodeArgs(args, &struct{}{}); err != nil {
			return nil, err
		}
		names := p.routeNames()
		sort.Strings(names)
		return names, nil
	})
}
