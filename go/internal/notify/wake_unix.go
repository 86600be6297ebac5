//go:build !windows

package notify

import "syscall"

// wakePair is a Unix-domain socket pair: a byte written to one end makes the other readable.
type wakePair struct{ read, write int }

func newWakePair() (wakePair, error) {
	fds, err := syscall.Socketpair(syscall.AF_UNIX, syscall.SOCK_STREAM, 0)
	if err != nil {
		return wakePair{}, err
	}
	p := wakePair{read: fds[0], write: fds[1]}
	for _, fd := range fds {
		syscall.CloseOnExec(fd)
		if err := syscall.SetNonblock(fd, true); err != nil {
			p.close()
			return wakePair{}, err
		}
	}
	return p, nil
}

func (p wakePair) readFD() int { return p.read }

func (p wakePair) signal() { _, _ = syscall.Write(p.write, []byte{1}) }

// drain reads until nothing is left (the socket is non-blocking).
func (p wakePair) drain() {
	var sink [64]byte
	for {
		if k, err := syscall.Read(p.read, sink[:]); k <= 0 || err != nil {
			return
		}
	}
}

func (p wakePair) close() {
	_ = syscall.Close(p.read)
	_ = syscall.Close(p.write)
}
