package main

import (
	"encoding/json"
	"time"

	"httpcloakpy/internal/errs"
	"httpcloakpy/internal/jar"
	"httpcloakpy/internal/wire"
)

// The cookie jar's session operations (calls.go).
func init() {
	registerCall("cookies.list", callCookiesList)
	registerCall("cookies.set", callCookiesSet)
	registerCall("cookies.delete", callCookiesDelete)
	registerCall("cookies.clear", func(s *session, args json.RawMessage) (any, error) {
		if err := decodeArgs(args, &struct{}{}); err != nil {
			return nil, err
		}
		s.jar.Clear()
		return nil, nil
	})
}

// cookies.list {url?}: every cookie, or only those a request to url would carry, in the
// order it would carry them.
func callCookiesList(s *session, args json.RawMessage) (any, error) {
	var a struct {
		URL *string `json:"url"`
	}
	if err := decodeArgs(args, &a); err != nil {
		return nil, err
	}
	if a.URL == nil {
		return cookiesJSON(s.jar.List(nil)), nil
	}
	u, err := wire.ValidateURL(*a.URL)
	if err != nil {
		return nil, err
	}
	return cookiesJSON(s.jar.List(u)), nil
}

// cookies.set {name, value, domain, path, expires, secure, http_only, same_site}: domain
// ".example.com" makes a domain cookie, "example.com" a host-only one. An expires in the
// past deletes the cookie, as a browser would.
func callCookiesSet(s *session, args json.RawMessage) (any, error) {
	var c cookieJSON
	if err := decodeArgs(args, &c); err != nil {
		return nil, err
	}
	if s.jar.Disabled {
		return nil, errs.New(errs.KindInvalidArgument, "this session has no cookie jar (without_cookie_jar=True)")
	}
	e, err := jar.NewEntry(jar.Cookie(c))
	if err != nil {
		return nil, err
	}
	s.jar.Put(e, time.Now())
	return nil, nil
}

// cookies.delete {name, domain?, path?}: returns how many cookies were removed.
func callCookiesDelete(s *session, args json.RawMessage) (any, error) {
	var a struct {
		Name   string  `json:"name"`
		Domain *string `json:"domain"`
		Path   *string `json:"path"`
	}
	if err := decodeArgs(args, &a); err != nil {
		return nil, err
	}
	return s.jar.Remove(a.Name, a.Domain, a.Path), nil
}
