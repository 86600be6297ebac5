package notify

import (
	"testing"
	"time"
)

// readableWithin reports whether the notifier's descriptor has something to read within d
// (loopback delivery on Windows may take a moment after the send returns).
func readableWithin(t *testing.T, n *Notifier, d time.Duration) bool {
	t.Helper()
	deadline := time.Now().Add(d)
	for {
		if peekReadable(t, n.ReadFD) {
			return true
		}
		if time.Now().After(deadline) {
			return false
		}
		time.Sleep(time.Millisecond)
	}
}

func TestFiredStreamMakesTheDescriptorReadableUntilDrained(t *testing.T) {
	n, err := New()
	if err != nil {
		t.Fatal(err)
	}
	defer n.Close()
	var w Watch
	w.Bind(n, 7)
	w.Arm(func() bool { return false })
	if peekReadable(t, n.ReadFD) {
		t.Fatal("readable before anything fired")
	}
	w.Fire()
	w.Fire() // not armed any more: nothing more to tell
	if !readableWithin(t, n, 5*time.Second) {
		t.Fatal("not readable after a fire")
	}
	out := make([]int64, 4)
	if got := n.Drain(out); got != 1 || out[0] != 7 {
		t.Fatalf("drained %v, want [7]", out[:got])
	}
	if peekReadable(t, n.ReadFD) {
		t.Fatal("still readable after the drain")
	}
}

func TestMoreReadyThanFitStaysReadable(t *testing.T) {
	n, err := New()
	if err != nil {
		t.Fatal(err)
	}
	defer n.Close()
	for id := int64(1); id <= 3; id++ {
		n.post(id)
		n.post(id) // twice: listed once
	}
	out := make([]int64, 2)
	if !readableWithin(t, n, 5*time.Second) {
		t.Fatal("not readable after posts")
	}
	if got := n.Drain(out); got != 2 || out[0] != 1 || out[1] != 2 {
		t.Fatalf("first drain %v, want [1 2]", out[:got])
	}
	if !readableWithin(t, n, 5*time.Second) {
		t.Fatal("not readable with one id left")
	}
	if got := n.Drain(out); got != 1 || out[0] != 3 {
		t.Fatalf("second drain %v, want [3]", out[:got])
	}
}

func TestArmWithNewsAlreadyThereFiresAtOnce(t *testing.T) {
	n, err := New()
	if err != nil {
		t.Fatal(err)
	}
	defer n.Close()
	var w Watch
	w.Bind(n, 9)
	w.Arm(func() bool { return true })
	out := make([]int64, 1)
	if !readableWithin(t, n, 5*time.Second) || n.Drain(out) != 1 || out[0] != 9 {
		t.Fatal("arming with news did not report the stream")
	}
}

func TestPostAfterCloseIsIgnored(t *testing.T) {
	n, err := New()
	if err != nil {
		t.Fatal(err)
	}
	n.Close()
	n.Close()
	n.post(1) // must neither panic nor write to a closed socket
	if got := n.Drain(make([]int64, 1)); got != 0 {
		t.Fatalf("drained %d ids from a closed notifier", got)
	}
}
