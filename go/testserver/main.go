// Command testserver is a local HTTP/1.1, HTTP/2 and HTTP/3 server for the
// httpcloak test suite: httpbin-style echo endpoints, deliberately broken
// responses, streaming formats, TLS/HTTP2 fingerprint reporting, and
// authenticating HTTP and SOCKS5 forward proxies (loopback targets only).
//
// Contract: it prints exactly one JSON line on stdout once every listener is
// up ({"http","https","h3","ca","pid","http_proxy","socks5_proxy","https_proxy",
// "server_pem","ech","dns"}), logs only to stderr, and exits when stdin reaches EOF or on SIGINT/SIGTERM.
package main

import (
	"encoding/json"
	"flag"
	"fmt"
	"io"
	"log"
	"net"
	"os"
	"os/signal"
	"path/filepath"
	"syscall"
)

// readyLine is the single line of stdout; field order is part of the contract.
type readyLine struct {
	HTTP  string `json:"http"`
	HTTPS string `json:"https"`
	H3    string `json:"h3"`
	CA    string `json:"ca"`
	PID   int    `json:"pid"`
	// Proxy URLs carry no credentials; they are fixed (see README.md).
	HTTPProxy   string `json:"http_proxy"`
	SOCKS5Proxy string `json:"socks5_proxy"`
	// The HTTP proxy behind TLS, with the server's certificate (signed by ca).
	HTTPSProxy string `json:"https_proxy"`
	// The server's certificate chain and key in one PEM file, for tests' own TLS servers.
	ServerPEM string `json:"server_pem"`
	// An HTTPS server with an ECH key (GET /ech), and a DNS server (UDP "ip:port")
	// publishing its ECH configuration in HTTPS records (dns_server.go).
	ECH string `json:"ech"`
	DNS string `json:"dns"`
}

func main() {
	caOut := flag.String("ca-out", "", "where to write the CA certificate PEM (default: a file in the temp dir)")
	host := flag.String("host", "127.0.0.1", "loopback address to bind: 127.0.0.1 or ::1")
	exitOnStdinEOF := flag.Bool("exit-on-stdin-eof", true, "exit when stdin reaches EOF (so a dying parent takes the server down)")
	flag.StringVar(&captureDir, "capture-dir", "", "write each TLS connection's full capture (/fingerprint/full) to DIR/conn-<id>.json")
	flag.Parse()
	log.SetOutput(os.Stderr)
	log.SetPrefix("testserver: ")
	log.SetFlags(log.Ltime | log.Lmicroseconds)

	ip := net.ParseIP(*host)
	if ip == nil || !ip.IsLoopback() {
		log.Fatalf("-host must be a loopback IP address, got %q", *host)
	}

	if captureDir != "" {
		if err := os.MkdirAll(captureDir, 0o755); err != nil {
			log.Fatalf("-capture-dir: %v", err)
		}
	}

	caPath, err := resolveCAPath(*caOut)
	if err != nil {
		log.Fatal(err)
	}
	pki, err := newTestPKI()
	if err != nil {
		log.Fatalf("generating certificates: %v", err)
	}
	if err := pki.writeCA(caPath); err != nil {
		log.Fatalf("writing CA: %v", err)
	}
	serverPEMPath := filepath.Join(os.TempDir(), fmt.Sprintf("httpcloak-testserver-tls-%d.pem", os.Getpid()))
	if err := pki.writeServerPEM(serverPEMPath); err != nil {
		log.Fatalf("writing the server's certificate and key: %v", err)
	}
	defer os.Remove(serverPEMPath)

	servers, err := startServers(ip, pki.leaf, newRouter())
	if err != nil {
		log.Fatal(err)
	}

	line, err := json.Marshal(readyLine{
		HTTP:  "http://" + net.JoinHostPort(*host, fmt.Sprint(servers.httpPort())),
		HTTPS: "https://" + net.JoinHostPort(*host, fmt.Sprint(servers.httpsPort())),
		H3:    h3URL(*host, servers.h3Port()),
		CA:    caPath,
		PID:   os.Getpid(),

		HTTPProxy:   "http://" + net.JoinHostPort(*host, fmt.Sprint(servers.httpProxyPort())),
		SOCKS5Proxy: "socks5://" + net.JoinHostPort(*host, fmt.Sprint(servers.socks5ProxyPort())),
		HTTPSProxy:  "https://" + net.JoinHostPort(*host, fmt.Sprint(servers.httpsProxyPort())),
		ServerPEM:   serverPEMPath,
		ECH:         "https://" + net.JoinHostPort(*host, fmt.Sprint(servers.ech.port())),
		DNS:         net.JoinHostPort(*host, fmt.Sprint(servers.dns.port())),
	})
	if err != nil {
		log.Fatal(err)
	}
	os.Stdout.Write(append(line, '\n')) // os.Stdout is unbuffered: this is the flush
	log.Printf("ready: %s", line)

	waitForShutdown(*exitOnStdinEOF)
	servers.close()
	flushOpenCaptures()
	if *caOut == "" {
		os.Remove(caPath) // we picked the temp path, so nobody else owns the file
	}
	log.Printf("stopped")
}

// h3URL is "" when HTTP/3 could not start.
func h3URL(host string, port int) string {
	if port == 0 {
		return ""
	}
	return "https://" + net.JoinHostPort(host, fmt.Sprint(port))
}

func resolveCAPath(flagValue string) (string, error) {
	if flagValue == "" {
		flagValue = filepath.Join(os.TempDir(), fmt.Sprintf("httpcloak-testserver-ca-%d.pem", os.Getpid()))
	}
	return filepath.Abs(flagValue)
}

// waitForShutdown blocks until a signal arrives or, if enabled, stdin closes.
func waitForShutdown(watchStdin bool) {
	done := make(chan string, 2)
	signals := make(chan os.Signal, 1)
	signal.Notify(signals, syscall.SIGINT, syscall.SIGTERM)
	go func() { done <- (<-signals).String() }()
	if watchStdin {
		go func() {
			io.Copy(io.Discard, os.Stdin)
			done <- "stdin closed"
		}()
	}
	log.Printf("shutting down: %s", <-done)
}
