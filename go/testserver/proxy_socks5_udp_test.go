package main

import (
	"bytes"
	"encoding/binary"
	"fmt"
	"io"
	"net"
	"testing"
	"time"
)

// socksAssociate authenticates and sends UDP ASSOCIATE; it returns the
// control connection and the relay address from the reply.
func socksAssociate(t *testing.T, c *testClients) (net.Conn, *net.UDPAddr) {
	t.Helper()
	conn, err := net.Dial("tcp", fmt.Sprintf("127.0.0.1:%d", c.servers.socks5ProxyPort()))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { conn.Close() })
	conn.SetDeadline(time.Now().Add(5 * time.Second))
	msg := []byte{socksVersion, 1, socksMethodUser, socksAuthVersion, byte(len(proxyUser))}
	msg = append(append(msg, proxyUser...), byte(len(proxyPassword)))
	msg = append(append(msg, proxyPassword...), socksVersion, socksCmdUDP, 0, socksAtypIPv4, 0, 0, 0, 0, 0, 0)
	if _, err := conn.Write(msg); err != nil {
		t.Fatal(err)
	}
	reply := make([]byte, 2+2+10)
	if _, err := io.ReadFull(conn, reply); err != nil {
		t.Fatal(err)
	}
	if reply[1] != socksMethodUser || reply[3] != 0 || reply[5] != socksSucceeded || reply[7] != socksAtypIPv4 {
		t.Fatalf("reply %x", reply)
	}
	conn.SetDeadline(time.Time{})
	return conn, &net.UDPAddr{IP: net.IP(reply[8:12]), Port: int(binary.BigEndian.Uint16(reply[12:14]))}
}

// udpEcho answers every datagram with "echo:" and the datagram.
func udpEcho(t *testing.T) *net.UDPConn {
	t.Helper()
	echo, err := net.ListenUDP("udp", &net.UDPAddr{IP: net.IPv4(127, 0, 0, 1)})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { echo.Close() })
	go func() {
		buf := make([]byte, 2048)
		for {
			n, from, err := echo.ReadFromUDP(buf)
			if err != nil {
				return
			}
			echo.WriteToUDP(append([]byte("echo:"), buf[:n]...), from)
		}
	}()
	return echo
}

func socksUDPHeader(frag byte, to *net.UDPAddr) []byte {
	h := append([]byte{0, 0, frag, socksAtypIPv4}, to.IP.To4()...)
	return binary.BigEndian.AppendUint16(h, uint16(to.Port))
}

func TestSOCKS5UDPAssociateRelays(t *testing.T) {
	c := startTestServers(t)
	echo := udpEcho(t)
	echoAddr := echo.LocalAddr().(*net.UDPAddr)
	assocBefore, datagramsBefore := proxyStats.udpAssoc.Load(), proxyStats.udpDatagrams.Load()

	ctrl, relay := socksAssociate(t, c)
	client, err := net.ListenUDP("udp", &net.UDPAddr{IP: net.IPv4(127, 0, 0, 1)})
	if err != nil {
		t.Fatal(err)
	}
	defer client.Close()
	// A fragment and a truncated header are dropped; then a whole datagram passes.
	client.WriteToUDP(append(socksUDPHeader(1, echoAddr), "fragment"...), relay)
	client.WriteToUDP([]byte{0, 0, 0, socksAtypIPv4, 127}, relay)
	client.WriteToUDP(append(socksUDPHeader(0, echoAddr), "hello"...), relay)

	client.SetReadDeadline(time.Now().Add(5 * time.Second))
	buf := make([]byte, 2048)
	n, from, err := client.ReadFromUDP(buf)
	if err != nil {
		t.Fatal(err)
	}
	if from.Port != relay.Port {
		t.Fatalf("reply from %v, want the relay %v", from, relay)
	}
	want := append(socksUDPHeader(0, echoAddr), "echo:hello"...)
	if !bytes.Equal(buf[:n], want) {
		t.Fatalf("reply %q, want %q", buf[:n], want)
	}
	if got := proxyStats.udpAssoc.Load() - assocBefore; got != 1 {
		t.Fatalf("udp_associations grew by %d, want 1", got)
	}
	if got := proxyStats.udpDatagrams.Load() - datagramsBefore; got != 2 {
		t.Fatalf("udp_datagrams grew by %d, want 2 (one each way)", got)
	}
	if proxyStats.udpOpen.Load() < 1 {
		t.Fatal("udp_open is 0 while the association is open")
	}

	// Closing the control connection ends the association and its relay.
	ctrl.Close()
	deadline := time.Now().Add(5 * time.Second)
	for proxyStats.udpOpen.Load() != 0 {
		if time.Now().After(deadline) {
			t.Fatalf("udp_open stayed %d after the control connection closed", proxyStats.udpOpen.Load())
		}
		time.Sleep(10 * time.Millisecond)
	}
	client.WriteToUDP(append(socksUDPHeader(0, echoAddr), "late"...), relay)
	client.SetReadDeadline(time.Now().Add(300 * time.Millisecond))
	if n, _, err := client.ReadFromUDP(buf); err == nil {
		t.Fatalf("closed relay still answered %q", buf[:n])
	}
}

func TestSOCKS5UDPDropsNonLoopbackDestinations(t *testing.T) {
	c := startTestServers(t)
	_, relay := socksAssociate(t, c)
	before := proxyStats.udpDatagrams.Load()
	client, err := net.ListenUDP("udp", &net.UDPAddr{IP: net.IPv4(127, 0, 0, 1)})
	if err != nil {
		t.Fatal(err)
	}
	defer client.Close()
	client.WriteToUDP(append(socksUDPHeader(0, &net.UDPAddr{IP: net.IPv4(10, 1, 2, 3), Port: 443}), "x"...), relay)
	time.Sleep(200 * time.Millisecond)
	if got := proxyStats.udpDatagrams.Load() - before; got != 0 {
		t.Fatalf("relayed %d datagrams to a non-loopback destination", got)
	}
}
