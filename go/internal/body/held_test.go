package body

import (
	"bytes"
	"errors"
	"io"
	"testing"
)

func TestBorrowedBodyIsReadFromItsStartByEveryReaderUntilReleased(t *testing.T) {
	memory := []byte("the caller's buffer")
	body := Borrowed(memory)
	if body.Size() != int64(len(memory)) {
		t.Fatalf("size %d, want %d", body.Size(), len(memory))
	}
	for attempt := range 2 { // a retry or a 307/308 reads it again from the start
		got, err := io.ReadAll(body.Reader())
		if err != nil || !bytes.Equal(got, memory) {
			t.Fatalf("attempt %d read %q, %v", attempt, got, err)
		}
	}
	pending := body.Reader()
	first := make([]byte, 4)
	if n, err := pending.Read(first); n != 4 || err != nil {
		t.Fatalf("first read: %d, %v", n, err)
	}
	body.Release()
	if n, err := pending.Read(first); n != 0 || !errors.Is(err, errBodyReleased) {
		t.Fatalf("a read after release must fail without touching the memory: %d, %v", n, err)
	}
	if _, err := io.ReadAll(body.Reader()); !errors.Is(err, errBodyReleased) {
		t.Fatalf("a new reader after release must fail: %v", err)
	}
}

func TestCopiedBodyIsUnaffectedByRelease(t *testing.T) {
	body := Copied([]byte("owned"))
	body.Release()
	if got, err := io.ReadAll(body.Reader()); err != nil || string(got) != "owned" {
		t.Fatalf("read %q, %v", got, err)
	}
	if Copied(nil) != nil || (*Held)(nil).Size() != 0 {
		t.Fatal("no body must be a nil *requestBody of size 0")
	}
	(*Held)(nil).Release()
}
