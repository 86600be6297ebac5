package main

import (
	"net/url"
	"sort"
	"strings"
	"sync"
)

// Proxy credentials must never reach an error message: errors from the engine's proxy
// dialer may quote the proxy URL. Every message crossing the ABI passes through redact,
// which masks the secrets of all live sessions.
var secrets = struct {
	mu    sync.RWMutex
	count map[string]int
}{count: make(map[string]int)}

const redactedMark = "***"

// proxySecrets are the strings of a proxy URL that must not be shown.
func proxySecrets(raw string) []string {
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

func registerSecrets(values []string) {
	secrets.mu.Lock()
	defer secrets.mu.Unlock()
	for _, v := range values {
		secrets.count[v]++
	}
}

func forgetSecrets(values []string) {
	secrets.mu.Lock()
	defer secrets.mu.Unlock()
	for _, v := range values {
		if secrets.count[v]--; secrets.count[v] <= 0 {
			delete(secrets.count, v)
		}
	}
}

func redact(message string) string {
	secrets.mu.RLock()
	ordered := make([]string, 0, len(secrets.count))
	for secret := range secrets.count {
		ordered = append(ordered, secret)
	}
	secrets.mu.RUnlock()
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
