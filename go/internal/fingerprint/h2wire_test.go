package fingerprint

import (
	"bytes"
	"encoding/hex"
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"testing"

	http "github.com/bogdanfinn/fhttp"
	"github.com/bogdanfinn/fhttp/http2"
	"github.com/bogdanfinn/fhttp/http2/hpack"
)

// The browser captures (tools/capture_browsers.py); -h3 directories are QUIC.
const capturesDir = "../../../tests/fixtures/browsers"

type capturedHeaders struct {
	StreamID uint32      `json:"stream_id"`
	Block    string      `json:"header_block_hex"`
	Headers  [][2]string `json:"headers"`
	Priority struct {
		Exclusive bool   `json:"exclusive"`
		DependsOn uint32 `json:"depends_on"`
		Weight    uint8  `json:"weight"`
	} `json:"priority"`
	HPACK []struct {
		Kind string `json:"kind"`
	} `json:"hpack"`
}

// capturedConnections gives, per HTTP/2 connection of a browser's TCP captures, its
// request HEADERS frames in order.
func capturedConnections(t *testing.T, browser string) [][]capturedHeaders {
	t.Helper()
	dirs, err := filepath.Glob(filepath.Join(capturesDir, browser+"-*"))
	if err != nil {
		t.Fatal(err)
	}
	var conns [][]capturedHeaders
	for _, dir := range dirs {
		if strings.HasSuffix(dir, "-h3") {
			continue
		}
		files, _ := filepath.Glob(filepath.Join(dir, "launch-*", "conn-*.json"))
		for _, file := range files {
			raw, err := os.ReadFile(file)
			if err != nil {
				t.Fatal(err)
			}
			var record struct {
				HTTP2 *struct {
					Frames []struct {
						Type string `json:"type"`
						capturedHeaders
					} `json:"frames"`
				} `json:"http2"`
			}
			if err := json.Unmarshal(raw, &record); err != nil {
				t.Fatalf("%s: %v", file, err)
			}
			if record.HTTP2 == nil {
				continue
			}
			var requests []capturedHeaders
			for _, f := range record.HTTP2.Frames {
				if f.Type == "HEADERS" && len(f.Headers) > 0 {
					requests = append(requests, f.capturedHeaders)
				}
			}
			if len(requests) > 0 {
				conns = append(conns, requests)
			}
		}
	}
	if len(conns) == 0 {
		t.Fatalf("no %s captures in %s", browser, capturesDir)
	}
	return conns
}

// The encoder, under a family's policy, writes every captured header block byte for byte
// when given the same fields in the same order on one connection.
func replayHPACK(t *testing.T, browser string, wire H2Wire) {
	var transport http2.Transport
	wire.Configure(&transport)
	blocks := 0
	for _, requests := range capturedConnections(t, browser) {
		var out bytes.Buffer
		enc := hpack.NewEncoder(&out)
		enc.SetPolicy(transport.HPACK)
		for _, r := range requests {
			out.Reset()
			// When the browser had acknowledged the server's SETTINGS (HEADER_TABLE_SIZE
			// 4096) is a matter of timing; the transport test covers that part.
			if len(r.HPACK) > 0 && r.HPACK[0].Kind == "table_size_update" {
				enc.SetMaxDynamicTableSize(4096)
			}
			for _, h := range r.Headers {
				if err := enc.WriteField(hpack.HeaderField{Name: h[0], Value: h[1]}); err != nil {
					t.Fatal(err)
				}
			}
			if got := hex.EncodeToString(out.Bytes()); got != r.Block {
				t.Fatalf("stream %d:\n got %s\nwant %s", r.StreamID, got, r.Block)
			}
			blocks++
		}
	}
	t.Logf("%d header blocks identical", blocks)
}

func TestChromeHPACKEncodesAsCapturedChromium(t *testing.T) {
	replayHPACK(t, "chromium", chromeH2Wire)
}

func TestFirefoxHPACKEncodesAsCapturedFirefox(t *testing.T) {
	replayHPACK(t, "firefox-esr", firefoxH2Wire)
}

func TestDefaultHPACKDiffersFromBothBrowsers(t *testing.T) {
	for _, browser := range []string{"chromium", "firefox-esr"} {
		var out bytes.Buffer
		enc := hpack.NewEncoder(&out)
		first := capturedConnections(t, browser)[0][0]
		for _, h := range first.Headers {
			_ = enc.WriteField(hpack.HeaderField{Name: h[0], Value: h[1]})
		}
		if hex.EncodeToString(out.Bytes()) == first.Block {
			t.Errorf("%s: fhttp's own encoding already equals the capture", browser)
		}
	}
}

func headerOf(fields [][2]string) http.Header {
	h := http.Header{}
	for _, f := range fields {
		h.Add(f[0], f[1]) // canonical keys, as the engine's requests have them
	}
	return h
}

