package main

import (
	"fmt"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"time"
)

// handleCookies echoes the request's cookies: {"cookies": {name: value}}.
func handleCookies(w http.ResponseWriter, r *http.Request) {
	cookies := map[string]string{}
	for _, c := range r.Cookies() {
		cookies[c.Name] = c.Value
	}
	writeJSON(w, http.StatusOK, map[string]any{"cookies": cookies})
}

// setQueryCookies sets a Path=/ cookie for every query parameter except the
// reserved ones, and returns what it set.
func setQueryCookies(w http.ResponseWriter, query url.Values, reserved ...string) map[string]string {
	set := map[string]string{}
	for name, values := range query {
		if isReserved(name, reserved) || len(values) == 0 {
			continue
		}
		http.SetCookie(w, &http.Cookie{Name: name, Value: values[0], Path: "/"})
		set[name] = values[0]
	}
	return set
}

func isReserved(name string, reserved []string) bool {
	for _, r := range reserved {
		if name == r {
			return true
		}
	}
	return false
}

// handleCookiesSet sets each query parameter as a cookie and replies with
// {"cookies": {set}} (no redirect, unlike httpbin).
func handleCookiesSet(w http.ResponseWriter, r *http.Request) {
	set := setQueryCookies(w, r.URL.Query())
	writeJSON(w, http.StatusOK, map[string]any{"cookies": set})
}

// handleCookiesDelete expires every cookie named in the query.
func handleCookiesDelete(w http.ResponseWriter, r *http.Request) {
	var deleted []string
	for name := range r.URL.Query() {
		http.SetCookie(w, &http.Cookie{Name: name, Value: "", Path: "/", MaxAge: -1})
		deleted = append(deleted, name)
	}
	writeJSON(w, http.StatusOK, map[string]any{"deleted": deleted})
}

// handleCookiesRaw sends every ?line= as a Set-Cookie header exactly as given
// (attributes included); with ?to= it redirects there (?code=, default 302), otherwise it
// answers {"set": count}.
func handleCookiesRaw(w http.ResponseWriter, r *http.Request) {
	lines := r.URL.Query()["line"]
	for _, line := range lines {
		if strings.ContainsAny(line, "\r\n") {
			badRequest(w, "line must not contain CR or LF")
			return
		}
	}
	w.Header()["Set-Cookie"] = lines
	to := r.URL.Query().Get("to")
	if to == "" {
		writeJSON(w, http.StatusOK, map[string]any{"set": len(lines)})
		return
	}
	code, ok := queryInt(r, "code", http.StatusFound)
	if !ok || code < 300 || code > 399 {
		badRequest(w, "code must be 3xx")
		return
	}
	redirect(w, to, int(code))
}

// handleCookiesMany sends ?n= Set-Cookie headers "<prefix><i>=1<attrs>" (prefix "c",
// attrs "" by default) in one response: a flood for the jar's limits.
func handleCookiesMany(w http.ResponseWriter, r *http.Request) {
	n, ok := queryInt(r, "n", 100)
	if !ok || n < 0 || n > 1_000_000 {
		badRequest(w, "n must be 0..1000000")
		return
	}
	prefix, attrs := queryString(r, "prefix", "c"), queryString(r, "attrs", "")
	if strings.ContainsAny(prefix+attrs, "\r\n") {
		badRequest(w, "prefix and attrs must not contain CR or LF")
		return
	}
	lines := make([]string, n)
	for i := range lines {
		lines[i] = prefix + strconv.Itoa(i) + "=1" + attrs
	}
	w.Header()["Set-Cookie"] = lines
	writeJSON(w, http.StatusOK, map[string]any{"set": n})
}

// handleCookiesStream sets the query cookies, then streams ?lines= (default
// 20) flushed lines "line <i>\n" with no Content-Length.
func handleCookiesStream(w http.ResponseWriter, r *http.Request) {
	lines, ok := queryInt(r, "lines", 20)
	if !ok || lines < 0 {
		badRequest(w, "lines must be >= 0")
		return
	}
	setQueryCookies(w, r.URL.Query(), "lines")
	w.Header().Set("Content-Type", "text/plain; charset=utf-8")
	w.WriteHeader(http.StatusOK)
	for i := int64(0); i < lines; i++ {
		if _, err := fmt.Fprintf(w, "line %d\n", i); err != nil || flush(w) != nil {
			return
		}
	}
}

// handleRedirectWithCookie redirects to ?to= (default /cookies) with status
// ?code= (default 302) and sets every other query parameter as a cookie.
func handleRedirectWithCookie(w http.ResponseWriter, r *http.Request) {
	code, ok := queryInt(r, "code", http.StatusFound)
	if !ok || code < 300 || code > 399 {
		badRequest(w, "code must be 3xx")
		return
	}
	setQueryCookies(w, r.URL.Query(), "to", "code")
	redirect(w, queryString(r, "to", "/cookies"), int(code))
}

// handleRedirectChain: /redirect/n answers 302 to /redirect/n-1, and
// /redirect/1 to /get.
func handleRedirectChain(w http.ResponseWriter, r *http.Request) {
	n, ok := pathCount(r, "n")
	if !ok || n < 1 {
		badRequest(w, "n must be >= 1")
		return
	}
	next := "/get"
	if n > 1 {
		next = "/redirect/" + strconv.FormatInt(n-1, 10)
	}
	redirect(w, next, http.StatusFound)
}

// handleRedirectTo redirects to ?url= with ?status_code= (default 302).
func handleRedirectTo(w http.ResponseWriter, r *http.Request) {
	target := r.URL.Query().Get("url")
	code, ok := queryInt(r, "status_code", http.StatusFound)
	if target == "" || !ok || code < 300 || code > 399 {
		badRequest(w, "need url and a 3xx status_code")
		return
	}
	if r.URL.Query().Get("stall") == "1" {
		stalledRedirect(w, r, target, int(code))
		return
	}
	redirect(w, target, int(code))
}

// stalledRedirect promises a body it never finishes: a client following the redirect
// must not wait for it.
func stalledRedirect(w http.ResponseWriter, r *http.Request, location string, code int) {
	w.Header().Set("Location", location)
	w.Header().Set("Content-Length", "1000")
	w.WriteHeader(code)
	w.Write([]byte("partial"))
	w.(http.Flusher).Flush()
	select {
	case <-r.Context().Done():
	case <-time.After(30 * time.Second):
	}
}

// redirect writes Location exactly as given (http.Redirect would rewrite
// relative paths) and a tiny body.
func redirect(w http.ResponseWriter, location string, code int) {
	body := "redirecting to " + location + "\n"
	w.Header().Set("Location", location)
	w.Header().Set("Content-Type", "text/plain; charset=utf-8")
	w.Header().Set("Content-Length", strconv.Itoa(len(body)))
	w.WriteHeader(code)
	w.Write([]byte(body))
}
