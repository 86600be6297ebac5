package engine

// TLS session tickets that outlive the process: the engine keeps them in a cache we own,
// so a saved session can carry them and a restored one resumes TLS (pre_shared_key).
//
// tls-client keeps its ClientSessionCache in an unexported field of its unexported round
// tripper, with no option to supply one, and only creates it when it believes the profile
// resumes sessions. It decides that from the profile's name ("Chrome-133"), which maps to
// utls' built-in spec without pre_shared_key, so even its chrome_133_PSK profile never
// resumes. installTicketCache looks at the spec the profile really sends and, when it has
// a pre_shared_key extension, sets our cache by reflection right after the client is built,
// before any connection. TestTicketCacheInstalls fails loudly if the engine's layout changes.

import (
	"fmt"
	"reflect"
	"unsafe"

	"httpcloakpy/internal/ticketcache"

	tlsclient "github.com/bogdanfinn/tls-client"
	"github.com/bogdanfinn/tls-client/profiles"
	tls "github.com/bogdanfinn/utls"
)

// installTicketCache gives the engine a ticketcache.Cache (keep when given, else a fresh one
// sharing with shared) checking with trust. It returns nil (and leaves the engine alone)
// when the profile's ClientHello has no pre_shared_key extension, so resumption is never
// added to a fingerprint that lacks it.
func installTicketCache(client tlsclient.HttpClient, profile profiles.ClientProfile, keep *ticketcache.Cache, shared ticketcache.SharedStore, trust ticketcache.Trust) (*ticketcache.Cache, error) {
	if !offersPSK(profile) {
		return nil, nil
	}
	field, err := engineSessionCacheField(client)
	if err != nil {
		return nil, err
	}
	cache := keep
	if cache == nil {
		cache = ticketcache.NewCache(profile.GetClientHelloStr(), shared)
	}
	cache.SetTrust(trust)
	field.Set(reflect.ValueOf(tls.ClientSessionCache(cache)))
	return cache, nil
}

func offersPSK(profile profiles.ClientProfile) bool {
	id := profile.GetClientHelloId()
	if id.SpecFactory == nil {
		return false
	}
	spec, err := id.ToSpec()
	if err != nil {
		return false
	}
	for _, ext := range spec.Extensions {
		if _, ok := ext.(*tls.UtlsPreSharedKeyExtension); ok {
			return true
		}
	}
	return false
}

// engineSessionCacheField is the settable clientSessionCache field of the client's round
// tripper (httpClient.Client.Transport.(*roundTripper).clientSessionCache).
func engineSessionCacheField(client tlsclient.HttpClient) (reflect.Value, error) {
	v := reflect.ValueOf(client)
	if v.Kind() != reflect.Pointer || v.Elem().Kind() != reflect.Struct {
		return reflect.Value{}, fmt.Errorf("engine client is a %s, not a pointer to a struct", v.Type())
	}
	transport := v.Elem().FieldByName("Client").FieldByName("Transport")
	if !transport.IsValid() || transport.IsNil() {
		return reflect.Value{}, fmt.Errorf("engine client has no Client.Transport")
	}
	rt := transport.Elem()
	if rt.Kind() != reflect.Pointer || rt.Elem().Kind() != reflect.Struct {
		return reflect.Value{}, fmt.Errorf("engine transport is a %s", rt.Type())
	}
	field := rt.Elem().FieldByName("clientSessionCache")
	want := reflect.TypeOf((*tls.ClientSessionCache)(nil)).Elem()
	if !field.IsValid() || field.Type() != want {
		return reflect.Value{}, fmt.Errorf("engine transport %s has no clientSessionCache of type %s", rt.Type(), want)
	}
	return reflect.NewAt(field.Type(), unsafe.Pointer(field.UnsafeAddr())).Elem(), nil
}
