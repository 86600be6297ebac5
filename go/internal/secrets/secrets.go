// Package secrets keeps the proxy credentials that must never appear in an error message,
// and masks them.
package secrets

import (
	"net/url"
	"sort"
	"strings"
	"sync"
)

// Proxy credentials must never reach an error message: errors from the engine's proxy
// dialer may quote the proxy URL. A Registry holds the secrets of the sessions that
// use it, while they live; every message crossing the ABI passes through the process's
// registry's redact, which masks them all.
type Registry struct {
	mu    sync.RWMutex
	count map[string]int
}

func NewRegistry() *Registry {
	return &Registry{count: make(map[string]int)}
}

const redactedMark = "***"

// OfProxy are the strings of a proxy URL that must not be shown.
func OfProxy(raw string) []string {
	u, err := url.Parse(raw)
	if err != nil || u.User == nil {
		return nil
	}
	var out []string
	if password, ok := u.User.Password(); ok && password != "" {
		out = append(out, password, url.QueryEscape(password), url.PathEscape(password))
	}
	if u.User.String() != "" {
		out = append(out, u.User.String()+"@", u.User.Username()+":")
	}
	return out
}

// Register adds values (counted: several sessions may share one); a nil registry keeps
// nothing.
func (r *Registry) Register(values []string) {
	if r == nil {
		return
	}
	r.mu.Lock()
	defer r.mu.Unlock()
	for _, v := range values {
		r.count[v]++
	}
}

func (r *Registry) Forget(values []string) {
	if r == nil {
		return
	}
	r.mu.Lock()
	defer r.mu.Unlock()
	for _, v := range values {
		if r.count[v]--; r.count[v] <= 0 {
			delete(r.count, v)
		}
	}
}

// Redact masks every registered secret in message.
func (r *Registry) Redact(message string) string {
	if r == nil {
		return message
	}
	r.mu.RLock()
	ordered := make([]string, 0, len(r.count))
	for secret := range r.count {
		ordered = append(ordered, secret)
	}
	r.mu.RUnlock()
	// Longest first, so a whole "user:password@" goes before the password inside it.
	sort.Slice(ordered, func(i, j int) bool { return len(ordered[i]) > len(ordered[j]) })
	for _, secret := range ordered {
		switch {
		case strings.HasSuffix(secret, "@"):
			message = strings.ReplaceAll(message, secret, redactedMark+"@")
		case strings.HasSuffix(secret, ":"):
			message = strings.ReplaceAll(message, secret, redactedMark+":")
		default:
			message = strings.ReplaceAll(message, secret, redactedMark)
		}
	}
	return message
}
