package body

import (
	"sync/atomic"
	"testing"
	"time"
)

// One read that waits the limit expires the watch, measured from that read's start; reads
// that each end in time, and time spent between reads, never do.
func TestSilenceWatchCountsOneReadAtATime(t *testing.T) {
	const limit = 60 * time.Millisecond
	var expired atomic.Int64 // when, after start
	start := time.Now()
	w := watchSilence(limit, func() { expired.Store(int64(time.Since(start))) })
	defer w.stop()
	for range 6 { // 6 short reads over 2.5 limits
		w.reading()
		time.Sleep(limit / 3)
		w.idle()
		time.Sleep(limit / 12)
	}
	time.Sleep(limit + limit/2) // idle, not reading: no silence
	if expired.Load() != 0 {
		t.Fatalf("expired at %v without a read waiting the limit", time.Duration(expired.Load()))
	}
	began := time.Since(start)
	w.reading()
	deadline := time.Now().Add(10 * limit)
	for expired.Load() == 0 && time.Now().Before(deadline) {
		time.Sleep(time.Millisecond)
	}
	after := time.Duration(expired.Load()) - began
	if expired.Load() == 0 || after < limit || after > 5*limit {
		t.Fatalf("a read waiting since %v expired %v later (limit %v)", began, after, limit)
	}
}

func TestSilenceWatchStopsForGood(t *testing.T) {
	var fired atomic.Bool
	w := watchSilence(10*time.Millisecond, func() { fired.Store(true) })
	w.reading()
	w.stop()
	time.Sleep(50 * time.Millisecond)
	if fired.Load() {
		t.Fatal("a stopped watch expired")
	}
}
