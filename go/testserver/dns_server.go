package main

import (
	"log"
	"net"
	"net/http"
	"strings"
	"sync"

	"golang.org/x/net/dns/dnsmessage"
)

// dnsServer answers DNS over UDP for the ECH tests, by the name's suffix:
//
//	*.ech.test       HTTPS record with ech= the ECH server's configuration (TTL 300)
//	*.stale.test     HTTPS record with ech= a configuration the server does not hold
//	*.none.test      no HTTPS record (NOERROR, empty answer)
//	*.servfail.test  SERVFAIL
//	*.silent.test    no answer at all
//	anything else    NXDOMAIN
//
// It counts the queries per name: GET /dns/queries on the main server.
type dnsServer struct {
	conn *net.UDPConn
	keys *echKeys
}

var dnsQueries = struct {
	sync.Mutex
	byName map[string]int
}{byName: map[string]int{}}

func startDNSServer(ip net.IP, keys *echKeys) (*dnsServer, error) {
	conn, err := net.ListenUDP("udp", &net.UDPAddr{IP: ip})
	if err != nil {
		return nil, err
	}
	s := &dnsServer{conn: conn, keys: keys}
	go s.serve()
	return s, nil
}

func (s *dnsServer) port() int { return s.conn.LocalAddr().(*net.UDPAddr).Port }

func (s *dnsServer) close() { _ = s.conn.Close() }

func (s *dnsServer) serve() {
	buf := make([]byte, 1500)
	for {
		n, from, err := s.conn.ReadFromUDP(buf)
		if err != nil {
			return
		}
		if answer := s.answer(buf[:n]); answer != nil {
			_, _ = s.conn.WriteToUDP(answer, from)
		}
	}
}

func (s *dnsServer) answer(query []byte) []byte {
	var p dnsmessage.Parser
	h, err := p.Start(query)
	if err != nil {
		return nil
	}
	q, err := p.Question()
	if err != nil {
		return nil
	}
	name := strings.TrimSuffix(strings.ToLower(q.Name.String()), ".")
	if q.Type == dnsmessage.TypeHTTPS {
		dnsQueries.Lock()
		dnsQueries.byName[name]++
		dnsQueries.Unlock()
	}
	reply := dnsmessage.Header{ID: h.ID, Response: true, Authoritative: true, RecursionDesired: h.RecursionDesired}
	var configs []byte
	switch {
	case strings.HasSuffix(name, ".silent.test"):
		return nil
	case strings.HasSuffix(name, ".servfail.test"):
		reply.RCode = dnsmessage.RCodeServerFailure
	case strings.HasSuffix(name, ".ech.test"), name == "ech.test":
		configs = s.keys.list
	case strings.HasSuffix(name, ".stale.test"):
		configs = s.keys.staleList
	case strings.HasSuffix(name, ".none.test"):
	default:
		reply.RCode = dnsmessage.RCodeNameError
	}
	b := dnsmessage.NewBuilder(nil, reply)
	if b.StartQuestions() != nil || b.Question(q) != nil || b.StartAnswers() != nil {
		return nil
	}
	if configs != nil && q.Type == dnsmessage.TypeHTTPS {
		var record dnsmessage.HTTPSResource
		record.Priority = 1
		record.Target = dnsmessage.MustNewName(".")
		record.SetParam(dnsmessage.SVCParamALPN, []byte("\x02h2\x08http/1.1"))
		record.SetParam(dnsmessage.SVCParamECH, configs)
		header := dnsmessage.ResourceHeader{Name: q.Name, Type: dnsmessage.TypeHTTPS, Class: dnsmessage.ClassINET, TTL: 300}
		if err := b.HTTPSResource(header, record); err != nil {
			log.Printf("dns: %v", err)
			return nil
		}
	}
	out, err := b.Finish()
	if err != nil {
		return nil
	}
	return out
}

// handleDNSQueries reports how many HTTPS queries each name got.
func handleDNSQueries(w http.ResponseWriter, _ *http.Request) {
	dnsQueries.Lock()
	defer dnsQueries.Unlock()
	counts := make(map[string]int, len(dnsQueries.byName))
	for name, n := range dnsQueries.byName {
		counts[name] = n
	}
	writeJSON(w, http.StatusOK, counts)
}
