package client

import (
	"context"
	"errors"
	"testing"
	"time"
)

// A hop posted by the exchange is seen by the reader, and the reader's answer reaches the
// exchange; a cancelled exchange stops waiting with the cause; a decision with no hop
// waiting is refused.
func TestHopGateHandsEachHopToTheReader(t *testing.T) {
	fired := make(chan struct{}, 8)
	g := newHopGate(func() { fired <- struct{}{} })
	if err := g.decide(true); err == nil {
		t.Fatal("a decision with no hop waiting was taken")
	}
	answers := make(chan bool, 2)
	go func() {
		for hop := 1; hop <= 2; hop++ {
			follow, err := g.ask(context.Background(), &Redirect{Hop: hop})
			if err != nil {
				t.Error(err)
			}
			answers <- follow
		}
	}()
	for hop, want := range []bool{true, false} {
		<-g.posted
		<-fired
		r := g.waiting()
		if r == nil || r.Hop != hop+1 {
			t.Fatalf("hop %d: waiting is %+v", hop+1, r)
		}
		if err := g.decide(want); err != nil {
			t.Fatal(err)
		}
		if got := <-answers; got != want {
			t.Fatalf("hop %d: the exchange got %v, want %v", hop+1, got, want)
		}
	}
	cause := errors.New("closed by the reader")
	ctx, cancel := context.WithCancelCause(context.Background())
	done := make(chan error, 1)
	go func() {
		_, err := g.ask(ctx, &Redirect{Hop: 3})
		done <- err
	}()
	<-g.posted
	cancel(cause)
	select {
	case err := <-done:
		if !errors.Is(err, cause) {
			t.Fatalf("got %v, want the cancel cause", err)
		}
	case <-time.After(5 * time.Second):
		t.Fatal("a cancelled exchange went on waiting for a decision")
	}
	if g.waiting() != nil {
		t.Fatal("the cancelled hop is still offered")
	}
}
