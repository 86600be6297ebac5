package main

import "encoding/json"

// The cookie jar's session operations (calls.go).
func init() {
	registerCall("cookies.list", func(s *session, args json.RawMessage) (any, error) {
		if err := decodeArgs(args, &struct{}{}); err != nil {
			return nil, err
		}
		return s.jar.list(), nil
	})
}
