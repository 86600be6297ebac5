package main

import (
	"net/http"
)

// Every binary body this server sends (/bytes, /stream-bytes, /big,
// /truncated, /chunked-unterminated, /stall) uses one formula:
//
//	byte i of the body = (i * 7) mod 251
//
// The period 251 is prime, so it never lines up with chunk or buffer
// boundaries and a reordered or duplicated chunk changes the content;
// byte 0 is 0x00, so NUL bytes occur every 251 bytes.
const patternPeriod = 251

// maxPatternWrite is the largest single write; /big uses 64 KiB writes.
const maxPatternWrite = 1 << 20

// patternBuf holds the pattern from offset 0 for patternPeriod+maxPatternWrite
// bytes, so any slice [k, k+n) with k < patternPeriod is available without
// allocating.
var patternBuf = func() []byte {
	b := make([]byte, patternPeriod+maxPatternWrite)
	for i := range b {
		b[i] = byte(i * 7 % patternPeriod)
	}
	return b
}()

// patternAt returns the n body bytes starting at body offset off (n <= maxPatternWrite).
func patternAt(off int64, n int) []byte {
	start := int(off % patternPeriod)
	return patternBuf[start : start+n]
}

// writePattern writes body bytes [off, off+n) in writes of at most chunk
// bytes, flushing after each write when flushEach is set.
func writePattern(w http.ResponseWriter, off, n int64, chunk int, flushEach bool) error {
	chunk = max(1, min(chunk, maxPatternWrite))
	for n > 0 {
		size := int(min(int64(chunk), n))
		if _, err := w.Write(patternAt(off, size)); err != nil {
			return err
		}
		if flushEach {
			if err := flush(w); err != nil {
				return err
			}
		}
		off += int64(size)
		n -= int64(size)
	}
	return nil
}
