package main

import (
	"encoding/hex"
	"errors"
	"fmt"

	"golang.org/x/net/http2/hpack"
)

// An HPACK decoder that keeps how each field was encoded (RFC 7541 section 6),
// which golang.org/x/net/http2/hpack decodes away: indexed or literal, the
// literal's indexing mode, whether its name came from a table, Huffman or not.
// Browsers differ exactly there, so the capture records it.

// hpackEntry is one header field of an HPACK table.
type hpackEntry struct{ name, value string }

// size is the RFC 7541 section 4.1 entry size.
func (e hpackEntry) size() int { return len(e.name) + len(e.value) + 32 }

// Representation kinds, named after RFC 7541 section 6.
const (
	hpackIndexed                = "indexed"
	hpackLiteralIncremental     = "literal_incremental"
	hpackLiteralWithoutIndexing = "literal_without_indexing"
	hpackLiteralNeverIndexed    = "literal_never_indexed"
	hpackTableSizeUpdate        = "table_size_update"
)

// hpackRepresentation is one representation of a header block. Pointer
// fields are absent from the JSON where they do not apply to the kind.
type hpackRepresentation struct {
	Hex  string `json:"hex"` // this representation's bytes
	Kind string `json:"kind"`
	// Index is the table index of the field (indexed) or of the name
	// (literal with an indexed name): 1-61 static, 62+ dynamic; 0 when the
	// literal carries its name.
	Index        int     `json:"index,omitempty"`
	Table        string  `json:"table,omitempty"`         // "static" or "dynamic" when Index > 0
	NameHuffman  *bool   `json:"name_huffman,omitempty"`  // literal names only
	ValueHuffman *bool   `json:"value_huffman,omitempty"` // literals only
	Name         string  `json:"name,omitempty"`
	Value        *string `json:"value,omitempty"`    // every field, even when empty
	MaxSize      *int    `json:"max_size,omitempty"` // table size updates only
}

// field returns the header field a representation stands for, or false
// for a table size update.
func (r hpackRepresentation) field() (hpackEntry, bool) {
	if r.Value == nil {
		return hpackEntry{}, false
	}
	return hpackEntry{r.Name, *r.Value}, true
}

// hpackReprDecoder decodes header blocks, keeping its own dynamic table.
type hpackReprDecoder struct {
	dynamic []hpackEntry // newest first, so dynamic index 62 is dynamic[0]
	size    int
	maxSize int // the current limit, as the encoder's last size update set it
	// allowedMaxSize bounds what a size update may ask for: the decoder's
	// SETTINGS_HEADER_TABLE_SIZE. The sniffer is lenient and allows more.
	allowedMaxSize int
}

const maxHPACKString = 1 << 20 // no field is larger than a sniffed frame

var errHPACKTruncated = errors.New("hpack: truncated representation")

func newHPACKReprDecoder(maxSize, allowedMaxSize int) *hpackReprDecoder {
	return &hpackReprDecoder{maxSize: maxSize, allowedMaxSize: allowedMaxSize}
}

// decodeBlock decodes one complete header block. On error the dynamic table
// may be out of step with the encoder's; the caller must stop using it.
func (d *hpackReprDecoder) decodeBlock(block []byte) ([]hpackRepresentation, error) {
	var out []hpackRepresentation
	for len(block) > 0 {
		rep, n, err := d.decodeOne(block)
		if err != nil {
			return out, err
		}
		rep.Hex = hex.EncodeToString(block[:n])
		out = append(out, rep)
		block = block[n:]
	}
	return out, nil
}

func (d *hpackReprDecoder) decodeOne(b []byte) (hpackRepresentation, int, error) {
	switch {
	case b[0]&0x80 != 0:
		index, n, err := hpackInteger(b, 7)
		if err != nil {
			return hpackRepresentation{}, 0, err
		}
		entry, table, err := d.lookup(index)
		if err != nil {
			return hpackRepresentation{}, 0, err
		}
		value := entry.value
		return hpackRepresentation{Kind: hpackIndexed, Index: index, Table: table, Name: entry.name, Value: &value}, n, nil
	case b[0]&0xc0 == 0x40:
		return d.decodeLiteral(b, 6, hpackLiteralIncremental)
	case b[0]&0xe0 == 0x20:
		size, n, err := hpackInteger(b, 5)
		if err != nil {
			return hpackRepresentation{}, 0, err
		}
		if size > d.allowedMaxSize {
			return hpackRepresentation{}, 0, fmt.Errorf("hpack: table size update to %d exceeds %d", size, d.allowedMaxSize)
		}
		d.maxSize = size
		d.evictTo(size)
		return hpackRepresentation{Kind: hpackTableSizeUpdate, MaxSize: &size}, n, nil
	case b[0]&0xf0 == 0x10:
		return d.decodeLiteral(b, 4, hpackLiteralNeverIndexed)
	default:
		return d.decodeLiteral(b, 4, hpackLiteralWithoutIndexing)
	}
}

