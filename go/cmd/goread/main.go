// goread is the benchmark's reference: a Go-native read loop over the same engine, preset
// (chrome-latest: its TLS and HTTP/2 fingerprint and its headers) and server as the Python
// binding, with nothing but io.Reader between it and the socket: no stream layer, no
// read-ahead, no decoding. It answers three of the benchmark's figures: one body (the
// default), -requests N sequential GETs, and -threads N concurrent streams on one engine.
package main

import (
	"context"
	"encoding/json"
	"flag"
	"fmt"
	"io"
	"net/url"
	"os"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"syscall"
	"time"

	"httpcloakpy/internal/engine"
	"httpcloakpy/internal/fingerprint"
	"httpcloakpy/internal/wire"
)

// preset is the one the Python binding uses by default.
const preset = "chrome-latest"

func main() {
	rawURL := flag.String("url", "", "URL to stream")
	caFile := flag.String("ca", "", "CA bundle (PEM) to trust")
	chunk := flag.Int("chunk", 64<<10, "read size in bytes")
	requests := flag.Int("requests", 1, "sequential GETs of url, each read to its end")
	threads := flag.Int("threads", 1, "concurrent GETs of url on one engine, each read to its end")
	warmup := flag.Int("warmup", 20, "untimed GETs before -requests N > 1")
	flag.Parse()

	target, err := url.Parse(*rawURL)
	check(err)
	p, err := fingerprint.Lookup(preset)
	check(err)
	eng, err := engine.New(engine.Config{Preset: preset, HTTPVersion: "auto", Verify: true, CAFile: *caFile})
	check(err)
	defer eng.Close()
	get := &getter{eng: eng, url: target, headers: eng.PresetHeaders()}

	if *requests > 1 {
		buf := make([]byte, *chunk)
		for range *warmup { // warm the pool, as the Python figures do
			get.readAll(buf)
		}
	}
	cpu0, started := cpuSeconds(), time.Now()
	var total int64
	if *threads > 1 {
		total = get.readConcurrently(*chunk, *threads)
	} else {
		buf := make([]byte, *chunk)
		for range *requests {
			total += get.readAll(buf)
		}
	}
	elapsed := time.Since(started).Seconds()
	out, _ := json.Marshal(map[string]any{
		"bytes": total, "seconds": elapsed, "requests": *requests, "rps": float64(*requests) / elapsed,
		"cpu_seconds": cpuSeconds() - cpu0, "maxrss_kib": peakRSSKiB(), "shared_session": true,
		"protocol": protocol.Load(), "preset": preset, "engine_profile": p.Profile,
	})
	fmt.Println(string(out))
}

// getter sends GETs of one URL through one engine, with the preset's headers.
type getter struct {
	eng     engine.Engine
	url     *url.URL
	headers [][2]string
}

// readConcurrently streams the URL on n goroutines at once through one engine.
func (g *getter) readConcurrently(chunk, n int) int64 {
	var wg sync.WaitGroup
	totals := make([]int64, n)
	for i := range n {
		wg.Go(func() { totals[i] = g.readAll(make([]byte, chunk)) })
	}
	wg.Wait()
	var total int64
	for _, t := range totals {
		total += t
	}
	return total
}

// protocol names the protocol of the last response as the Python clients' reports do.
var protocol atomic.Value

var protocolNames = map[string]string{"h1": "HTTP/1.1", "h2": "HTTP/2", "h3": "HTTP/3"}

// readAll sends one GET and reads its body to the end with io.Reader.
func (g *getter) readAll(buf []byte) int64 {
	resp, err := g.eng.RoundTrip(context.Background(), &engine.Request{Method: "GET", URL: g.url, Headers: g.headers})
	check(err)
	if coding, _ := wire.HeaderValue(resp.Headers, "content-encoding"); coding != "" && coding != "identity" {
		check(fmt.Errorf("the server sent a %s body; this reference reads bodies as they arrive, undecoded", coding))
	}
	protocol.Store(protocolNames[resp.Proto])
	var total int64
	for {
		n, err := resp.Body.Read(buf)
		total += int64(n)
		if err == io.EOF {
			break
		}
		check(err)
	}
	check(resp.Body.Close())
	return total
}

// peakRSSKiB reads VmHWM, the resident high-water mark of this process image.
func peakRSSKiB() int64 {
	status, err := os.ReadFile("/proc/self/status")
	check(err)
	for _, line := range strings.Split(string(status), "\n") {
		if rest, ok := strings.CutPrefix(line, "VmHWM:"); ok {
			kib, _ := strconv.ParseInt(strings.TrimSpace(strings.TrimSuffix(strings.TrimSpace(rest), "kB")), 10, 64)
			return kib
		}
	}
	return -1
}

// cpuSeconds is this process's user+sys time so far.
func cpuSeconds() float64 {
	var usage syscall.Rusage
	check(syscall.Getrusage(syscall.RUSAGE_SELF, &usage))
	return time.Duration(usage.Utime.Nano() + usage.Stime.Nano()).Seconds()
}

func check(err error) {
	if err != nil {
		fmt.Fprintln(os.Stderr, "goread:", err)
		os.Exit(1)
	}
}
