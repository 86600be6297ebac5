package main

import (
	"bufio"
	"bytes"
	"errors"
	"fmt"
	"io"
	"strconv"
	"strings"
)

// The HTTP proxy relays messages byte for byte instead of re-serialising
// them with net/http, so header order and case reach the target (and the
// client) exactly as sent; the echo endpoints depend on that.

const (
	maxHeadBytes = 64 << 10
	maxLineBytes = 8 << 10
)

var errHeadTooLarge = errors.New("message head too large")

// httpHead is a request or status line plus the raw header lines, in order,
// without line endings.
type httpHead struct {
	first string
	lines []string
}

// readHead reads up to and including the blank line that ends a head.
// Blank lines before the first line are skipped (RFC 9112 section 2.2).
func readHead(br *bufio.Reader) (*httpHead, error) {
	h := &httpHead{}
	total := 0
	for {
		line, err := readLine(br)
		if err != nil {
			if err == io.EOF && (total > 0 || h.first != "") {
				err = io.ErrUnexpectedEOF
			}
			return nil, err
		}
		total += len(line) + 2
		if total > maxHeadBytes {
			return nil, errHeadTooLarge
		}
		switch {
		case h.first == "" && line == "":
			continue
		case h.first == "":
			h.first = line
		case line == "":
			return h, nil
		default:
			h.lines = append(h.lines, line)
		}
	}
}

// readLine returns one line without its LF or CRLF.
func readLine(br *bufio.Reader) (string, error) {
	var line []byte
	for {
		chunk, err := br.ReadSlice('\n')
		line = append(line, chunk...)
		if len(line) > maxLineBytes {
			return "", errHeadTooLarge
		}
		if err == bufio.ErrBufferFull {
			continue
		}
		if err != nil {
			if err == io.EOF && len(line) > 0 {
				err = io.ErrUnexpectedEOF
			}
			return "", err
		}
		line = bytes.TrimSuffix(line[:len(line)-1], []byte("\r"))
		return string(line), nil
	}
}

// values returns the trimmed values of every header line called name.
func (h *httpHead) values(name string) []string {
	var out []string
	for _, line := range h.lines {
		n, v, ok := strings.Cut(line, ":")
		if ok && strings.EqualFold(strings.TrimSpace(n), name) {
			out = append(out, strings.TrimSpace(v))
		}
	}
	return out
}

// hasToken reports whether a comma-separated header such as Connection
// lists token.
func (h *httpHead) hasToken(name, token string) bool {
	for _, v := range h.values(name) {
		for _, t := range strings.Split(v, ",") {
			if strings.EqualFold(strings.TrimSpace(t), token) {
				return true
			}
		}
	}
	return false
}

// bytes renders the head with first as its first line, leaving out the
// header lines named in drop.
func (h *httpHead) bytes(first string, drop ...string) []byte {
	var b bytes.Buffer
	b.WriteString(first + "\r\n")
	for _, line := range h.lines {
		n, _, _ := strings.Cut(line, ":")
		if !containsFold(drop, strings.TrimSpace(n)) {
			b.WriteString(line + "\r\n")
		}
	}
	b.WriteString("\r\n")
	return b.Bytes()
}

func containsFold(list []string, s string) bool {
	for _, item := range list {
		if strings.EqualFold(item, s) {
			return true
		}
	}
	return false
}

// bodyFraming says how a message body ends.
type bodyFraming struct {
	kind   int // framingNone, framingLength, framingChunked or framingClose
	length int64
}

const (
	framingNone = iota
	framingLength
	framingChunked
	framingClose // response read until the connection closes
)

// framing applies RFC 9112 section 6.3; requests never use framingClose.
func (h *httpHead) framing(isResponse bool) (bodyFraming, error) {
	if te := h.values("Transfer-Encoding"); len(te) > 0 {
		codings := strings.Split(strings.Join(te, ","), ",")
		if strings.EqualFold(strings.TrimSpace(codings[len(codings)-1]), "chunked") {
			return bodyFraming{kind: framingChunked}, nil
		}
		if isResponse {
			return bodyFraming{kind: framingClose}, nil
		}
		return bodyFraming{}, errors.New("request Transfer-Encoding without chunked")
	}
	if cl := h.values("Content-Length"); len(cl) > 0 {
		n, err := strconv.ParseInt(cl[0], 10, 64)
		for _, other := range cl[1:] {
			if other != cl[0] {
				err = errors.New("conflicting Content-Length")
			}
		}
		if err != nil || n < 0 {
			return bodyFraming{}, fmt.Errorf("bad Content-Length %q", cl[0])
		}
		return bodyFraming{kind: framingLength, length: n}, nil
	}
	if isResponse {
		return bodyFraming{kind: framingClose}, nil
	}
	return bodyFraming{}, nil
}

// copyBody relays one body as it arrives, keeping chunk boundaries, chunk
// extensions and trailers. A body cut short is io.ErrUnexpectedEOF.
func copyBody(dst io.Writer, src *bufio.Reader, f bodyFraming) error {
	switch f.kind {
	case framingLength:
		n, err := io.CopyN(dst, src, f.length)
		if err == io.EOF && n < f.length {
			err = io.ErrUnexpectedEOF
		}
		return err
	case framingChunked:
		return copyChunked(dst, src)
	case framingClose:
		_, err := io.Copy(dst, src)
		return err
	}
	return nil
}

func copyChunked(dst io.Writer, src *bufio.Reader) error {
	for {
		line, err := readLine(src)
		if err != nil {
			return eofIsUnexpected(err)
		}
		sizeText, _, _ := strings.Cut(line, ";")
		size, err := strconv.ParseInt(strings.TrimSpace(sizeText), 16, 64)
		if err != nil || size < 0 {
			return fmt.Errorf("bad chunk size line %q", line)
		}
		if _, err := io.WriteString(dst, line+"\r\n"); err != nil {
			return err
		}
		if size == 0 {
			return copyTrailer(dst, src)
		}
		if _, err := io.CopyN(dst, src, size); err != nil {
			return eofIsUnexpected(err)
		}
		if line, err := readLine(src); err != nil || line != "" {
			return eofIsUnexpected(errors.Join(err, errors.New("chunk not followed by CRLF")))
		}
		if _, err := io.WriteString(dst, "\r\n"); err != nil {
			return err
		}
	}
}

// copyTrailer relays trailer lines and the blank line that ends the body.
func copyTrailer(dst io.Writer, src *bufio.Reader) error {
	for {
		line, err := readLine(src)
		if err != nil {
			return eofIsUnexpected(err)
		}
		if _, err := io.WriteString(dst, line+"\r\n"); err != nil {
			return err
		}
		if line == "" {
			return nil
		}
	}
}

func eofIsUnexpected(err error) error {
	if errors.Is(err, io.EOF) {
		return io.ErrUnexpectedEOF
	}
	return err
}
