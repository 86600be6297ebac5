package wake

import (
	"sync"
	"testing"
	"time"
)

// A close from another goroutine wakes the waiter at once, whatever its wait.
func TestWaitEndsWhenTheChannelCloses(t *testing.T) {
	var slot Slot
	ch := make(chan struct{})
	time.AfterFunc(20*time.Millisecond, func() {
		close(ch)
		slot.Notify()
	})
	started := time.Now()
	if !slot.Wait(ch, time.Minute) {
		t.Fatal("Wait reported the channel open")
	}
	if waited := time.Since(started); waited > 5*time.Second {
		t.Fatalf("woken after %v", waited)
	}
}

func TestWaitTimesOutAndSeesAnEarlierClose(t *testing.T) {
	var slot Slot
	ch := make(chan struct{})
	started := time.Now()
	if slot.Wait(ch, 30*time.Millisecond) {
		t.Fatal("Wait reported an open channel closed")
	}
	if waited := time.Since(started); waited < 30*time.Millisecond {
		t.Fatalf("gave up after %v of 30ms", waited)
	}
	if slot.Wait(ch, 0) {
		t.Fatal("a wait of 0 reported an open channel closed")
	}
	close(ch) // and no Notify(): a close before the wait needs none
	if !slot.Wait(ch, time.Minute) || !slot.Wait(ch, 0) {
		t.Fatal("a closed channel reported open")
	}
}

// Waiters at once on one slot (the second waits on the channel), and a wake left in a
// waiter that timed out, are harmless: every waiter returns when the channel closes.
func TestManyWaitersAndLateWakes(t *testing.T) {
	for round := 0; round < 50; round++ {
		var slot Slot
		ch := make(chan struct{})
		slot.Notify() // nobody waits: nothing happens
		if slot.Wait(ch, time.Millisecond) {
			t.Fatal("open channel reported closed")
		}
		var wg sync.WaitGroup
		woken := make(chan bool, 4)
		for range 4 {
			wg.Add(1)
			go func() {
				defer wg.Done()
				woken <- slot.Wait(ch, time.Minute)
			}()
		}
		time.Sleep(time.Millisecond)
		close(ch)
		slot.Notify()
		wg.Wait()
		for range 4 {
			if !<-woken {
				t.Fatal("a waiter missed the close")
			}
		}
	}
}
