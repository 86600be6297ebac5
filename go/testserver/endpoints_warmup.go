package main

import (
	"fmt"
	"html"
	"net"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"sync"
)

// A page with subresources, for a client's warmup: /warmup/page serves HTML, each
// /warmup/asset/{name} records the headers it was fetched with under the query's token,
// and /warmup/log?token= returns those records in arrival order.

// assetRecord is what one asset request carried.
type assetRecord struct {
	Path   string `json:"path"`
	Host   string `json:"host"`
	Site   string `json:"sec_fetch_site"`
	Mode   string `json:"sec_fetch_mode"`
	Dest   string `json:"sec_fetch_dest"`
	Accept string `json:"accept"`
	// Referer is "" when absent.
	Referer string `json:"referer"`
	// Navigation-only headers: present at all?
	SecFetchUser            bool `json:"sec_fetch_user"`
	UpgradeInsecureRequests bool `json:"upgrade_insecure_requests"`
}

var warmupLog = struct {
	sync.Mutex
	byToken map[string][]assetRecord
}{byToken: map[string][]assetRecord{}}

// handleWarmupPage serves HTML referencing, in order: a stylesheet, a script, an image,
// a font preload and an icon, all relative; with cross=1 also an image on the other
// loopback name (127.0.0.1 <-> localhost, another site); broken=1 adds a 404 script and
// a script on a port that refuses connections; extra=N adds N more images. Every asset
// URL carries the page's token.
func handleWarmupPage(w http.ResponseWriter, r *http.Request) {
	q := r.URL.Query()
	token := url.QueryEscape(q.Get("token"))
	var b strings.Builder
	b.WriteString("<!doctype html>\n<html><head><title>warmup</title>\n")
	fmt.Fprintf(&b, "<link rel=\"stylesheet\" href=\"/warmup/asset/style.css?token=%s\">\n", token)
	fmt.Fprintf(&b, "<script src=\"/warmup/asset/app.js?token=%s\"></script>\n", token)
	fmt.Fprintf(&b, "<link rel=\"preload\" as=\"font\" href=\"/warmup/asset/font.woff2?token=%s\" crossorigin>\n", token)
	fmt.Fprintf(&b, "<link rel=\"icon\" href=\"/warmup/asset/favicon.ico?token=%s\">\n", token)
	b.WriteString("</head><body>\n")
	fmt.Fprintf(&b, "<img src=\"/warmup/asset/logo.png?token=%s\" alt=\"logo\">\n", token)
	if q.Get("cross") == "1" {
		scheme := "http"
		if r.TLS != nil {
			scheme = "https"
		}
		fmt.Fprintf(&b, "<img src=\"%s://%s/warmup/asset/cross.png?token=%s\">\n", scheme, otherLoopbackName(r.Host), token)
	}
	if q.Get("broken") == "1" {
		fmt.Fprintf(&b, "<script src=\"/warmup/asset/missing.js?token=%s\"></script>\n", token)
		b.WriteString("<script src=\"http://127.0.0.1:1/refused.js\"></script>\n")
	}
	extra, _ := strconv.Atoi(q.Get("extra"))
	for i := 0; i < extra && i < 1000; i++ {
		fmt.Fprintf(&b, "<img src=\"/warmup/asset/extra-%d.png?token=%s\">\n", i, token)
	}
	b.WriteString("<p>" + html.EscapeString("warmup page") + "</p></body></html>\n")
	w.Header().Set("Content-Type", "text/html; charset=utf-8")
	_, _ = w.Write([]byte(b.String()))
}

// otherLoopbackName swaps 127.0.0.1 and localhost, keeping the port.
func otherLoopbackName(hostport string) string {
	host, port, err := net.SplitHostPort(hostport)
	if err != nil {
		host, port = hostport, ""
	}
	other := "localhost"
	if host == "localhost" {
		other = "127.0.0.1"
	}
	if port == "" {
		return other
	}
	return net.JoinHostPort(other, port)
}

// handleWarmupAsset records the request under its token, sets the cookie
// warmup_{stem}=1 (Path=/) and answers a small body; names starting "missing" get 404.
func handleWarmupAsset(w http.ResponseWriter, r *http.Request) {
	name := r.PathValue("name")
	rec := assetRecord{
		Path:                    r.URL.Path,
		Host:                    r.Host,
		Site:                    r.Header.Get("Sec-Fetch-Site"),
		Mode:                    r.Header.Get("Sec-Fetch-Mode"),
		Dest:                    r.Header.Get("Sec-Fetch-Dest"),
		Accept:                  r.Header.Get("Accept"),
		Referer:                 r.Header.Get("Referer"),
		SecFetchUser:            len(r.Header.Values("Sec-Fetch-User")) > 0,
		UpgradeInsecureRequests: len(r.Header.Values("Upgrade-Insecure-Requests")) > 0,
	}
	token := r.URL.Query().Get("token")
	warmupLog.Lock()
	warmupLog.byToken[token] = append(warmupLog.byToken[token], rec)
	warmupLog.Unlock()
	if strings.HasPrefix(name, "missing") {
		http.NotFound(w, r)
		return
	}
	stem, _, _ := strings.Cut(name, ".")
	stem = strings.Map(func(c rune) rune {
		if c >= 'a' && c <= 'z' || c >= '0' && c <= '9' {
			return c
		}
		return '_'
	}, strings.ToLower(stem))
	http.SetCookie(w, &http.Cookie{Name: "warmup_" + stem, Value: "1", Path: "/"})
	w.Header().Set("Content-Type", assetContentType(name))
	_, _ = w.Write([]byte("/* asset " + name + " */\n"))
}

func assetContentType(name string) string {
	switch {
	case strings.HasSuffix(name, ".css"):
		return "text/css"
	case strings.HasSuffix(name, ".js"):
		return "text/javascript"
	case strings.HasSuffix(name, ".png"):
		return "image/png"
	case strings.HasSuffix(name, ".ico"):
		return "image/x-icon"
	case strings.HasSuffix(name, ".woff2"):
		return "font/woff2"
	}
	return "application/octet-stream"
}

// handleWarmupLog answers {"requests":[record...]} for ?token=, in arrival order.
func handleWarmupLog(w http.ResponseWriter, r *http.Request) {
	warmupLog.Lock()
	records := append([]assetRecord{}, warmupLog.byToken[r.URL.Query().Get("token")]...)
	warmupLog.Unlock()
	writeJSON(w, http.StatusOK, map[string]any{"requests": records})
}
