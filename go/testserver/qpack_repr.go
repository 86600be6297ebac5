package main

import (
	"encoding/hex"
	"errors"
	"fmt"

	"golang.org/x/net/http2/hpack"
)

// A QPACK decoder (RFC 9204) that keeps how each field line was encoded,
// like hpack_repr.go does for HTTP/2: indexed or literal, static or dynamic
// table, post-base, the never-indexed bit, Huffman or not. It reads the
// encoder stream's instructions into a table kept by absolute index.

// QPACK field line kinds, after RFC 9204 section 4.5.
const (
	qpackIndexed                = "indexed"
	qpackIndexedPostBase        = "indexed_post_base"
	qpackLiteralNameRef         = "literal_name_ref"
	qpackLiteralPostBaseNameRef = "literal_post_base_name_ref"
	qpackLiteralName            = "literal_name"
)

type qpackRepresentation struct {
	Hex  string `json:"hex"`
	Kind string `json:"kind"`
	// Table is "static" or "dynamic" for indexed lines and name references.
	Table string `json:"table,omitempty"`
	// Index as on the wire: static index, relative or post-base index.
	Index         *int    `json:"index,omitempty"`
	AbsoluteIndex *int    `json:"absolute_index,omitempty"` // dynamic table entries
	NeverIndexed  bool    `json:"never_indexed,omitempty"`  // the N bit of literals
	NameHuffman   *bool   `json:"name_huffman,omitempty"`
	ValueHuffman  *bool   `json:"value_huffman,omitempty"`
	Name          string  `json:"name"`
	Value         *string `json:"value"`
}

// qpackInstruction is one encoder or decoder stream instruction.
type qpackInstruction struct {
	Hex          string  `json:"hex"`
	Kind         string  `json:"kind"`
	Capacity     *int    `json:"capacity,omitempty"`
	Table        string  `json:"table,omitempty"`
	Index        *int    `json:"index,omitempty"`
	NameHuffman  *bool   `json:"name_huffman,omitempty"`
	ValueHuffman *bool   `json:"value_huffman,omitempty"`
	Name         string  `json:"name,omitempty"`
	Value        *string `json:"value,omitempty"`
	StreamID     *int    `json:"stream_id,omitempty"` // decoder stream
	Increment    *int    `json:"increment,omitempty"` // decoder stream
}

// qpackReprDecoder holds the dynamic table as the encoder stream built it.
type qpackReprDecoder struct {
	maxTableCapacity int          // what the decoder (our server) announced
	inserted         []hpackEntry // by absolute index, evictions ignored
}

var errQPACKTruncated = errors.New("qpack: truncated")

// qpackString reads a string literal whose Huffman flag is the bit just
// above a prefixBits-bit length prefix.
func qpackString(b []byte, prefixBits uint) (string, bool, int, error) {
	if len(b) == 0 {
		return "", false, 0, errQPACKTruncated
	}
	huffman := b[0]&(1<<prefixBits) != 0
	length, n, err := hpackInteger(b, prefixBits)
	if err != nil {
		return "", false, 0, err
	}
	if length > maxHPACKString || len(b)-n < length {
		return "", false, 0, errQPACKTruncated
	}
	raw := b[n : n+length]
	if !huffman {
		return string(raw), false, n + length, nil
	}
	s, err := hpack.HuffmanDecodeToString(raw)
	if err != nil {
		return "", false, 0, fmt.Errorf("qpack: %w", err)
	}
	return s, true, n + length, nil
}

func (d *qpackReprDecoder) static(index int) (hpackEntry, error) {
	if index < 0 || index >= len(qpackStaticTable) {
		return hpackEntry{}, fmt.Errorf("qpack: static index %d out of range", index)
	}
	return qpackStaticTable[index], nil
}

func (d *qpackReprDecoder) dynamic(absolute int) (hpackEntry, error) {
	if absolute < 0 || absolute >= len(d.inserted) {
		return hpackEntry{}, fmt.Errorf("qpack: dynamic index %d not inserted (%d entries)", absolute, len(d.inserted))
	}
	return d.inserted[absolute], nil
}

