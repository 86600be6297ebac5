package engine

import "testing"

// An engine built without tcp_* options must dial with untouched sockets: on systems
// without the options (Windows, macOS) a touched socket fails every dial.
func TestNoSocketOptionsLeaveSocketsAlone(t *testing.T) {
	if (socketConfig{}).set() {
		t.Fatal("the zero socketConfig asks for socket options")
	}
	built, err := SocketOptions{}.build("auto")
	if err != nil || built.set() {
		t.Fatalf("no options built into %+v, %v", built, err)
	}
}
