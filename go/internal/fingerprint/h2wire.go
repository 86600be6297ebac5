package fingerprint

import (
	"time"

	"github.com/bogdanfinn/fhttp/http2"
	"github.com/bogdanfinn/fhttp/http2/hpack"
)

// H2Wire is how a browser's HTTP/2 framing and HPACK encoding differ from fhttp's defaults
// once the preface is sent (first stream id, per-stream WINDOW_UPDATE, HEADERS priority per
// request, which header fields are indexed, Huffman use). Zero value: fhttp's behaviour.
// Every rule is read from the captures in tests/fixtures/browsers (docs/fingerprints.md).
type H2Wire struct {
	// FirstStreamID is the first request's stream (0: 1).
	FirstStreamID uint32
	// StreamWindowUpdate is the increment of a WINDOW_UPDATE sent on every request stream
	// right after its HEADERS (0: none); the stream's window is kept that much larger.
	StreamWindowUpdate uint32
	HPACK              HPACKPolicy
	Priority           HeadersPriority
	// WindowUpdates is when body bytes read go back to the server as window (zero: fhttp's
	// rule, keyed to our own window).
	WindowUpdates http2.WindowUpdatePolicy
}

// HPACKPolicy is how header fields are represented in a header block.
type HPACKPolicy struct {
	// WithoutIndexing names fields sent as literals never added to the dynamic table
	// (unless a table already has the exact field).
	WithoutIndexing []string
	// NeverIndexed names fields sent as never-indexed literals.
	NeverIndexed []string
	// NameRef is which table entry a literal's name refers to when several have the name.
	NameRef hpack.NameRef
	// HuffmanAlways Huffman-codes every string, even when longer than raw (else only when
	// shorter).
	HuffmanAlways bool
	// SizeUpdateOnSettings opens the first block encoded after the server's SETTINGS with
	// HEADER_TABLE_SIZE with a table size update (to that size, at most 4096), even when the
	// table size does not change.
	SizeUpdateOnSettings bool
}

// AnyUrgency in a WeightRule matches every urgency.
const AnyUrgency = -1

// WeightRule gives the HEADERS weight of the requests it matches.
type WeightRule struct {
	Dest    string // the request's sec-fetch-dest; "" matches any
	Urgency int    // its priority header's urgency (RFC 9218, 3 when absent), or AnyUrgency
	Weight  uint8  // the frame's weight field: the weight minus one
}

// Parent is how a request's HEADERS picks the stream it depends on.
type Parent uint8

const (
	// ParentRoot: every stream depends on stream 0.
	ParentRoot Parent = iota
	// ParentUrgencyChain: on the newest open stream of the same urgency, else of the
	// nearest more urgent one, else on 0 (Chromium's HTTP/2 priority dependencies).
	ParentUrgencyChain
)

// HeadersPriority chooses each request's HEADERS priority; with no Weights the preset's
// H2Spec.HeaderPriority is sent on every request.
type HeadersPriority struct {
	Weights       []WeightRule // the first that matches wins
	DefaultWeight uint8        // when none matches
	Exclusive     bool
	Parent        Parent
}

