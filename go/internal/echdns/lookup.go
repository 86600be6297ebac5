package echdns

import (
	"context"
	"crypto/rand"
	"encoding/binary"
	"errors"
	"net"
	"strings"
	"time"

	"golang.org/x/net/dns/dnsmessage"
)

// Budget of one lookup: each server gets perServer to answer, the whole lookup at most
// budget, and never more than the caller's context (the request's connect timeout).
const (
	perServer = time.Second
	budget    = 2 * time.Second
)

// Lookup is the ECHConfigList of name's HTTPS record, or nil when it has none, no server
// answered in time, or ctx ended: ECH is then not used, never a failed request. Answers
// (and their absence) are cached for their TTL.
func Lookup(ctx context.Context, name string) []byte {
	name = strings.TrimSuffix(strings.ToLower(name), ".")
	now := time.Now()
	if e, ok := cache.get(name, now); ok {
		return e.configs
	}
	ctx, cancel := context.WithTimeout(ctx, budget)
	defer cancel()
	for _, server := range Servers() {
		configs, ttl, err := ask(ctx, server, name)
		if err == nil {
			cache.put(name, configs, ttl, now)
			return configs
		}
		if ctx.Err() != nil {
			break
		}
	}
	if ctx.Err() == nil || context.Cause(ctx) == context.DeadlineExceeded && time.Since(now) >= budget {
		cache.put(name, nil, negativeTTL, now) // no answer: ask again later, not at every dial
	}
	return nil
}

var errBadAnswer = errors.New("malformed or mismatched DNS answer")

// ask sends one HTTPS query over UDP; an answer without an ECH config is (nil, its TTL).
func ask(ctx context.Context, server, name string) ([]byte, time.Duration, error) {
	ctx, cancel := context.WithTimeout(ctx, perServer)
	defer cancel()
	qname, err := dnsmessage.NewName(name + ".")
	if err != nil {
		return nil, 0, err
	}
	var idBytes [2]byte
	_, _ = rand.Read(idBytes[:])
	id := binary.BigEndian.Uint16(idBytes[:])
	query, err := buildQuery(id, qname)
	if err != nil {
		return nil, 0, err
	}
	var d net.Dialer
	conn, err := d.DialContext(ctx, "udp", server)
	if err != nil {
		return nil, 0, err
	}
	defer conn.Close()
	stop := context.AfterFunc(ctx, func() { _ = conn.SetDeadline(time.Now()) })
	defer stop()
	if _, err := conn.Write(query); err != nil {
		return nil, 0, err
	}
	buf := make([]byte, 4096)
	for {
		n, err := conn.Read(buf)
		if err != nil {
			return nil, 0, err
		}
		configs, ttl, err := parseAnswer(buf[:n], id, qname)
		if errors.Is(err, errBadAnswer) {
			continue // not our answer: keep listening until the deadline
		}
		return configs, ttl, err
	}
}

func buildQuery(id uint16, name dnsmessage.Name) ([]byte, error) {
	b := dnsmessage.NewBuilder(make([]byte, 0, 512), dnsmessage.Header{ID: id, RecursionDesired: true})
	b.EnableCompression()
	if err := b.StartQuestions(); err != nil {
		return nil, err
	}
	if err := b.Question(dnsmessage.Question{Name: name, Type: dnsmessage.TypeHTTPS, Class: dnsmessage.ClassINET}); err != nil {
		return nil, err
	}
	if err := b.StartAdditionals(); err != nil {
		return nil, err
	}
	var opt dnsmessage.ResourceHeader
	if err := opt.SetEDNS0(1232, dnsmessage.RCodeSuccess, false); err != nil {
		return nil, err
	}
	if err := b.OPTResource(opt, dnsmessage.OPTResource{}); err != nil {
		return nil, err
	}
	return b.Finish()
}

// errServerFailure: the server answered but could not resolve (SERVFAIL, REFUSED...): the
// next server may.
var errServerFailure = errors.New("DNS server failure")

// parseAnswer takes the ECH config of the best (lowest priority) ServiceMode HTTPS record
// that has one. Alias-mode records are not followed (their target would need another
// lookup); a name without a record is NXDOMAIN or an empty answer.
func parseAnswer(msg []byte, id uint16, name dnsmessage.Name) ([]byte, time.Duration, error) {
	var p dnsmessage.Parser
	h, err := p.Start(msg)
	if err != nil || h.ID != id || !h.Response {
		return nil, 0, errBadAnswer
	}
	q, err := p.Question()
	if err != nil || q.Type != dnsmessage.TypeHTTPS || !strings.EqualFold(q.Name.String(), name.String()) {
		return nil, 0, errBadAnswer
	}
	if err := p.SkipAllQuestions(); err != nil {
		return nil, 0, errBadAnswer
	}
	switch h.RCode {
	case dnsmessage.RCodeSuccess, dnsmessage.RCodeNameError:
	default:
		return nil, 0, errServerFailure
	}
	var best []byte
	bestPriority, ttl := uint16(0), negativeTTL
	for {
		rh, err := p.AnswerHeader()
		if errors.Is(err, dnsmessage.ErrSectionDone) {
			break
		}
		if err != nil {
			return nil, 0, errBadAnswer
		}
		if rh.Type != dnsmessage.TypeHTTPS {
			if err := p.SkipAnswer(); err != nil {
				return nil, 0, errBadAnswer
			}
			continue
		}
		r, err := p.HTTPSResource()
		if err != nil {
			return nil, 0, errBadAnswer
		}
		configs, ok := r.GetParam(dnsmessage.SVCParamECH)
		if r.Priority == 0 || !ok || len(configs) == 0 {
			continue
		}
		if best == nil || r.Priority < bestPriority {
			best, bestPriority = configs, r.Priority
			ttl = time.Duration(rh.TTL) * time.Second
		}
	}
	return best, ttl, nil
}