// readEncoderStream applies encoder stream instructions (RFC 9204 section 4.3).
func (d *qpackReprDecoder) readEncoderStream(b []byte) ([]qpackInstruction, error) {
	out := []qpackInstruction{}
	for len(b) > 0 {
		var in qpackInstruction
		var n int
		var err error
		switch {
		case b[0]&0x80 != 0: // insert with name reference
			in.Kind = "insert_name_ref"
			var idx, m int
			idx, m, err = hpackInteger(b, 6)
			if err != nil {
				return out, err
			}
			var name hpackEntry
			if b[0]&0x40 != 0 {
				in.Table = "static"
				name, err = d.static(idx)
			} else {
				in.Table = "dynamic"
				name, err = d.dynamic(len(d.inserted) - 1 - idx)
			}
			if err != nil {
				return out, err
			}
			value, huff, k, err2 := qpackString(b[m:], 7)
			if err2 != nil {
				return out, err2
			}
			in.Index, in.Name, in.Value, in.ValueHuffman, n = &idx, name.name, &value, &huff, m+k
			d.inserted = append(d.inserted, hpackEntry{name.name, value})
		case b[0]&0x40 != 0: // insert with literal name
			in.Kind = "insert_literal_name"
			name, nameHuff, m, err2 := qpackString(b, 5)
			if err2 != nil {
				return out, err2
			}
			value, valueHuff, k, err2 := qpackString(b[m:], 7)
			if err2 != nil {
				return out, err2
			}
			in.Name, in.NameHuffman, in.Value, in.ValueHuffman, n = name, &nameHuff, &value, &valueHuff, m+k
			d.inserted = append(d.inserted, hpackEntry{name, value})
		case b[0]&0x20 != 0: // set dynamic table capacity
			var capacity int
			capacity, n, err = hpackInteger(b, 5)
			in.Kind, in.Capacity = "set_capacity", &capacity
		default: // duplicate
			var idx int
			idx, n, err = hpackInteger(b, 5)
			if err == nil {
				var e hpackEntry
				e, err = d.dynamic(len(d.inserted) - 1 - idx)
				d.inserted = append(d.inserted, e)
				in.Name, in.Value = e.name, &e.value
			}
			in.Kind, in.Index = "duplicate", &idx
		}
		if err != nil {
			return out, err
		}
		in.Hex = hex.EncodeToString(b[:n])
		out = append(out, in)
		b = b[n:]
	}
	return out, nil
}

// readDecoderStream lists decoder stream instructions (RFC 9204 section 4.4).
func readDecoderStream(b []byte) ([]qpackInstruction, error) {
	out := []qpackInstruction{}
	for len(b) > 0 {
		var in qpackInstruction
		var v, n int
		var err error
		switch {
		case b[0]&0x80 != 0:
			v, n, err = hpackInteger(b, 7)
			in.Kind, in.StreamID = "section_acknowledgment", &v
		case b[0]&0x40 != 0:
			v, n, err = hpackInteger(b, 6)
			in.Kind, in.StreamID = "stream_cancellation", &v
		default:
			v, n, err = hpackInteger(b, 6)
			in.Kind, in.Increment = "insert_count_increment", &v
		}
		if err != nil {
			return out, err
		}
		in.Hex = hex.EncodeToString(b[:n])
		out = append(out, in)
		b = b[n:]
	}
	return out, nil
}

// FieldSection is a decoded HEADERS frame payload (exported: JSON flattens it into h3FrameRecord).
type FieldSection struct {
	RequiredInsertCount int                   `json:"required_insert_count"`
	Base                int                   `json:"base"`
	Lines               []qpackRepresentation `json:"qpack"`
	Headers             [][2]string           `json:"headers"`
}

