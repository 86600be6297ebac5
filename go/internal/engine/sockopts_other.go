//go:build !linux

package engine

import "httpcloakpy/internal/errs"

func socketOptionsSupported() error {
	return errs.New(errs.KindInvalidArgument, "the tcp_* options are implemented for Linux only")
}

func checkWindowScale(int) error { return socketOptionsSupported() }

func (s socketConfig) apply(int, string) error { return socketOptionsSupported() }
