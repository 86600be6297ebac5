package errs

import (
	"net"
	"testing"
	"time"
)

// A peer that resets the connection mid-body is a cut body, whatever the system calls the
// reset (ECONNRESET; WSAECONNRESET on Windows, which syscall.ECONNRESET does not match).
func TestAResetFromThePeerIsATruncatedBody(t *testing.T) {
	listener, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer listener.Close()
	go func() {
		conn, err := listener.Accept()
		if err != nil {
			return
		}
		_ = conn.(*net.TCPConn).SetLinger(0) // close sends RST, not FIN
		_, _ = conn.Write([]byte("part of a body"))
		time.Sleep(50 * time.Millisecond) // the client is reading: the RST cuts that read
		_ = conn.Close()
	}()
	conn, err := net.Dial("tcp", listener.Addr().String())
	if err != nil {
		t.Fatal(err)
	}
	defer conn.Close()
	_ = conn.SetReadDeadline(time.Now().Add(10 * time.Second))
	buf := make([]byte, 64)
	var readErr error
	for readErr == nil {
		_, readErr = conn.Read(buf)
	}
	if got := Classify(readErr, nil, "body").Kind; got != KindTruncated {
		t.Fatalf("classify(%v) = %s, want truncated", readErr, got.Name())
	}
}