// Weight and exclusivity depend on the request alone: every captured HEADERS frame.
func TestHeadersWeightsAsCaptured(t *testing.T) {
	for browser, wire := range map[string]H2Wire{"chromium": chromeH2Wire, "firefox-esr": firefoxH2Wire} {
		for _, requests := range capturedConnections(t, browser) {
			for _, r := range requests {
				got := newStreamPriorities(wire.Priority).Opened(r.StreamID, headerOf(r.Headers))
				if got.Weight != r.Priority.Weight || got.Exclusive != r.Priority.Exclusive {
					t.Errorf("%s stream %d (%v): got %+v, captured %+v", browser, r.StreamID, r.Headers[3:], got, r.Priority)
				}
				if wire.Priority.Parent == ParentRoot && got.StreamDep != 0 {
					t.Errorf("%s: depends on %d", browser, got.StreamDep)
				}
			}
		}
	}
}

// Chromium's parents, as in launch-1's first connection: each stream depends on the newest
// open one of the same or a more urgent priority. Which streams were still open is read
// off the capture (the server answers quickly, so the document had ended).
func TestChromeParentIsNewestOpenStreamOfSameOrMoreUrgentPriority(t *testing.T) {
	s := newStreamPriorities(chromeH2Wire.Priority)
	open := func(id uint32, priority string) http2.PriorityParam {
		return s.Opened(id, http.Header{"Priority": {priority}})
	}
	steps := []struct {
		id       uint32
		priority string
		closeIDs []uint32 // ended before this request
		parent   uint32
		weight   uint8
	}{
		{1, "u=0, i", nil, 0, 255},                   // document
		{3, "u=0", []uint32{1}, 0, 255},              // stylesheet
		{5, "u=1", nil, 3, 219},                      // script: on the stylesheet
		{7, "u=2, i", nil, 5, 182},                   // image: on the script
		{9, "u=2, i", nil, 7, 182},                   // image: on the other image
		{11, "u=1, i", []uint32{3, 5, 7, 9}, 0, 219}, // fetch
		{13, "u=1, i", nil, 11, 219},                 // favicon: on the fetch
		{15, "u=1, i", []uint32{11, 13}, 0, 219},
		{17, "u=3", nil, 15, 146}, // no priority header would be u=3 too
	}
	for _, step := range steps {
		for _, id := range step.closeIDs {
			s.Closed(id)
		}
		got := open(step.id, step.priority)
		want := http2.PriorityParam{StreamDep: step.parent, Exclusive: true, Weight: step.weight}
		if got != want {
			t.Errorf("stream %d: got %+v, want %+v", step.id, got, want)
		}
	}
	s.Closed(999) // never opened: ignored
}

func TestRequestUrgency(t *testing.T) {
	for value, want := range map[string]int{
		"u=0, i": 0, "i, u=5": 5, "u=7": 7, "": 3, "u=8": 3, "u=1x": 3, "i": 3, " u=2 ": 2,
	} {
		if got := requestUrgency(value); got != want {
			t.Errorf("requestUrgency(%q) = %d, want %d", value, got, want)
		}
	}
}

func TestZeroH2WireLeavesTransportAlone(t *testing.T) {
	var transport http2.Transport
	H2Wire{}.Configure(&transport)
	if transport.InitialStreamID != 0 || transport.StreamWindowUpdate != 0 || transport.NewStreamPriorities != nil ||
		transport.HPACKSizeUpdateOnSettings || transport.HPACK.WithoutIndexing != nil || transport.HPACK.NameRef != hpack.NameRefDefault ||
		transport.WindowUpdates != (http2.WindowUpdatePolicy{}) {
		t.Fatal("the zero H2Wire changed the transport")
	}
}

// A value whose Huffman code is longer than itself: raw from Chromium, Huffman from Firefox
// (measured by hand, see firefoxH2Wire).
func TestHuffmanOnlyWhenShorterForChromeAlwaysForFirefox(t *testing.T) {
	const value = "~~~~~~~~^^^^{}{}"
	for wire, huffman := range map[*H2Wire]bool{&chromeH2Wire: false, &firefoxH2Wire: true} {
		var transport http2.Transport
		wire.Configure(&transport)
		var out bytes.Buffer
		enc := hpack.NewEncoder(&out)
		enc.SetPolicy(transport.HPACK)
		_ = enc.WriteField(hpack.HeaderField{Name: "x-long", Value: value})
		block := out.Bytes()
		// A new-name literal: type byte, name (6 bytes, shorter in Huffman), then the value.
		valueLength := block[1+1+int(block[1]&0x7f)]
		if got := valueLength&0x80 != 0; got != huffman || (huffman && int(valueLength&0x7f) <= len(value)) {
			t.Errorf("Huffman %v, want %v (%x)", got, huffman, block)
		}
	}
}
