package client

import (
	"slices"

	"httpcloakpy/internal/engine"
)

// PinCertificate adds a certificate pin; the engine is rebuilt, so no connection made
// before the pin (and never checked against it) is used again.
func (s *Session) PinCertificate(pin engine.CertPin) error {
	return s.net.rebuild(func(cfg *engine.Config) error {
		cfg.Pins = append(slices.Clip(cfg.Pins), pin)
		return nil
	})
}

// ClearPins removes every pin.
func (s *Session) ClearPins() error {
	return s.net.rebuild(func(cfg *engine.Config) error {
		cfg.Pins = nil
		return nil
	})
}

// Pins are the session's certificate pins, in the order added.
func (s *Session) Pins() []engine.CertPin { return s.net.config().Pins }
