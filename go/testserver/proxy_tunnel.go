package main

import (
	"io"
	"net"
)

// tunnel copies bytes both ways until both directions are done. When one
// side stops sending, the other side's write half is closed (half-close), so
// a peer that shuts down writing still receives the rest of the reply. A
// failed copy closes both connections so the other direction ends too.
// The readers may hold bytes that arrived before the tunnel was set up;
// io.Copy between TCP conns uses splice and never holds data back.
func tunnel(a net.Conn, aReader io.Reader, b net.Conn, bReader io.Reader) {
	done := make(chan struct{}, 2)
	pipe := func(dst net.Conn, src io.Reader) {
		if _, err := io.Copy(dst, src); err != nil {
			a.Close()
			b.Close()
		} else {
			closeWrite(dst)
		}
		done <- struct{}{}
	}
	go pipe(b, aReader)
	go pipe(a, bReader)
	<-done
	<-done
	a.Close()
	b.Close()
}

// closeWrite half-closes TCP connections and fully closes anything else.
func closeWrite(c net.Conn) {
	if hc, ok := c.(interface{ CloseWrite() error }); ok {
		hc.CloseWrite()
		return
	}
	c.Close()
}
