// goread is the benchmark's reference: a Go-native read loop over the same engine, preset
// and server as the Python binding, with nothing but io.Reader between it and the socket.
// It answers three of the benchmark's figures: one body (the default), -requests N
// sequential GETs, and -threads N concurrent streams on one client.
package main

import (
	"crypto/x509"
	"encoding/json"
	"flag"
	"fmt"
	"io"
	"os"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"syscall"
	"time"

	http "github.com/bogdanfinn/fhttp"
	tlsclient "github.com/bogdanfinn/tls-client"
	"github.com/bogdanfinn/tls-client/profiles"
)

func main() {
	url := flag.String("url", "", "URL to stream")
	caFile := flag.String("ca", "", "CA bundle (PEM) to trust")
	chunk := flag.Int("chunk", 64<<10, "read size in bytes")
	requests := flag.Int("requests", 1, "sequential GETs of url, each read to its end")
	threads := flag.Int("threads", 1, "concurrent GETs of url on one client, each read to its end")
	warmup := flag.Int("warmup", 20, "untimed GETs before -requests N > 1")
	flag.Parse()

	transport := &tlsclient.TransportOptions{DisableCompression: true, ReadBufferSize: 64 << 10}
	if *caFile != "" {
		pem, err := os.ReadFile(*caFile)
		check(err)
		pool := x509.NewCertPool()
		pool.AppendCertsFromPEM(pem)
		transport.RootCAs = pool
	}
	client, err := tlsclient.NewHttpClient(tlsclient.NewNoopLogger(),
		tlsclient.WithClientProfile(profiles.Chrome_133),
		tlsclient.WithTimeoutSeconds(0),
		tlsclient.WithDisableHttp3(),
		tlsclient.WithTransportOptions(transport))
	check(err)

	if *requests > 1 {
		buf := make([]byte, *chunk)
		for range *warmup { // warm the pool, as the Python figures do
			readAll(client, *url, buf)
		}
	}
	cpu0, started := cpuSeconds(), time.Now()
	var total int64
	if *threads > 1 {
		total = readConcurrently(client, *url, *chunk, *threads)
	} else {
		buf := make([]byte, *chunk)
		for range *requests {
			total += readAll(client, *url, buf)
		}
	}
	elapsed := time.Since(started).Seconds()
	out, _ := json.Marshal(map[string]any{
		"bytes": total, "seconds": elapsed, "requests": *requests, "rps": float64(*requests) / elapsed,
		"cpu_seconds": cpuSeconds() - cpu0, "maxrss_kib": peakRSSKiB(), "shared_session": true,
		"protocol": protocol.Load(),
	})
	fmt.Println(string(out))
}

// readConcurrently streams url on n goroutines at once through one client.
func readConcurrently(client tlsclient.HttpClient, url string, chunk, n int) int64 {
	var wg sync.WaitGroup
	totals := make([]int64, n)
	for i := range n {
		wg.Go(func() { totals[i] = readAll(client, url, make([]byte, chunk)) })
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

// readAll sends one GET and reads its body to the end with io.Reader.
func readAll(client tlsclient.HttpClient, url string, buf []byte) int64 {
	req, err := http.NewRequest("GET", url, nil)
	check(err)
	resp, err := client.Do(req)
	check(err)
	protocol.Store(strings.TrimSuffix(resp.Proto, ".0")) // "HTTP/1.1", "HTTP/2"
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
