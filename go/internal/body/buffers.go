package body

import (
	"math/bits"
	"sync"
)

// bufferPool keeps read buffers of the pump's sizes (powers of two from pumpFirstChunk to
// pumpMaxChunk) for reuse across streams.
type bufferPool struct {
	classes [bufferClasses]sync.Pool
}

const bufferClasses = 6 // 8 KiB .. 256 KiB

var sharedBuffers = &bufferPool{}

// class is the index of the smallest class holding size bytes, or -1 beyond the largest.
func bufferClass(size int) int {
	if size <= pumpFirstChunk {
		return 0
	}
	c := bits.Len(uint(size-1)) - bits.Len(uint(pumpFirstChunk-1))
	if c >= bufferClasses {
		return -1
	}
	return c
}

func (b *bufferPool) get(size int) []byte {
	c := bufferClass(size)
	if c < 0 {
		return make([]byte, size)
	}
	if v, ok := b.classes[c].Get().(*[]byte); ok {
		return (*v)[:size]
	}
	return make([]byte, size, pumpFirstChunk<<c)
}

// put keeps buf for a later get; a buffer whose capacity is not exactly a class is dropped.
func (b *bufferPool) put(buf []byte) {
	c := bufferClass(cap(buf))
	if c < 0 || cap(buf) != pumpFirstChunk<<c {
		return
	}
	buf = buf[:cap(buf)]
	b.classes[c].Put(&buf)
}