// The browser families' wire behaviour; presets of a family share it.
var (
	// Chromium 156 (tests/fixtures/browsers/chromium-*): pseudo-headers other than
	// :authority never enter the table and name the static table's first entry (":path"
	// is 4; by hand, its CORS preflight's :method OPTIONS named 2, never indexed);
	// everything else, cookie crumbs included, is indexed; Huffman only when shorter. HEADERS: exclusive, weight from the urgency of the request's priority
	// header (Chromium's int(255.9/7*(7-u))+1: u=0 256, u=1 220, u=2 183, u=3 147, u=4 110),
	// on the newest open stream of the same or a more urgent one.
	// WINDOW_UPDATE (chromium-*/window-updates.json, a 64 MiB body): the bytes read, per
	// stream and per connection, once past half the window (~3 MiB of 6, ~7.5 MiB of 15),
	// or after 5 s without an update when the reader is slow (~1 MiB every 5-10 s there).
	chromeH2Wire = H2Wire{
		WindowUpdates: http2.WindowUpdatePolicy{HalfWindow: true, SmallUpdateDelay: 5 * time.Second},
		HPACK: HPACKPolicy{
			WithoutIndexing: []string{":method", ":path", ":scheme", ":protocol"},
			NameRef:         hpack.NameRefFirstStatic,
		},
		Priority: HeadersPriority{
			Weights: []WeightRule{
				{Urgency: 0, Weight: 255},
				{Urgency: 1, Weight: 219},
				{Urgency: 2, Weight: 182},
				{Urgency: 3, Weight: 146},
				{Urgency: 4, Weight: 109},
				{Urgency: 5, Weight: 73},
				{Urgency: 6, Weight: 36},
			},
			DefaultWeight: 0, // u=7
			Exclusive:     true,
			Parent:        ParentUrgencyChain,
		},
	}
	// Firefox ESR 153 (tests/fixtures/browsers/firefox-esr-*): first request on stream 3,
	// each followed by a WINDOW_UPDATE of 12451840 on its stream; :path without indexing
	// (name index 5), cookie crumbs never indexed, the rest indexed (by hand: :method
	// OPTIONS named 3, then indexed), a literal names the highest-index entry with its
	// name (the oldest dynamic one), every string Huffman-coded (the captures have
	// equal lengths coded; headless here, /get?q=~~~~~~~~^^^^{}{} went as 33 Huffman bytes
	// for 23 raw, where Chromium sent it raw); a table size update after the server's
	// SETTINGS. HEADERS: never exclusive, on 0; documents 42,
	// images 12 (the favicon, u=6, is not one), everything else 22.
	firefoxH2Wire = H2Wire{
		FirstStreamID:      3,
		StreamWindowUpdate: 12451840,
		HPACK: HPACKPolicy{
			WithoutIndexing:      []string{":path"},
			NeverIndexed:         []string{"cookie"},
			NameRef:              hpack.NameRefHighestIndex,
			HuffmanAlways:        true,
			SizeUpdateOnSettings: true,
		},
		Priority: HeadersPriority{
			Weights: []WeightRule{
				{Dest: "document", Urgency: AnyUrgency, Weight: 41},
				{Dest: "image", Urgency: 5, Weight: 11},
			},
			DefaultWeight: 21,
			Parent:        ParentRoot,
		},
	}
	// Safari: no capture to measure (no Safari runs here), so fhttp's behaviour.
	safariH2Wire = H2Wire{}
)

// Configure sets t's per-connection framing and encoding to w's (the zero H2Wire leaves
// fhttp's defaults). Call it once, before t makes connections.
func (w H2Wire) Configure(t *http2.Transport) {
	if w.FirstStreamID != 0 {
		t.InitialStreamID = w.FirstStreamID
	}
	t.StreamWindowUpdate = w.StreamWindowUpdate
	t.WindowUpdates = w.WindowUpdates
	t.HPACK = hpack.EncoderPolicy{
		WithoutIndexing: nameSet(w.HPACK.WithoutIndexing),
		NeverIndexed:    nameSet(w.HPACK.NeverIndexed),
		NameRef:         w.HPACK.NameRef,
		HuffmanAlways:   w.HPACK.HuffmanAlways,
	}
	t.HPACKSizeUpdateOnSettings = w.HPACK.SizeUpdateOnSettings
	if len(w.Priority.Weights) > 0 {
		policy := w.Priority
		t.NewStreamPriorities = func() http2.StreamPriorities { return newStreamPriorities(policy) }
	}
}

func nameSet(names []string) map[string]bool {
	if len(names) == 0 {
		return nil
	}
	set := make(map[string]bool, len(names))
	for _, name := range names {
		set[name] = true
	}
	return set
}
