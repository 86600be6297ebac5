package main

import (
	"bufio"
	"encoding/base64"
	"errors"
	"fmt"
	"io"
	"log"
	"net"
	"strconv"
	"strings"
	"time"
)

// httpProxyConn serves one client connection of the HTTP forward proxy:
// CONNECT tunnels and absolute-URI (http://) forwarding, both behind Basic
// proxy authentication. Requests on one connection may go to different
// targets; the onward connection is kept while the target stays the same.
type httpProxyConn struct {
	client net.Conn
	br     *bufio.Reader
	name   string    // "http" or "https" (connectLog)
	tls    bool      // client speaks to us inside TLS
	up     *upstream // nil until the first forwarded request
	// expectContinue: the client waits for "100 Continue" before sending
	// the body, so a refused request's body cannot be drained.
	expectContinue bool
}

// upstream is the onward connection for forwarded requests.
type upstream struct {
	authority string
	conn      net.Conn
	br        *bufio.Reader
}

func handleHTTPProxyConn(c net.Conn) { serveHTTPProxyConn(c, "http", false) }

func serveHTTPProxyConn(c net.Conn, name string, overTLS bool) {
	p := &httpProxyConn{client: c, br: bufio.NewReaderSize(c, 32<<10), name: name, tls: overTLS}
	defer func() {
		if p.up != nil {
			p.up.conn.Close()
		}
	}()
	for p.serveOne() {
	}
}

// serveOne handles one request and reports whether the connection may
// carry another.
func (p *httpProxyConn) serveOne() bool {
	head, err := readHead(p.br)
	if err != nil {
		if !errors.Is(err, io.EOF) && !errors.Is(err, net.ErrClosed) {
			p.reply(400, "bad request head: "+err.Error(), true)
		}
		return false
	}
	method, target, version, ok := splitRequestLine(head.first)
	if !ok {
		p.reply(400, "bad request line", true)
		return false
	}
	framing, err := head.framing(false)
	if err != nil {
		p.reply(400, err.Error(), true)
		return false
	}
	clientClose := wantsClose(version, head)
	p.expectContinue = head.hasToken("Expect", "100-continue")
	if method == "CONNECT" {
		recordConnect(p.name, p.tls, head)
	}

	if !proxyAuthOK(head) {
		proxyStats.authFailures.Add(1)
		return p.refuse(framing, 407, "proxy authentication required", clientClose)
	}
	if method == "CONNECT" {
		return p.connect(target, clientClose)
	}
	return p.forward(head, method, target, version, framing, clientClose)
}

// connect opens a tunnel; on success the connection belongs to the tunnel.
func (p *httpProxyConn) connect(target string, clientClose bool) bool {
	host, port, err := splitTarget(target)
	if err != nil {
		return p.refuse(bodyFraming{}, 400, "CONNECT needs host:port: "+err.Error(), clientClose)
	}
	conn, err := dialLoopback(host, port)
	if err != nil {
		return p.refuse(bodyFraming{}, dialErrorStatus(err), err.Error(), clientClose)
	}
	if _, err := io.WriteString(p.client, "HTTP/1.1 200 Connection established\r\n\r\n"); err != nil {
		conn.Close()
		return false
	}
	proxyStats.httpConnect.Add(1)
	tunnel(p.client, p.br, conn, conn)
	return false
}

// forward relays one absolute-URI request and its response.
func (p *httpProxyConn) forward(head *httpHead, method, target, version string, framing bodyFraming, clientClose bool) bool {
	authority, originForm, ok := splitAbsoluteURI(target)
	if !ok {
		return p.refuse(framing, 400, "this is a proxy: the request target must be an absolute http:// URI", clientClose)
	}
	if err := p.ensureUpstream(authority); err != nil {
		return p.refuse(framing, dialErrorStatus(err), err.Error(), clientClose)
	}
	up := p.up
	// Proxy-* headers are for this hop only; everything else goes on as sent.
	if _, err := up.conn.Write(head.bytes(method+" "+originForm+" "+version, "Proxy-Authorization", "Proxy-Connection")); err != nil {
		return false
	}
	proxyStats.httpForward.Add(1)

	// The request body is sent while the response is read: endpoints such
	// as /echo answer before the upload ends.
	bodySent := make(chan error, 1)
	go func() {
		err := copyBody(up.conn, p.br, framing)
		if err != nil {
			up.conn.Close() // the target must see the upload fail too
		}
		bodySent <- err
	}()

	keepUpstream, err := p.relayResponse(method)
	if err != nil {
		return false
	}
	select {
	case err := <-bodySent:
		if err != nil {
			return false
		}
	case <-time.After(100 * time.Millisecond):
		// Answered before the upload ended: the rest of the body is still
		// on the client connection, which therefore cannot be reused.
		return false
	}
	if !keepUpstream {
		up.conn.Close()
		p.up = nil
	}
	return keepUpstream && !clientClose
}

// relayResponse copies interim responses and the final response to the
// client. keep is false when the target connection cannot be reused.
func (p *httpProxyConn) relayResponse(method string) (keep bool, err error) {
	up := p.up
	for {
		head, err := readHead(up.br)
		if err != nil {
			return false, err
		}
		status := statusCode(head.first)
		if _, err := p.client.Write(head.bytes(head.first)); err != nil {
			return false, err
		}
		switch {
		case status == 101: // protocol switch (WebSocket): raw bytes from here on
			tunnel(p.client, p.br, up.conn, up.br)
			return false, io.EOF
		case status >= 100 && status < 200:
			continue
		}
		framing := bodyFraming{}
		if method != "HEAD" && status != 204 && status != 304 {
			if framing, err = head.framing(true); err != nil {
				return false, err
			}
		}
		if err := copyBody(p.client, up.br, framing); err != nil {
			return false, err
		}
		version, _, _ := strings.Cut(head.first, " ")
		closes := framing.kind == framingClose || wantsClose(version, head)
		return !closes, nil
	}
}

