package notify

import (
	"sync"
	"unsafe"

	"golang.org/x/sys/windows"
)

// wakePair is two loopback UDP sockets connected to each other: a datagram sent by one
// makes the other readable. Windows has no socketpair(), and a TCP pair would need
// accept(), which Go's Windows syscalls leave out; UDP needs neither. Python reads the
// read end with select() (selector loops) or an overlapped recv (proactor loops), so it
// is created overlapped-capable, not inheritable, and non-blocking for our own drain.
type wakePair struct{ read, write windows.Handle }

var winsock struct {
	once sync.Once
	err  error
}

func startWinsock() error {
	winsock.once.Do(func() {
		var data windows.WSAData
		winsock.err = windows.WSAStartup(0x0202, &data) // counted: never cleaned up, like Go's net
	})
	return winsock.err
}

func newWakePair() (wakePair, error) {
	if err := startWinsock(); err != nil {
		return wakePair{}, err
	}
	read, err := loopbackUDP()
	if err != nil {
		return wakePair{}, err
	}
	write, err := loopbackUDP()
	if err != nil {
		_ = windows.Closesocket(read)
		return wakePair{}, err
	}
	p := wakePair{read: read, write: write}
	// Each end connected to the other: the read end takes datagrams from the write end only.
	if err := connectTo(read, write); err != nil {
		p.close()
		return wakePair{}, err
	}
	if err := connectTo(write, read); err != nil {
		p.close()
		return wakePair{}, err
	}
	return p, nil
}

func loopbackUDP() (windows.Handle, error) {
	s, err := windows.WSASocket(windows.AF_INET, windows.SOCK_DGRAM, windows.IPPROTO_UDP, nil, 0,
		windows.WSA_FLAG_OVERLAPPED|windows.WSA_FLAG_NO_HANDLE_INHERIT)
	if err != nil {
		return windows.InvalidHandle, err
	}
	if err := windows.Bind(s, &windows.SockaddrInet4{Addr: [4]byte{127, 0, 0, 1}}); err != nil {
		_ = windows.Closesocket(s)
		return windows.InvalidHandle, err
	}
	if err := setNonblocking(s); err != nil {
		_ = windows.Closesocket(s)
		return windows.InvalidHandle, err
	}
	return s, nil
}

func connectTo(s, peer windows.Handle) error {
	address, err := windows.Getsockname(peer)
	if err != nil {
		return err
	}
	return windows.Connect(s, address)
}

// fionbio is FIONBIO (_IOW('f', 126, u_long)): ioctlsocket's non-blocking switch, which
// WSAIoctl takes too.
const fionbio = 0x8004667e

func setNonblocking(s windows.Handle) error {
	on := uint32(1)
	var returned uint32
	return windows.WSAIoctl(s, fionbio, (*byte)(unsafe.Pointer(&on)), uint32(unsafe.Sizeof(on)),
		nil, 0, &returned, nil, 0)
}

func (p wakePair) readFD() int { return int(p.read) }

func (p wakePair) signal() {
	buf := windows.WSABuf{Len: 1, Buf: &[]byte{1}[0]}
	var sent uint32
	_ = windows.WSASend(p.write, &buf, 1, &sent, 0, nil, nil)
}

// drain takes every queued datagram (the socket is non-blocking: WSAEWOULDBLOCK ends it).
func (p wakePair) drain() {
	var sink [64]byte
	for {
		if k, _, err := windows.Recvfrom(p.read, sink[:], 0); k <= 0 || err != nil {
			return
		}
	}
}

func (p wakePair) close() {
	_ = windows.Closesocket(p.read)
	_ = windows.Closesocket(p.write)
}
