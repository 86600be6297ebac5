package client

import (
	"testing"
	"time"
)

func TestRetryBackoffStaysWithinBounds(t *testing.T) {
	p := retryPolicy{waitMin: 100 * time.Millisecond, waitMax: time.Second}
	for attempt := range 40 {
		upper := min(p.waitMax, p.waitMin<<min(attempt, 30))
		for range 20 {
			if w := p.backoff(attempt); w < p.waitMin || w > upper {
				t.Fatalf("attempt %d waited %v, outside [%v, %v]", attempt, w, p.waitMin, upper)
			}
		}
	}
}
