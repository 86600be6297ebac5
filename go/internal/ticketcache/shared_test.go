package ticketcache

import (
	"strings"
	"sync"
	"testing"
	"time"
)

// fakeBackend is a ticketBackend whose get can be made to hang.
type fakeBackend struct {
	mu      sync.Mutex
	values  map[string][]byte
	hang    chan struct{} // non-nil: get waits for it
	reports []string
}

func (f *fakeBackend) Get(key string) ([]byte, bool) {
	if f.hang != nil {
		<-f.hang
	}
	f.mu.Lock()
	defer f.mu.Unlock()
	v, ok := f.values[key]
	return v, ok
}

func (f *fakeBackend) Put(key string, value []byte, ttl time.Duration) {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.values[key] = value
}

func (f *fakeBackend) Delete(key string) {
	f.mu.Lock()
	defer f.mu.Unlock()
	delete(f.values, key)
}

func (f *fakeBackend) Report(op, key, message string) {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.reports = append(f.reports, op+" "+key+" "+message)
}

func (f *fakeBackend) waitReports(t *testing.T, n int) []string {
	t.Helper()
	deadline := time.Now().Add(5 * time.Second)
	for time.Now().Before(deadline) {
		f.mu.Lock()
		got := append([]string(nil), f.reports...)
		f.mu.Unlock()
		if len(got) >= n {
			return got
		}
		time.Sleep(time.Millisecond)
	}
	t.Fatalf("expected %d reports", n)
	return nil
}

func TestSharedTicketsGetIsBoundedAndGarbageIsAMiss(t *testing.T) {
	b := &fakeBackend{values: map[string][]byte{"httpcloak:sessions:X:system:bad": []byte("nope")}}
	shared := NewShared()
	shared.Configure(b, 50*time.Millisecond, time.Hour, nil)
	defer shared.Configure(nil, time.Second, time.Hour, nil)

	cache := NewCache("X", shared)
	if _, ok := cache.Get("bad"); ok {
		t.Fatal("a malformed value must be a miss")
	}
	if _, ok := cache.Get("absent"); ok {
		t.Fatal("an absent key must be a miss")
	}
	b.hang = make(chan struct{})
	defer close(b.hang)
	if _, ok := cache.Get("slow"); ok {
		t.Fatal("a get past the timeout must be a miss")
	}
	reports := b.waitReports(t, 2)
	if !strings.Contains(reports[0], "not a shared TLS session") || !strings.Contains(reports[1], "no answer within 50ms") {
		t.Fatalf("reports: %q", reports)
	}
}

func TestUnscopedCacheNeverAsksTheBackend(t *testing.T) {
	b := &fakeBackend{values: map[string][]byte{}, hang: make(chan struct{})}
	shared := NewShared()
	shared.Configure(b, time.Second, time.Hour, nil)
	defer shared.Configure(nil, time.Second, time.Hour, nil)
	defer close(b.hang)
	cache := NewCache("", shared) // no scope: saved-state tests, engines without a backend key
	if _, ok := cache.Get("host"); ok {
		t.Fatal("unexpected hit")
	}
	cache.Put("host", nil)
	if n := shared.writes.Load(); n != 0 {
		t.Fatalf("%d writes started", n)
	}
}
