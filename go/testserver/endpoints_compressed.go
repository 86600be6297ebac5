package main

import (
	"bytes"
	"compress/gzip"
	"compress/zlib"
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"io"
	"net/http"
	"strconv"
	"strings"

	"github.com/andybalholm/brotli"
	"github.com/klauspost/compress/zstd"
)

// compressedWords feed compressedText; varied enough that the body only
// compresses a few times over, so compressed responses span many reads.
var compressedWords = strings.Fields(`alpha bravo charlie delta echo foxtrot golf hotel india
	juliet kilo lima mike november oscar papa quebec romeo sierra tango uniform victor
	whiskey xray yankee zulu quick brown fox jumps over lazy dog pack my box with five
	dozen liquor jugs sphinx of black quartz judge vow waltz nymph for jigs vex bud`)

// compressedText is the deterministic readable body /compressed encodes:
// lines "<5-digit line number> <12 words>\n" with words picked by a fixed
// linear congruential generator, cut to size bytes.
func compressedText(size int) []byte {
	body := make([]byte, 0, size+256)
	state := uint32(12345)
	for line := 0; len(body) < size; line++ {
		body = fmt.Appendf(body, "%05d", line)
		for range 12 {
			state = state*1664525 + 1013904223
			body = append(body, ' ')
			body = append(body, compressedWords[(state>>16)%uint32(len(compressedWords))]...)
		}
		body = append(body, '\n')
	}
	return body[:size]
}

// compressBody encodes plain with an HTTP content-coding. "deflate" is the
// zlib format, which is what HTTP's "deflate" means (RFC 9110 8.4.1.2).
func compressBody(encoding string, plain []byte, zstdOptions ...zstd.EOption) ([]byte, error) {
	var out bytes.Buffer
	var w io.WriteCloser
	var err error
	switch encoding {
	case "gzip":
		w = gzip.NewWriter(&out)
	case "deflate":
		w = zlib.NewWriter(&out)
	case "br":
		w = brotli.NewWriterLevel(&out, 5)
	case "zstd":
		w, err = zstd.NewWriter(&out, zstdOptions...)
	case "identity":
		return plain, nil
	default:
		return nil, fmt.Errorf("unknown encoding %q (gzip, br, zstd, deflate, identity)", encoding)
	}
	if err != nil {
		return nil, err
	}
	if _, err := w.Write(plain); err != nil {
		return nil, err
	}
	if err := w.Close(); err != nil {
		return nil, err
	}
	return out.Bytes(), nil
}

const maxCompressedSize = 256 << 20

// handleCompressed sends compressedText(?size=, default 100000) encoded with
// ?encoding= gzip|br|zstd|deflate|identity (default gzip). Content-Length is
// the compressed size unless ?chunked=1 (then flushed 4 KiB pieces). With
// ?truncate=1 only half the compressed bytes are sent before the
// connection/stream is killed. X-Uncompressed-Length and
// X-Uncompressed-Sha256 describe the decoded body for tests. ?zstd_window= sets the
// window a zstd frame declares (a power of two, 1 KiB to 512 MiB).
func handleCompressed(w http.ResponseWriter, r *http.Request) {
	encoding := queryString(r, "encoding", "gzip")
	size, ok := queryInt(r, "size", 100000)
	if !ok || size < 0 || size > maxCompressedSize {
		badRequest(w, fmt.Sprintf("size must be 0..%d", maxCompressedSize))
		return
	}
	zstdOptions, ok := zstdWindowOption(w, r, "zstd_window", 0)
	if !ok {
		return
	}
	plain := compressedText(int(size))
	encoded, err := compressBody(encoding, plain, zstdOptions...)
	if err != nil {
		badRequest(w, err.Error())
		return
	}
	chunked, truncate := queryBool(r, "chunked"), queryBool(r, "truncate")

	sum := sha256.Sum256(plain)
	h := w.Header()
	h.Set("Content-Type", "text/plain; charset=utf-8")
	if encoding != "identity" {
		h.Set("Content-Encoding", encoding)
	}
	h.Set("X-Uncompressed-Length", strconv.Itoa(len(plain)))
	h.Set("X-Uncompressed-Sha256", hex.EncodeToString(sum[:]))
	h.Set("X-Compressed-Length", strconv.Itoa(len(encoded)))
	if !chunked {
		h.Set("Content-Length", strconv.Itoa(len(encoded)))
	}
	w.WriteHeader(http.StatusOK)

	toSend := encoded
	if truncate {
		toSend = encoded[:len(encoded)/2]
	}
	for off := 0; off < len(toSend); {
		n := len(toSend) - off
		if chunked {
			n = min(n, 4<<10)
		}
		if _, err := w.Write(toSend[off : off+n]); err != nil {
			return
		}
		if chunked && flush(w) != nil {
			return
		}
		off += n
	}
	if truncate {
		abortResponse(w, r)
	}
}

// zstdWindowOption reads the window query parameter name (0: the encoder's own choice),
// answering 400 itself when it is bad.
func zstdWindowOption(w http.ResponseWriter, r *http.Request, name string, def int64) ([]zstd.EOption, bool) {
	window, ok := queryInt(r, name, def)
	if window == 0 && ok {
		return nil, true
	}
	if !ok || window < zstd.MinWindowSize || window > zstd.MaxWindowSize || window&(window-1) != 0 {
		badRequest(w, fmt.Sprintf("%s must be a power of two, %d..%d", name, zstd.MinWindowSize, zstd.MaxWindowSize))
		return nil, false
	}
	return []zstd.EOption{zstd.WithWindowSize(int(window))}, true
}

// maxBombSize bounds /zstd-bomb: a GiB of zeros is some 40 KB of zstd.
const maxBombSize = 4 << 30

// handleZstdBomb streams ?size= (default 1 GiB) zero bytes as zstd whose frame declares
// ?window= (default 512 MiB, the decoders' usual ceiling): a small response that decodes to
// a large body, encoded as it is sent so the server holds no more than the window.
func handleZstdBomb(w http.ResponseWriter, r *http.Request) {
	size, ok := queryInt(r, "size", 1<<30)
	if !ok || size < 0 || size > maxBombSize {
		badRequest(w, fmt.Sprintf("size must be 0..%d", int64(maxBombSize)))
		return
	}
	options, ok := zstdWindowOption(w, r, "window", zstd.MaxWindowSize)
	if !ok {
		return
	}
	enc, err := zstd.NewWriter(w, append(options, zstd.WithEncoderConcurrency(1))...)
	if err != nil {
		badRequest(w, err.Error())
		return
	}
	h := w.Header()
	h.Set("Content-Type", "application/octet-stream")
	h.Set("Content-Encoding", "zstd")
	h.Set("X-Uncompressed-Length", strconv.FormatInt(size, 10))
	zeros := make([]byte, 1<<20)
	for left := size; left > 0; {
		n := min(left, int64(len(zeros)))
		if _, err := enc.Write(zeros[:n]); err != nil {
			return
		}
		left -= n
	}
	_ = enc.Close()
}
