package body

import (
	"bufio"
	"compress/flate"
	"compress/gzip"
	"compress/zlib"
	"errors"
	"io"
	"strings"

	"httpcloakpy/internal/errs"
	"httpcloakpy/internal/wire"

	"github.com/andybalholm/brotli"
	"github.com/klauspost/compress/zstd"
)

// Decode undoes Content-Encoding in our layer, so every protocol decodes alike and a
// compressed body cut short surfaces the decoder's unexpected-EOF as a truncation.
// The returned reader closes raw when closed.
func Decode(raw io.ReadCloser, headers [][2]string) (io.ReadCloser, error) {
	encoding, _ := wire.HeaderValue(headers, "content-encoding")
	encoding = strings.ToLower(strings.TrimSpace(encoding))
	switch encoding {
	case "", "identity":
		return raw, nil
	case "gzip", "x-gzip":
		return &lazyDecoder{raw: raw, open: func(r io.Reader) (io.Reader, func(), error) {
			zr, err := gzip.NewReader(r)
			return zr, func() {}, err
		}}, nil
	case "deflate":
		return &lazyDecoder{raw: raw, open: openDeflate}, nil
	case "br":
		return &lazyDecoder{raw: raw, open: func(r io.Reader) (io.Reader, func(), error) {
			return brotli.NewReader(r), func() {}, nil
		}}, nil
	case "zstd":
		return &lazyDecoder{raw: raw, open: openZstd}, nil
	}
	// An encoding we cannot undo is passed through untouched; the caller sees the header.
	return raw, nil
}

// zstdMaxWindow is the largest window a zstd response may ask for: 8 MiB, as RFC 9659
// requires of HTTP's zstd and browsers enforce (a single-segment frame's window is its
// whole content). The library's default of 512 MiB let a 45 KB response claim hundreds of
// MiB of memory.
const zstdMaxWindow = 8 << 20

func openZstd(r io.Reader) (io.Reader, func(), error) {
	zr, err := zstd.NewReader(r, zstd.WithDecoderConcurrency(1),
		zstd.WithDecoderMaxWindow(zstdMaxWindow), zstd.WithDecoderLowmem(true))
	if err != nil {
		return nil, nil, zstdError(err)
	}
	return zstdReader{zr}, zr.Close, nil
}

// zstdReader says what the library calls a size limit: the frame's window is too big.
type zstdReader struct{ *zstd.Decoder }

func (z zstdReader) Read(p []byte) (int, error) {
	n, err := z.Decoder.Read(p)
	return n, zstdError(err)
}

func zstdError(err error) error {
	if errors.Is(err, zstd.ErrWindowSizeExceeded) || errors.Is(err, zstd.ErrDecoderSizeExceeded) {
		return errs.New(errs.KindProtocol,
			"zstd response declares a window over %d MiB, the most browsers accept (RFC 9659): refused", zstdMaxWindow>>20)
	}
	return err
}

// openDeflate accepts what browsers accept for "deflate": the zlib format the RFC names,
// and the raw deflate stream some servers send instead.
func openDeflate(r io.Reader) (io.Reader, func(), error) {
	br := bufio.NewReader(r)
	head, err := br.Peek(2)
	if err != nil {
		return nil, nil, err
	}
	if head[0]&0x0f == 8 && (uint16(head[0])<<8|uint16(head[1]))%31 == 0 {
		zr, err := zlib.NewReader(br)
		if err != nil {
			return nil, nil, err
		}
		return zr, func() { _ = zr.Close() }, nil
	}
	fr := flate.NewReader(br)
	return fr, func() { _ = fr.Close() }, nil
}

// lazyDecoder opens its decompressor on first read, since opening gzip reads the header
// and must not block the moment the response headers arrived.
type lazyDecoder struct {
	raw     io.ReadCloser
	open    func(io.Reader) (io.Reader, func(), error)
	dec     io.Reader
	release func()
	err     error
}

func (d *lazyDecoder) Read(p []byte) (int, error) {
	if d.err != nil {
		return 0, d.err
	}
	if d.dec == nil {
		dec, release, err := d.open(d.raw)
		if err != nil {
			d.err = asTruncation(err)
			return 0, d.err
		}
		d.dec, d.release = dec, release
	}
	n, err := d.dec.Read(p)
	if err != nil && err != io.EOF {
		d.err = asTruncation(err)
		return n, d.err
	}
	return n, err
}

// asTruncation turns a decoder meeting the end of its input early into io.ErrUnexpectedEOF,
// which is classified as a truncated body; other decoder errors stay protocol errors.
func asTruncation(err error) error {
	if err == io.EOF {
		return io.ErrUnexpectedEOF
	}
	return err
}

func (d *lazyDecoder) Close() error {
	if d.release != nil {
		d.release()
	}
	return d.raw.Close()
}
