package client

import (
	"time"

	"httpcloakpy/internal/errs"
	"httpcloakpy/internal/jar"
)

// Jar is the session's cookie jar (its forks share it).
func (s *Session) Jar() *jar.Jar { return s.jar }

// SetCookie stores a cookie a user gives: domain ".example.com" makes a domain cookie,
// "example.com" a host-only one. An expires in the past deletes the cookie, as a browser
// would.
func (s *Session) SetCookie(c jar.Cookie) error {
	if s.jar.Disabled {
		return errs.New(errs.KindInvalidArgument, "this session has no cookie jar (without_cookie_jar=True)")
	}
	e, err := jar.NewEntry(c)
	if err != nil {
		return err
	}
	s.jar.Put(e, time.Now())
	return nil
}
