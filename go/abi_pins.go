package main

import (
	"httpcloakpy/internal/engine"
	"httpcloakpy/internal/errs"
)

// certPinOf reads op pins.add's arguments: exactly one of a pin and a PEM file.
func certPinOf(pin, file, host string, includeSubdomains bool) (engine.CertPin, error) {
	switch {
	case (pin == "") == (file == ""):
		return engine.CertPin{}, errs.New(errs.KindInvalidArgument, "pins.add needs exactly one of pin and file")
	case file != "":
		return engine.CertPinFromFile(file, host, includeSubdomains)
	}
	return engine.ParseCertPin(pin, host, includeSubdomains)
}

// certPinJSON is one pin in op pins.list's result.
type certPinJSON struct {
	Pin               string `json:"pin"`
	Host              string `json:"host"`
	IncludeSubdomains bool   `json:"include_subdomains"`
}

func certPinsJSON(pins []engine.CertPin) []certPinJSON {
	out := make([]certPinJSON, len(pins))
	for i, p := range pins {
		out[i] = certPinJSON{Pin: p.String(), Host: p.Host, IncludeSubdomains: p.IncludeSubdomains}
	}
	return out
}
