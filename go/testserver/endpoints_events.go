package main

import (
	"encoding/json"
	"fmt"
	"net/http"
	"strconv"
	"time"
)

// handleSSE streams Server-Sent Events. Each event i (from 0) is
//
//	id: i
//	event: tick
//	data: {"n": i, "ts": <unix seconds, float>}
//	data: second line of event i
//	<blank line>
//
// with ": keepalive" comment lines between events. Parameters: count
// (default 5, 0 = until the client leaves), interval seconds (0.1), crlf=1
// for CRLF line endings, split=1 to write each event in flushed pieces cut
// between CR and LF and inside field names, retry=N to send "retry: N" first.
func handleSSE(w http.ResponseWriter, r *http.Request) {
	count, okC := queryInt(r, "count", 5)
	interval, okI := queryFloat(r, "interval", 0.1)
	retry, okR := queryInt(r, "retry", 0)
	if !okC || !okI || !okR || count < 0 {
		badRequest(w, "bad count, interval or retry")
		return
	}
	eol := "\n"
	if queryBool(r, "crlf") {
		eol = "\r\n"
	}
	split := queryBool(r, "split")

	w.Header().Set("Content-Type", "text/event-stream")
	w.Header().Set("Cache-Control", "no-cache")
	w.WriteHeader(http.StatusOK)
	flush(w)

	for i := int64(0); count == 0 || i < count; i++ {
		var text string
		if i == 0 && retry > 0 {
			text = "retry: " + strconv.FormatInt(retry, 10) + eol
		}
		if i > 0 {
			if !sleepCtx(r.Context(), seconds(interval)) {
				return
			}
			text += ": keepalive" + eol
		}
		text += sseEvent(i, eol)
		pieces := []string{text}
		if split {
			pieces = splitSSE(text)
		}
		for j, piece := range pieces {
			if j > 0 && !sleepCtx(r.Context(), 5*time.Millisecond) {
				return
			}
			if _, err := w.Write([]byte(piece)); err != nil || flush(w) != nil {
				return
			}
		}
	}
}

func sseEvent(i int64, eol string) string {
	ts := float64(time.Now().UnixMicro()) / 1e6
	data, _ := json.Marshal(map[string]any{"n": i, "ts": ts})
	return "id: " + strconv.FormatInt(i, 10) + eol +
		"event: tick" + eol +
		"data: " + string(data) + eol +
		"data: second line of event " + strconv.FormatInt(i, 10) + eol +
		eol
}

// splitSSE cuts text after every CR that precedes an LF and two bytes into
// every line that is long enough, i.e. in the middle of its field name.
func splitSSE(text string) []string {
	var pieces []string
	start, lineStart := 0, 0
	cut := func(at int) {
		if at > start && at < len(text) {
			pieces = append(pieces, text[start:at])
			start = at
		}
	}
	for i := 0; i < len(text); i++ {
		if i == lineStart+2 && text[lineStart] != '\r' && text[lineStart] != '\n' {
			cut(i)
		}
		switch {
		case text[i] == '\r' && i+1 < len(text) && text[i+1] == '\n':
			cut(i + 1)
		case text[i] == '\n' || text[i] == '\r':
			lineStart = i + 1
		}
	}
	return append(pieces, text[start:])
}

// handleNDJSON writes ?count= (default 10) lines {"i": i, "text": ...},
// each flushed, ?interval= seconds apart (default 0).
func handleNDJSON(w http.ResponseWriter, r *http.Request) {
	count, okC := queryInt(r, "count", 10)
	interval, okI := queryFloat(r, "interval", 0)
	if !okC || !okI || count < 0 {
		badRequest(w, "bad count or interval")
		return
	}
	w.Header().Set("Content-Type", "application/x-ndjson")
	w.WriteHeader(http.StatusOK)
	for i := int64(0); i < count; i++ {
		if i > 0 && !sleepCtx(r.Context(), seconds(interval)) {
			return
		}
		line, _ := json.Marshal(map[string]any{"i": i, "text": fmt.Sprintf("record %d of %d", i, count)})
		if _, err := w.Write(append(line, '\n')); err != nil || flush(w) != nil {
			return
		}
	}
}

var lineEndings = map[string][]string{
	"lf":    {"\n"},
	"crlf":  {"\r\n"},
	"cr":    {"\r"},
	"mixed": {"\n", "\r\n", "\r"},
}

// handleLines writes ?count= (default 50) lines "line-<i>" (i from 0), each
// ended by ?ending= lf|crlf|cr|mixed (mixed cycles LF, CRLF, CR), in flushed
// writes of ?piece= bytes (default 3) so endings straddle reads.
func handleLines(w http.ResponseWriter, r *http.Request) {
	endings, okE := lineEndings[queryString(r, "ending", "lf")]
	count, okC := queryInt(r, "count", 50)
	piece, okP := queryInt(r, "piece", 3)
	if !okE || !okC || !okP || count < 0 || count > 10_000_000 || piece < 1 {
		badRequest(w, "ending must be lf|crlf|cr|mixed, count >= 0, piece >= 1")
		return
	}
	var body []byte
	for i := int64(0); i < count; i++ {
		body = append(body, "line-"...)
		body = strconv.AppendInt(body, i, 10)
		body = append(body, endings[i%int64(len(endings))]...)
	}
	w.Header().Set("Content-Type", "text/plain; charset=utf-8")
	w.WriteHeader(http.StatusOK)
	// A short pause between pieces makes them separate reads on the client;
	// skip it for long bodies so the endpoint stays fast.
	pause := time.Duration(0)
	if int64(len(body))/piece <= 1000 {
		pause = time.Millisecond
	}
	for off := 0; off < len(body); off += int(piece) {
		if off > 0 && !sleepCtx(r.Context(), pause) {
			return
		}
		end := min(off+int(piece), len(body))
		if _, err := w.Write(body[off:end]); err != nil || flush(w) != nil {
			return
		}
	}
}
