package engine

import (
	"errors"
	"net"
	"os"
	"testing"
	"time"
)

// loopbackPair is a connected pair of TCP sockets on loopback: ours and the server's end.
func loopbackPair(t *testing.T) (ours, theirs net.Conn) {
	t.Helper()
	listener, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer listener.Close()
	accepted := make(chan net.Conn, 1)
	go func() {
		conn, _ := listener.Accept()
		accepted <- conn
	}()
	ours, err = net.Dial("tcp", listener.Addr().String())
	if err != nil {
		t.Fatal(err)
	}
	theirs = <-accepted
	t.Cleanup(func() { ours.Close(); theirs.Close() })
	return ours, theirs
}

// closedByUs reports whether the server's end sees our close within a second.
func closedByUs(theirs net.Conn) bool {
	_ = theirs.SetReadDeadline(time.Now().Add(time.Second))
	_, err := theirs.Read(make([]byte, 1))
	return err != nil && !errors.Is(err, os.ErrDeadlineExceeded)
}

// An idle connection is taken again until engineIdleTimeout; after that the pool closes it
// instead of handing it out, without a timer of its own.
func TestH1IdleExpiresAConnectionWhenItIsNext(t *testing.T) {
	var pool h1Idle
	ours, theirs := loopbackPair(t)
	pool.put(newH1Conn("a:80", ours))
	if pc := pool.take("a:80", true); pc == nil { // replayable: taken where its state cannot be asked too
		t.Fatal("a connection idle for a moment was not taken")
	} else {
		pool.put(pc)
	}
	pool.conns["a:80"][0].idleSince = time.Now().Add(-engineIdleTimeout)
	if pc := pool.take("a:80", true); pc != nil {
		t.Fatal("a connection idle for engineIdleTimeout was handed out")
	}
	if !closedByUs(theirs) {
		t.Fatal("the expired connection was not closed")
	}
}

// The pool's use also closes the expired connections of other origins, at most once per
// idlePruneEvery: a session that moved on from a host does not keep its sockets.
func TestH1IdlePrunesOtherOriginsAsItIsUsed(t *testing.T) {
	var pool h1Idle
	old, oldServer := loopbackPair(t)
	pool.put(newH1Conn("old:80", old))
	pool.conns["old:80"][0].idleSince = time.Now().Add(-engineIdleTimeout)
	fresh, _ := loopbackPair(t)
	pool.pruned = time.Now() // a look just happened: this put makes none
	pool.put(newH1Conn("new:80", fresh))
	if pool.total != 2 {
		t.Fatalf("%d idle connections, want 2 before the next look", pool.total)
	}
	pool.pruned = time.Now().Add(-idlePruneEvery)
	if pc := pool.take("new:80", true); pc == nil {
		t.Fatal("the fresh connection was not taken")
	}
	if pool.total != 0 || pool.conns["old:80"] != nil {
		t.Fatalf("the expired connection of another origin is still filed (%d idle)", pool.total)
	}
	if !closedByUs(oldServer) {
		t.Fatal("the expired connection of another origin was not closed")
	}
}
