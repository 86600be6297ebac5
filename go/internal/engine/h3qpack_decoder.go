package engine

// The QPACK decoder with a dynamic table (RFC 9204) that the browsers' SETTINGS announce:
// it reads the server's encoder stream, decodes response field sections that refer to the
// table (waiting, within the announced number of blocked streams, for inserts still on their
// way) and tells the server on our decoder stream what it received (Section Acknowledgment,
// Insert Count Increment). Plugged into quic-go-utls' http3 package by our patch 0051.

import (
	"bufio"
	"context"
	"errors"
	"fmt"
	"io"
	"sync"

	"github.com/quic-go/qpack"
	"golang.org/x/net/http2/hpack"
)

// qpackEntryOverhead is what an entry counts beyond its name and value (RFC 9204, 3.2.1).
const qpackEntryOverhead = 32

var errQPACKBlockedLimit = errors.New("qpack: more blocked streams than announced")

type qpackDecoder struct {
	maxCapacity uint64
	maxBlocked  uint64
	out         io.Writer // our decoder stream

	mu       sync.Mutex
	inserted chan struct{} // closed and replaced on every insert: wakes blocked sections
	capacity uint64
	size     uint64
	entries  [][2]string // entries[i] has absolute index dropped+i
	dropped  uint64      // entries evicted
	blocked  uint64      // sections waiting for inserts
	acked    uint64      // the insert count the server knows we received
	writing  sync.Mutex  // keeps decoder stream instructions in the order they were made
}

func newQPACKDecoder(maxCapacity, maxBlocked uint64, decoderStream io.Writer) *qpackDecoder {
	return &qpackDecoder{maxCapacity: maxCapacity, maxBlocked: maxBlocked, out: decoderStream, inserted: make(chan struct{})}
}

func (d *qpackDecoder) insertCount() uint64 { return d.dropped + uint64(len(d.entries)) }

// EncoderStream applies the server's encoder instructions; after each batch read it
// acknowledges the inserts with an Insert Count Increment.
func (d *qpackDecoder) EncoderStream(r io.Reader) error {
	br := bufio.NewReader(r)
	for {
		first, err := br.ReadByte()
		if err != nil {
			if errors.Is(err, io.EOF) {
				return nil
			}
			return err
		}
		if err := d.encoderInstruction(br, first); err != nil {
			return err
		}
		if br.Buffered() == 0 {
			d.acknowledgeInserts()
		}
	}
}

func (d *qpackDecoder) encoderInstruction(br *bufio.Reader, first byte) error {
	switch {
	case first&0x80 != 0: // 1Txxxxxx: insert with name reference
		index, err := readQPACKInt(br, first, 6)
		if err != nil {
			return err
		}
		value, err := d.readEncoderString(br, 7)
		if err != nil {
			return err
		}
		d.mu.Lock()
		defer d.mu.Unlock()
		var name string
		if first&0x40 != 0 {
			if index >= uint64(len(qpackStaticTable)) {
				return fmt.Errorf("qpack: static index %d out of range", index)
			}
			name = qpackStaticTable[index][0]
		} else {
			e, err := d.relativeLocked(index)
			if err != nil {
				return err
			}
			name = e[0]
		}
		return d.insertLocked(name, value)
	case first&0x40 != 0: // 01Hxxxxx: insert with literal name
		name, err := readQPACKString(br, first, 5, d.maxCapacity)
		if err != nil {
			return err
		}
		value, err := d.readEncoderString(br, 7)
		if err != nil {
			return err
		}
		d.mu.Lock()
		defer d.mu.Unlock()
		return d.insertLocked(name, value)
	case first&0x20 != 0: // 001xxxxx: set dynamic table capacity
		capacity, err := readQPACKInt(br, first, 5)
		if err != nil {
			return err
		}
		if capacity > d.maxCapacity {
			return fmt.Errorf("qpack: table capacity %d above the %d announced", capacity, d.maxCapacity)
		}
		d.mu.Lock()
		defer d.mu.Unlock()
		d.capacity = capacity
		d.evictLocked(0)
		return nil
	default: // 000xxxxx: duplicate
		index, err := readQPACKInt(br, first, 5)
		if err != nil {
			return err
		}
		d.mu.Lock()
		defer d.mu.Unlock()
		e, err := d.relativeLocked(index)
		if err != nil {
			return err
		}
		return d.insertLocked(e[0], e[1])
	}
}

func (d *qpackDecoder) readEncoderString(br *bufio.Reader, prefix uint) (string, error) {
	first, err := br.ReadByte()
	if err != nil {
		return "", err
	}
	return readQPACKString(br, first, prefix, d.maxCapacity)
}

// relativeLocked is the entry an encoder instruction's relative index names.
func (d *qpackDecoder) relativeLocked(index uint64) ([2]string, error) {
	count := d.insertCount()
	if index >= count {
		return [2]string{}, fmt.Errorf("qpack: relative index %d beyond %d inserts", index, count)
	}
	return d.absoluteLocked(count - 1 - index)
}

