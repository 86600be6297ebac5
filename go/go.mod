module httpcloakpy

go 1.26.0

require (
	github.com/andybalholm/brotli v1.2.8
	github.com/bogdanfinn/fhttp v0.6.9
	github.com/bogdanfinn/quic-go-utls v1.0.4-utls
	github.com/bogdanfinn/utls v1.7.8-barnius
	github.com/klauspost/compress v1.20.3
	github.com/quic-go/qpack v0.5.1
	golang.org/x/net v0.56.0
	golang.org/x/sys v0.47.0
)

require (
	github.com/cloudflare/circl v1.6.2 // indirect
	github.com/stretchr/testify v1.12.1 // indirect
	go.uber.org/mock v0.5.2 // indirect
	golang.org/x/crypto v0.54.0 // indirect
	golang.org/x/mod v0.37.0 // indirect
	golang.org/x/sync v0.22.0 // indirect
	golang.org/x/text v0.40.0 // indirect
	golang.org/x/tools v0.47.0 // indirect
)

// Built from our patched copy (go/patches/github.com/bogdanfinn/fhttp, applied by
// build_go.py; see docs/go-patches.md). Without it the build fails instead of using the
// unpatched module.
replace github.com/bogdanfinn/fhttp => ../build/go-patched/github.com/bogdanfinn/fhttp

// Our patches to the QUIC stack (go/patches/github.com/bogdanfinn/quic-go-utls): the preset's
// QUIC ClientHello and Initial packets (docs/go-patches.md).
replace github.com/bogdanfinn/quic-go-utls => ../build/go-patched/github.com/bogdanfinn/quic-go-utls

// Our patch to utls (go/patches/github.com/bogdanfinn/utls): a QUIC hello made from a spec
// keeps early_data on resumption (docs/go-patches.md).
replace github.com/bogdanfinn/utls => ../build/go-patched/github.com/bogdanfinn/utls
