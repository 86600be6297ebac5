package secrets

import (
	"strings"
	"testing"
)

func TestProxyCredentialsAreRedacted(t *testing.T) {
	hidden := OfProxy("http://alice:s3cr%40t@127.0.0.1:8080")
	registry := NewRegistry()
	registry.Register(hidden)
	msg := registry.Redact(`proxyconnect tcp: dial http://alice:s3cr%40t@127.0.0.1:8080 failed, password s3cr@t`)
	if strings.Contains(msg, "s3cr") || strings.Contains(msg, "alice:") {
		t.Fatalf("secret leaked: %s", msg)
	}
}
