package main

import "encoding/json"

// Process-wide operations (not tied to a session, e.g. registering a preset), run by
// hc_call; see calls.go.

type processCall func(args json.RawMessage) (any, error)

var processCalls = newOpRegistry[struct{}]("operation")

func registerProcessCall(op string, fn processCall) {
	processCalls.register(op, func(_ struct{}, args json.RawMessage) (any, error) { return fn(args) })
}

func runProcessCall(raw []byte) ([]byte, error) { return processCalls.run(struct{}{}, raw) }