// decodeLiteral reads a literal field whose name index has prefixBits bits.
func (d *hpackReprDecoder) decodeLiteral(b []byte, prefixBits uint, kind string) (hpackRepresentation, int, error) {
	rep := hpackRepresentation{Kind: kind}
	nameIndex, pos, err := hpackInteger(b, prefixBits)
	if err != nil {
		return rep, 0, err
	}
	if nameIndex > 0 {
		entry, table, err := d.lookup(nameIndex)
		if err != nil {
			return rep, 0, err
		}
		rep.Index, rep.Table, rep.Name = nameIndex, table, entry.name
	} else {
		name, huffman, n, err := hpackString(b[pos:])
		if err != nil {
			return rep, 0, err
		}
		rep.Name, rep.NameHuffman = name, &huffman
		pos += n
	}
	value, huffman, n, err := hpackString(b[pos:])
	if err != nil {
		return rep, 0, err
	}
	rep.Value, rep.ValueHuffman = &value, &huffman
	pos += n
	if kind == hpackLiteralIncremental {
		d.add(hpackEntry{rep.Name, value})
	}
	return rep, pos, nil
}

// lookup resolves an index of the combined static + dynamic table.
func (d *hpackReprDecoder) lookup(index int) (hpackEntry, string, error) {
	switch {
	case index <= 0:
		return hpackEntry{}, "", errors.New("hpack: index 0")
	case index <= len(hpackStaticTable):
		return hpackStaticTable[index-1], "static", nil
	case index-len(hpackStaticTable) <= len(d.dynamic):
		return d.dynamic[index-len(hpackStaticTable)-1], "dynamic", nil
	}
	return hpackEntry{}, "", fmt.Errorf("hpack: index %d beyond the table (%d dynamic entries)", index, len(d.dynamic))
}

// add inserts a field, evicting old ones; a field larger than the table
// empties it and is not added (RFC 7541 section 4.4).
func (d *hpackReprDecoder) add(e hpackEntry) {
	if e.size() > d.maxSize {
		d.evictTo(0)
		return
	}
	d.evictTo(d.maxSize - e.size())
	d.dynamic = append([]hpackEntry{e}, d.dynamic...)
	d.size += e.size()
}

func (d *hpackReprDecoder) evictTo(limit int) {
	for d.size > limit && len(d.dynamic) > 0 {
		last := d.dynamic[len(d.dynamic)-1]
		d.dynamic = d.dynamic[:len(d.dynamic)-1]
		d.size -= last.size()
	}
}

// hpackInteger decodes an RFC 7541 section 5.1 integer with an N-bit prefix
// and returns it with the number of bytes used.
func hpackInteger(b []byte, prefixBits uint) (int, int, error) {
	if len(b) == 0 {
		return 0, 0, errHPACKTruncated
	}
	limit := 1<<prefixBits - 1
	value := int(b[0]) & limit
	if value < limit {
		return value, 1, nil
	}
	for i, shift := 1, 0; i < len(b); i, shift = i+1, shift+7 {
		if shift > 21 {
			return 0, 0, errors.New("hpack: integer too large")
		}
		value += int(b[i]&0x7f) << shift
		if b[i]&0x80 == 0 {
			return value, i + 1, nil
		}
	}
	return 0, 0, errHPACKTruncated
}

// hpackString decodes an RFC 7541 section 5.2 string literal.
func hpackString(b []byte) (s string, huffman bool, n int, err error) {
	if len(b) == 0 {
		return "", false, 0, errHPACKTruncated
	}
	huffman = b[0]&0x80 != 0
	length, n, err := hpackInteger(b, 7)
	if err != nil {
		return "", false, 0, err
	}
	if length > maxHPACKString || len(b)-n < length {
		return "", false, 0, errHPACKTruncated
	}
	raw := b[n : n+length]
	if !huffman {
		return string(raw), false, n + length, nil
	}
	s, err = hpack.HuffmanDecodeToString(raw)
	if err != nil {
		return "", false, 0, fmt.Errorf("hpack: %w", err)
	}
	return s, true, n + length, nil
}
