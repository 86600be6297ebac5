package main

import (
	"testing"
)

func TestHandleTableRefusesForgedAndClosedIDs(t *testing.T) {
	table := newHandleTable[string](1 << 20)
	id := table.add("x")
	if _, ok := table.get(0); ok {
		t.Fatal("id 0 resolved")
	}
	if _, ok := table.get(id + 1); ok {
		t.Fatal("a never-issued id resolved")
	}
	if v, ok := table.take(id); !ok || v != "x" {
		t.Fatal("take failed")
	}
	if _, ok := table.take(id); ok {
		t.Fatal("closed id taken twice")
	}
	if !table.issued(id) || table.issued(id+1) || table.len() != 0 {
		t.Fatal("issued/len bookkeeping wrong")
	}
}
