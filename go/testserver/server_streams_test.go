package main

import (
	"io"
	"net/http"
	"strings"
	"testing"
)

func readAll(t *testing.T, client *http.Client, url string) (*http.Response, []byte, error) {
	t.Helper()
	resp, err := client.Get(url)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	body, err := io.ReadAll(resp.Body)
	return resp, body, err
}

func TestStallEndsTruncated(t *testing.T) {
	c := startTestServers(t)
	for _, nc := range c.all() {
		for _, query := range []string{"after=10&length=100&seconds=0.2", "after=10&seconds=0.2"} {
			t.Run(nc.name+"?"+query, func(t *testing.T) {
				_, body, err := readAll(t, nc.client, nc.base+"/stall?"+query)
				if err == nil || len(body) != 10 {
					t.Fatalf("got %d bytes, err %v; want 10 bytes and an error", len(body), err)
				}
			})
		}
	}
}

func TestSSEBodyIsWellFormed(t *testing.T) {
	c := startTestServers(t)
	for _, nc := range c.all() {
		t.Run(nc.name, func(t *testing.T) {
			resp, body, err := readAll(t, nc.client, nc.base+"/sse?count=3&interval=0.01&crlf=1&split=1&retry=500")
			if err != nil {
				t.Fatal(err)
			}
			if ct := resp.Header.Get("Content-Type"); ct != "text/event-stream" {
				t.Fatalf("content type %q", ct)
			}
			text := string(body)
			if strings.Contains(strings.ReplaceAll(text, "\r\n", ""), "\n") {
				t.Fatal("bare LF in a crlf=1 stream")
			}
			if !strings.HasPrefix(text, "retry: 500\r\nid: 0\r\nevent: tick\r\ndata: {\"n\":0,") {
				t.Fatalf("unexpected start: %q", text[:60])
			}
			if got := strings.Count(text, ": keepalive\r\n"); got != 2 {
				t.Fatalf("%d keepalive comments, want 2", got)
			}
			if !strings.HasSuffix(text, "data: second line of event 2\r\n\r\n") {
				t.Fatalf("unexpected end: %q", text[len(text)-40:])
			}
		})
	}
}

func TestChunkedUnterminated(t *testing.T) {
	c := startTestServers(t)
	for _, nc := range c.all() {
		t.Run(nc.name, func(t *testing.T) {
			resp, body, err := readAll(t, nc.client, nc.base+"/chunked-unterminated?send=1000")
			if nc.proto != "HTTP/1.1" {
				if resp.StatusCode != http.StatusBadRequest {
					t.Fatalf("status %d on %s, want 400", resp.StatusCode, nc.proto)
				}
				return
			}
			if err == nil || len(body) != 1000 {
				t.Fatalf("got %d bytes, err %v; want 1000 bytes and an error", len(body), err)
			}
			_, body, err = readAll(t, nc.client, nc.base+"/chunked-unterminated?send=1000&cut_inside=1")
			if err == nil || len(body) != 1000 {
				t.Fatalf("cut_inside: got %d bytes, err %v", len(body), err)
			}
		})
	}
}

func TestCompressedTruncatedFails(t *testing.T) {
	c := startTestServers(t)
	for _, nc := range c.all() {
		for _, query := range []string{"encoding=zstd&truncate=1", "encoding=br&truncate=1&chunked=1"} {
			t.Run(nc.name+"?"+query, func(t *testing.T) {
				resp, body, err := readAll(t, nc.client, nc.base+"/compressed?"+query)
				if err == nil {
					t.Fatalf("read %d bytes without error", len(body))
				}
				if resp.Header.Get("X-Compressed-Length") == "" {
					t.Fatal("missing X-Compressed-Length")
				}
			})
		}
	}
}
