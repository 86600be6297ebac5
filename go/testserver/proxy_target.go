package main

import (
	"context"
	"errors"
	"net"
	"strconv"
	"strings"
	"time"
)

// errTargetNotAllowed: the proxies only ever connect to loopback, because
// this machine must never send traffic anywhere else.
var errTargetNotAllowed = errors.New("proxy target is not a loopback address")

const proxyDialTimeout = 5 * time.Second

// hostsOnlyResolver reads /etc/hosts and never sends a DNS query: its Dial
// always fails.
var hostsOnlyResolver = &net.Resolver{
	PreferGo: true,
	Dial: func(ctx context.Context, network, address string) (net.Conn, error) {
		return nil, errors.New("no DNS: only /etc/hosts is consulted")
	},
}

// loopbackIPs resolves host to the loopback addresses it may be dialled at.
// IP literals must be loopback; "localhost" is always 127.0.0.1 and ::1;
// other names are looked up in /etc/hosts and kept only if loopback.
func loopbackIPs(ctx context.Context, host string) ([]net.IP, error) {
	host = strings.TrimSuffix(host, ".")
	if ip := net.ParseIP(host); ip != nil {
		if !ip.IsLoopback() {
			return nil, errTargetNotAllowed
		}
		return []net.IP{ip}, nil
	}
	if strings.EqualFold(host, "localhost") {
		return []net.IP{net.IPv4(127, 0, 0, 1), net.IPv6loopback}, nil
	}
	addrs, err := hostsOnlyResolver.LookupIPAddr(ctx, host)
	if err != nil {
		return nil, errTargetNotAllowed
	}
	var ips []net.IP
	for _, a := range addrs {
		if a.IP.IsLoopback() {
			ips = append(ips, a.IP)
		}
	}
	if len(ips) == 0 {
		return nil, errTargetNotAllowed
	}
	return ips, nil
}

// dialLoopback connects to host:port, trying each loopback address in turn.
// It returns errTargetNotAllowed before any packet is sent to a non-loopback
// target.
func dialLoopback(host string, port int) (net.Conn, error) {
	ctx, cancel := context.WithTimeout(context.Background(), proxyDialTimeout)
	defer cancel()
	ips, err := loopbackIPs(ctx, host)
	if err != nil {
		return nil, err
	}
	var dialer net.Dialer
	var firstErr error // e.g. "refused" on 127.0.0.1 beats "no IPv6" on ::1
	for _, ip := range ips {
		c, err := dialer.DialContext(ctx, "tcp", net.JoinHostPort(ip.String(), strconv.Itoa(port)))
		if err == nil {
			return c, nil
		}
		if firstErr == nil {
			firstErr = err
		}
	}
	return nil, firstErr
}

// splitTarget parses "host:port" (IPv6 in brackets) with a valid port.
func splitTarget(authority string) (string, int, error) {
	host, portText, err := net.SplitHostPort(authority)
	if err != nil {
		return "", 0, err
	}
	port, err := strconv.Atoi(portText)
	if err != nil || port < 1 || port > 65535 {
		return "", 0, errors.New("bad port " + strconv.Quote(portText))
	}
	return host, port, nil
}
