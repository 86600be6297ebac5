package main

import (
	"crypto/tls"
	"errors"
	"log"
	"net"
	"net/http"
)

// echServer is an HTTPS server (HTTP/1.1 and HTTP/2) with an ECH key: GET /ech reports
// whether the client's ECH was accepted and the server name the server saw (the inner
// SNI when accepted, else the outer one).
type echServer struct {
	listener net.Listener
	server   *http.Server
}

func startECHServer(ip net.IP, cert tls.Certificate, keys *echKeys) (*echServer, error) {
	tcp, err := net.ListenTCP("tcp", &net.TCPAddr{IP: ip})
	if err != nil {
		return nil, err
	}
	mux := http.NewServeMux()
	mux.HandleFunc("/ech", func(w http.ResponseWriter, r *http.Request) {
		writeJSON(w, http.StatusOK, map[string]any{
			"ech_accepted": r.TLS.ECHAccepted,
			"server_name":  r.TLS.ServerName,
			"proto":        r.Proto,
		})
	})
	s := &echServer{listener: tcp, server: &http.Server{
		Handler: mux,
		TLSConfig: &tls.Config{
			Certificates:             []tls.Certificate{cert},
			EncryptedClientHelloKeys: []tls.EncryptedClientHelloKey{keys.current},
			NextProtos:               []string{"h2", "http/1.1"},
			MinVersion:               tls.VersionTLS12,
		},
		ErrorLog: log.Default(),
	}}
	go func() {
		if err := s.server.ServeTLS(tcp, "", ""); err != nil && !errors.Is(err, http.ErrServerClosed) {
			log.Printf("ech server: %v", err)
		}
	}()
	return s, nil
}

func (s *echServer) port() int { return s.listener.Addr().(*net.TCPAddr).Port }

func (s *echServer) close() { _ = s.server.Close() }