// decodeFieldSection decodes one encoded field section (RFC 9204 section 4.5).
func (d *qpackReprDecoder) decodeFieldSection(b []byte) (*FieldSection, error) {
	encRIC, n, err := hpackInteger(b, 8)
	if err != nil {
		return nil, err
	}
	b = b[n:]
	ric, err := d.requiredInsertCount(encRIC)
	if err != nil {
		return nil, err
	}
	if len(b) == 0 {
		return nil, errQPACKTruncated
	}
	negative := b[0]&0x80 != 0
	delta, n, err := hpackInteger(b, 7)
	if err != nil {
		return nil, err
	}
	b = b[n:]
	base := ric + delta
	if negative {
		base = ric - delta - 1
	}
	fs := &FieldSection{RequiredInsertCount: ric, Base: base, Lines: []qpackRepresentation{}, Headers: [][2]string{}}
	for len(b) > 0 {
		line, n, err := d.decodeLine(b, base)
		if err != nil {
			return fs, err
		}
		line.Hex = hex.EncodeToString(b[:n])
		fs.Lines = append(fs.Lines, line)
		fs.Headers = append(fs.Headers, [2]string{line.Name, *line.Value})
		b = b[n:]
	}
	return fs, nil
}

// requiredInsertCount undoes RFC 9204 section 4.5.1.1's encoding.
func (d *qpackReprDecoder) requiredInsertCount(encoded int) (int, error) {
	if encoded == 0 {
		return 0, nil
	}
	maxEntries := d.maxTableCapacity / 32
	if maxEntries == 0 {
		return 0, fmt.Errorf("qpack: Required Insert Count %d with no dynamic table", encoded)
	}
	fullRange := 2 * maxEntries
	if encoded > fullRange {
		return 0, fmt.Errorf("qpack: encoded Required Insert Count %d > %d", encoded, fullRange)
	}
	maxValue := len(d.inserted) + maxEntries
	ric := maxValue/fullRange*fullRange + encoded - 1
	if ric > maxValue {
		if ric <= fullRange {
			return 0, errors.New("qpack: bad Required Insert Count")
		}
		ric -= fullRange
	}
	return ric, nil
}

func (d *qpackReprDecoder) decodeLine(b []byte, base int) (qpackRepresentation, int, error) {
	var line qpackRepresentation
	var entry hpackEntry
	var idx, n int
	var err error
	lookup := func(static bool, absolute int) {
		if static {
			line.Table = "static"
			entry, err = d.static(idx)
			return
		}
		line.Table = "dynamic"
		line.AbsoluteIndex = &absolute
		entry, err = d.dynamic(absolute)
	}
	switch {
	case b[0]&0x80 != 0:
		line.Kind = qpackIndexed
		idx, n, err = hpackInteger(b, 6)
		if err == nil {
			lookup(b[0]&0x40 != 0, base-1-idx)
		}
		line.Index = &idx
		if err != nil {
			return line, 0, err
		}
		value := entry.value
		line.Name, line.Value = entry.name, &value
		return line, n, nil
	case b[0]&0x40 != 0:
		line.Kind, line.NeverIndexed = qpackLiteralNameRef, b[0]&0x20 != 0
		idx, n, err = hpackInteger(b, 4)
		if err == nil {
			lookup(b[0]&0x10 != 0, base-1-idx)
		}
		line.Index = &idx
	case b[0]&0x20 != 0:
		line.Kind, line.NeverIndexed = qpackLiteralName, b[0]&0x10 != 0
		var huff bool
		entry.name, huff, n, err = qpackString(b, 3)
		line.NameHuffman = &huff
	case b[0]&0x10 != 0:
		line.Kind = qpackIndexedPostBase
		idx, n, err = hpackInteger(b, 4)
		if err == nil {
			lookup(false, base+idx)
		}
		line.Index = &idx
		if err != nil {
			return line, 0, err
		}
		value := entry.value
		line.Name, line.Value = entry.name, &value
		return line, n, nil
	default:
		line.Kind, line.NeverIndexed = qpackLiteralPostBaseNameRef, b[0]&0x08 != 0
		idx, n, err = hpackInteger(b, 3)
		if err == nil {
			lookup(false, base+idx)
		}
		line.Index = &idx
	}
	if err != nil {
		return line, 0, err
	}
	value, huff, k, err := qpackString(b[n:], 7)
	if err != nil {
		return line, 0, err
	}
	line.Name, line.Value, line.ValueHuffman = entry.name, &value, &huff
	return line, n + k, nil
}
