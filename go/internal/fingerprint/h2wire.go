package fingerprint

// H2Wire is how a browser's HTTP/2 framing and HPACK encoding differ from fhttp's defaults
// once the preface is sent (first stream id, per-stream WINDOW_UPDATE, HEADERS priority per
// request, which header fields are indexed, Huffman use). Zero value: fhttp's behaviour.
type H2Wire struct{}

// The browser families' wire behaviour; presets of a family share it.
var (
	chromeH2Wire  = H2Wire{}
	firefoxH2Wire = H2Wire{}
	safariH2Wire  = H2Wire{}
)
