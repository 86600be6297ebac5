// goread is the benchmark's reference: a Go-native read loop over the same engine, preset
// and server as the Python binding, with nothing but io.Reader between it and the socket.
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

	buf := make([]byte, *chunk)
	if *requests > 1 {
		for range 20 { // warm the pool, as the Python figures do
			readAll(client, *url, buf)
		}
	}
	started := time.Now()
	var total int64
	for range *requests {
		total += readAll(client, *url, buf)
	}
	elapsed := time.Since(started).Seconds()
	out, _ := json.Marshal(map[string]any{
		"bytes": total, "seconds": elapsed, "requests": *requests, "maxrss_kib": peakRSSKiB(),
	})
	fmt.Println(string(out))
}

// readAll sends one GET and reads its body to the end with io.Reader.
func readAll(client tlsclient.HttpClient, url string, buf []byte) int64 {
	req, err := http.NewRequest("GET", url, nil)
	check(err)
	resp, err := client.Do(req)
	check(err)
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

func check(err error) {
	if err != nil {
		fmt.Fprintln(os.Stderr, "goread:", err)
		os.Exit(1)
	}
}
