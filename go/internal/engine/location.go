package engine

import (
	"fmt"
	"reflect"

	http "github.com/bogdanfinn/fhttp"
	tlsclient "github.com/bogdanfinn/tls-client"
)

// The engine's http.Client parses a redirect's Location before it asks whether to follow
// it, so a malformed one ("http://[::1", "http://a b/") failed the request even with
// allow_redirects=False. We never let that client follow (the client's redirect loop does,
// and only there may a bad Location fail), so locationShield hides the Location of a 3xx
// from the client's loop: it files the values under the lower-case key, which the
// client's canonical lookup does not see and headerPairs reports as it always does
// (wire parsing only ever produces canonical keys, so nothing is overwritten).
type locationShield struct{ inner http.RoundTripper }

func (s locationShield) RoundTrip(req *http.Request) (*http.Response, error) {
	resp, err := s.inner.RoundTrip(req)
	if err != nil || resp == nil {
		return resp, err
	}
	switch resp.StatusCode {
	case 301, 302, 303, 307, 308:
		if values, ok := resp.Header["Location"]; ok {
			delete(resp.Header, "Location")
			resp.Header["location"] = values
		}
	}
	return resp, nil
}

// CloseIdleConnections reaches the wrapped transport, as http.Client.CloseIdleConnections
// looks for this method on its Transport.
func (s locationShield) CloseIdleConnections() {
	if closer, ok := s.inner.(interface{ CloseIdleConnections() }); ok {
		closer.CloseIdleConnections()
	}
}

// shieldLocations wraps the engine client's transport in a locationShield.
func shieldLocations(client tlsclient.HttpClient) error {
	v := reflect.ValueOf(client)
	if v.Kind() != reflect.Pointer || v.Elem().Kind() != reflect.Struct {
		return fmt.Errorf("engine client is a %s, not a pointer to a struct", v.Type())
	}
	field := v.Elem().FieldByName("Client").FieldByName("Transport")
	if !field.IsValid() || !field.CanSet() || field.IsNil() {
		return fmt.Errorf("engine client has no settable Client.Transport")
	}
	inner, ok := field.Interface().(http.RoundTripper)
	if !ok {
		return fmt.Errorf("engine transport %s is not a RoundTripper", field.Elem().Type())
	}
	field.Set(reflect.ValueOf(http.RoundTripper(locationShield{inner})))
	return nil
}