// ensureUpstream reuses the onward connection if it goes to the same
// target and is still open, else dials a new one.
func (p *httpProxyConn) ensureUpstream(authority string) error {
	if p.up != nil && p.up.authority == authority && p.up.alive() {
		return nil
	}
	if p.up != nil {
		p.up.conn.Close()
		p.up = nil
	}
	host, port, err := splitTarget(authority)
	if err != nil {
		return err
	}
	conn, err := dialLoopback(host, port)
	if err != nil {
		return err
	}
	p.up = &upstream{authority: authority, conn: conn, br: bufio.NewReaderSize(conn, 32<<10)}
	return nil
}

// alive notices a target that closed the idle connection: a short read
// either times out (still open) or sees EOF.
func (u *upstream) alive() bool {
	if u.br.Buffered() > 0 {
		return false // unsolicited bytes: not a clean HTTP connection
	}
	u.conn.SetReadDeadline(time.Now().Add(time.Millisecond))
	_, err := u.br.Peek(1)
	u.conn.SetReadDeadline(time.Time{})
	var netErr net.Error
	return errors.As(err, &netErr) && netErr.Timeout()
}

// refuse drains the request body, then sends an error response.
func (p *httpProxyConn) refuse(framing bodyFraming, status int, msg string, clientClose bool) bool {
	if framing.kind != framingNone && p.expectContinue {
		clientClose = true
	} else if copyBody(io.Discard, p.br, framing) != nil {
		clientClose = true
	}
	return p.reply(status, msg, clientClose) && !clientClose
}

var statusText = map[int]string{
	400: "Bad Request",
	403: "Forbidden",
	407: "Proxy Authentication Required",
	502: "Bad Gateway",
}

// reply writes a small text response and reports whether that worked.
func (p *httpProxyConn) reply(status int, msg string, closing bool) bool {
	body := msg + "\n"
	var b strings.Builder
	fmt.Fprintf(&b, "HTTP/1.1 %d %s\r\n", status, statusText[status])
	if status == 407 {
		b.WriteString("Proxy-Authenticate: Basic realm=\"testserver\"\r\n")
	}
	if closing {
		b.WriteString("Connection: close\r\n")
	}
	fmt.Fprintf(&b, "Content-Type: text/plain; charset=utf-8\r\nContent-Length: %d\r\n\r\n%s", len(body), body)
	_, err := io.WriteString(p.client, b.String())
	if err != nil {
		log.Printf("http proxy reply: %v", err)
	}
	return err == nil
}

func dialErrorStatus(err error) int {
	if errors.Is(err, errTargetNotAllowed) {
		return 403
	}
	return 502
}

func proxyAuthOK(head *httpHead) bool {
	values := head.values("Proxy-Authorization")
	if len(values) != 1 {
		return false
	}
	scheme, encoded, _ := strings.Cut(values[0], " ")
	if !strings.EqualFold(scheme, "Basic") {
		return false
	}
	decoded, err := base64.StdEncoding.DecodeString(strings.TrimSpace(encoded))
	if err != nil {
		return false
	}
	user, password, _ := strings.Cut(string(decoded), ":")
	return proxyCredentialsOK(user, password)
}

// wantsClose: HTTP/1.0 closes unless asked to keep alive, HTTP/1.1 only
// when asked to close. Proxy-Connection is the legacy spelling clients use.
func wantsClose(version string, head *httpHead) bool {
	if head.hasToken("Connection", "close") || head.hasToken("Proxy-Connection", "close") {
		return true
	}
	if version == "HTTP/1.0" {
		return !head.hasToken("Connection", "keep-alive") && !head.hasToken("Proxy-Connection", "keep-alive")
	}
	return false
}

func splitRequestLine(line string) (method, target, version string, ok bool) {
	parts := strings.Split(line, " ")
	if len(parts) != 3 || parts[0] == "" || parts[1] == "" || !strings.HasPrefix(parts[2], "HTTP/1.") {
		return "", "", "", false
	}
	return parts[0], parts[1], parts[2], true
}

// splitAbsoluteURI turns "http://host[:port]/path?q" into "host:port" and
// "/path?q", keeping the path bytes exactly as sent.
func splitAbsoluteURI(target string) (authority, originForm string, ok bool) {
	const scheme = "http://"
	if len(target) <= len(scheme) || !strings.EqualFold(target[:len(scheme)], scheme) {
		return "", "", false
	}
	rest := target[len(scheme):]
	end := strings.IndexAny(rest, "/?#")
	if end < 0 {
		end = len(rest)
	}
	authority, originForm = rest[:end], rest[end:]
	if at := strings.LastIndex(authority, "@"); at >= 0 {
		authority = authority[at+1:]
	}
	originForm, _, _ = strings.Cut(originForm, "#")
	if !strings.HasPrefix(originForm, "/") {
		originForm = "/" + originForm
	}
	host, _, err := net.SplitHostPort(authority)
	if err != nil {
		host = strings.Trim(authority, "[]")
		authority = net.JoinHostPort(host, "80")
	}
	return authority, originForm, host != ""
}

func statusCode(statusLine string) int {
	_, rest, _ := strings.Cut(statusLine, " ")
	code, _ := strconv.Atoi(strings.TrimSpace(rest[:min(3, len(rest))]))
	return code
}