func (d *qpackDecoder) absoluteLocked(abs uint64) ([2]string, error) {
	if abs < d.dropped || abs >= d.insertCount() {
		return [2]string{}, fmt.Errorf("qpack: dynamic entry %d not in the table (%d evicted, %d inserted)", abs, d.dropped, d.insertCount())
	}
	return d.entries[abs-d.dropped], nil
}

func (d *qpackDecoder) insertLocked(name, value string) error {
	size := uint64(len(name)+len(value)) + qpackEntryOverhead
	if size > d.capacity {
		return fmt.Errorf("qpack: entry of %d bytes in a table of %d", size, d.capacity)
	}
	d.evictLocked(size)
	d.entries = append(d.entries, [2]string{name, value})
	d.size += size
	close(d.inserted)
	d.inserted = make(chan struct{})
	return nil
}

// evictLocked drops the oldest entries until room more bytes fit.
func (d *qpackDecoder) evictLocked(room uint64) {
	for len(d.entries) > 0 && d.size+room > d.capacity {
		e := d.entries[0]
		d.size -= uint64(len(e[0])+len(e[1])) + qpackEntryOverhead
		d.entries[0] = [2]string{}
		d.entries = d.entries[1:]
		d.dropped++
	}
}

// acknowledgeInserts tells the server about inserts it does not know we received.
func (d *qpackDecoder) acknowledgeInserts() {
	d.mu.Lock()
	increment := d.insertCount() - d.acked
	if increment == 0 {
		d.mu.Unlock()
		return
	}
	d.acked += increment
	d.send(appendQPACKInt(nil, 6, 0x00, increment)) // 00xxxxxx: insert count increment
}

// send writes an instruction made under d.mu (released here) in the order made.
func (d *qpackDecoder) send(instruction []byte) {
	d.writing.Lock()
	d.mu.Unlock()
	defer d.writing.Unlock()
	_, _ = d.out.Write(instruction) // a failing stream fails the connection anyway
}

// Decode decodes one field section of streamID.
func (d *qpackDecoder) Decode(ctx context.Context, streamID uint64, section []byte) ([]qpack.HeaderField, error) {
	r := &qpackSectionReader{b: section}
	first, err := r.ReadByte()
	if err != nil {
		return nil, err
	}
	encodedRIC, err := readQPACKInt(r, first, 8)
	if err != nil {
		return nil, err
	}
	if first, err = r.ReadByte(); err != nil {
		return nil, err
	}
	deltaBase, err := readQPACKInt(r, first, 7)
	if err != nil {
		return nil, err
	}
	d.mu.Lock()
	ric, err := d.requiredInsertCountLocked(encodedRIC)
	if err != nil {
		d.mu.Unlock()
		return nil, err
	}
	base := ric + deltaBase
	if first&0x80 != 0 {
		if deltaBase+1 > ric {
			d.mu.Unlock()
			return nil, fmt.Errorf("qpack: base below zero")
		}
		base = ric - deltaBase - 1
	}
	if err := d.waitLocked(ctx, ric); err != nil {
		d.mu.Unlock()
		return nil, err
	}
	fields, err := d.fieldLinesLocked(r, ric, base)
	if err != nil || ric == 0 {
		d.mu.Unlock()
		return fields, err
	}
	d.acked = max(d.acked, ric)
	d.send(appendQPACKInt(nil, 7, 0x80, streamID)) // 1xxxxxxx: section acknowledgment
	return fields, nil
}

// requiredInsertCountLocked decodes the section prefix's Required Insert Count (RFC 9204,
// 4.5.1.1).
func (d *qpackDecoder) requiredInsertCountLocked(encoded uint64) (uint64, error) {
	if encoded == 0 {
		return 0, nil
	}
	maxEntries := d.maxCapacity / qpackEntryOverhead
	fullRange := 2 * maxEntries
	if encoded > fullRange {
		return 0, fmt.Errorf("qpack: encoded required insert count %d above %d", encoded, fullRange)
	}
	maxValue := d.insertCount() + maxEntries
	maxWrapped := maxValue / fullRange * fullRange
	ric := maxWrapped + encoded - 1
	if ric > maxValue {
		if ric <= fullRange {
			return 0, fmt.Errorf("qpack: invalid required insert count")
		}
		ric -= fullRange
	}
	if ric == 0 {
		return 0, fmt.Errorf("qpack: invalid required insert count")
	}
	return ric, nil
}

// waitLocked waits until ric entries were inserted; d.mu is held, and released meanwhile.
func (d *qpackDecoder) waitLocked(ctx context.Context, ric uint64) error {
	if d.insertCount() >= ric {
		return nil
	}
	if d.blocked >= d.maxBlocked {
		return errQPACKBlockedLimit
	}
	d.blocked++
	defer func() { d.blocked-- }()
	for d.insertCount() < ric {
		inserted := d.inserted
		d.mu.Unlock()
		select {
		case <-inserted:
			d.mu.Lock()
		case <-ctx.Done():
			d.mu.Lock()
			// Said with the counts: a wait that ends here tells which insert never came.
			return fmt.Errorf("qpack: waited for insert %d, %d arrived: %w", ric, d.insertCount(), ctx.Err())
		}
	}
	return nil
}

func (d *qpackDecoder) fieldLinesLocked(r *qpackSectionReader, ric, base uint64) ([]qpack.HeaderField, error) {
	dynamic := func(abs uint64) ([2]string, error) {
		if abs >= ric {
			return [2]string{}, fmt.Errorf("qpack: entry %d beyond the required insert count %d", abs, ric)
		}
		return d.absoluteLocked(abs)
	}
	before := func(index uint64) ([2]string, error) { // relative to base
		if index >= base {
			return [2]string{}, fmt.Errorf("qpack: relative index %d beyond base %d", index, base)
		}
		return dynamic(base - 1 - index)
	}
	static := func(index uint64) ([2]string, error) {
		if index >= uint64(len(qpackStaticTable)) {
			return [2]string{}, fmt.Errorf("qpack: static index %d out of range", index)
		}
		return qpackStaticTable[index], nil
	}
	var fields []qpack.HeaderField
	for r.Len() > 0 {
		first, _ := r.ReadByte()
		var entry [2]string
		var err error
		nameOnly := true
		switch {
		case first&0x80 != 0: // 1Txxxxxx: indexed
			var index uint64
			if index, err = readQPACKInt(r, first, 6); err == nil {
				if first&0x40 != 0 {
					entry, err = static(index)
				} else {
					entry, err = before(index)
				}
			}
			nameOnly = false
		case first&0x40 != 0: // 01NTxxxx: literal with name reference
			var index uint64
			if index, err = readQPACKInt(r, first, 4); err == nil {
				if first&0x10 != 0 {
					entry, err = static(index)
				} else {
					entry, err = before(index)
				}
			}
		case first&0x20 != 0: // 001NHxxx: literal with literal name
			entry[0], err = readQPACKString(r, first, 3, uint64(len(r.b)))
		case first&0x10 != 0: // 0001xxxx: indexed, post-base
			var index uint64
			if index, err = readQPACKInt(r, first, 4); err == nil {
				entry, err = dynamic(base + index)
			}
			nameOnly = false
		default: // 0000Nxxx: literal with post-base name reference
			var index uint64
			if index, err = readQPACKInt(r, first, 3); err == nil {
				entry, err = dynamic(base + index)
			}
		}
		if err == nil && nameOnly {
			var valueFirst byte
			if valueFirst, err = r.ReadByte(); err == nil {
				entry[1], err = readQPACKString(r, valueFirst, 7, uint64(len(r.b)))
			}
		}
		if err != nil {
			return nil, err
		}
		fields = append(fields, qpack.HeaderField{Name: entry[0], Value: entry[1]})
	}
	return fields, nil
}

// qpackSectionReader reads a field section.
type qpackSectionReader struct {
	b   []byte
	pos int
}

func (r *qpackSectionReader) ReadByte() (byte, error) {
	if r.pos >= len(r.b) {
		return 0, io.ErrUnexpectedEOF
	}
	r.pos++
	return r.b[r.pos-1], nil
}

func (r *qpackSectionReader) Read(p []byte) (int, error) {
	if r.pos >= len(r.b) {
		return 0, io.ErrUnexpectedEOF
	}
	n := copy(p, r.b[r.pos:])
	r.pos += n
	return n, nil
}

func (r *qpackSectionReader) Len() int { return len(r.b) - r.pos }

// readQPACKInt reads an integer with an n-bit prefix whose first byte is first.
func readQPACKInt(r io.ByteReader, first byte, n uint) (uint64, error) {
	limit := uint64(1)<<n - 1
	i := uint64(first) & limit
	if i < limit {
		return i, nil
	}
	for shift := uint(0); ; shift += 7 {
		if shift > 56 {
			return 0, errors.New("qpack: integer overflow")
		}
		b, err := r.ReadByte()
		if err != nil {
			return 0, err
		}
		i += uint64(b&0x7f) << shift
		if b&0x80 == 0 {
			return i, nil
		}
	}
}

// readQPACKString reads a string whose length has an n-bit prefix in first, the Huffman
// flag the bit above it; no longer than limit bytes on the wire.
func readQPACKString(r interface {
	io.ByteReader
	io.Reader
}, first byte, n uint, limit uint64,
) (string, error) {
	length, err := readQPACKInt(r, first, n)
	if err != nil {
		return "", err
	}
	if length > limit {
		return "", fmt.Errorf("qpack: string of %d bytes above %d", length, limit)
	}
	b := make([]byte, length)
	if _, err := io.ReadFull(r, b); err != nil {
		return "", err
	}
	if first&(1<<n) != 0 {
		return hpack.HuffmanDecodeToString(b)
	}
	return string(b), nil
}
