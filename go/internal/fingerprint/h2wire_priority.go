package fingerprint

import (
	"strings"

	http "github.com/bogdanfinn/fhttp"
	"github.com/bogdanfinn/fhttp/http2"
)

// streamPriorities is one connection's HEADERS priority chooser (http2.StreamPriorities):
// fhttp calls it with the connection's mutex held, so it needs no lock of its own.
type streamPriorities struct {
	policy HeadersPriority
	// open lists the open streams per urgency, oldest first (for ParentUrgencyChain).
	open      [maxUrgency + 1][]uint32
	urgencyOf map[uint32]int
}

// RFC 9218: urgencies are 0 (most urgent) to 7; absent, 3.
const (
	maxUrgency     = 7
	defaultUrgency = 3
)

func newStreamPriorities(policy HeadersPriority) *streamPriorities {
	return &streamPriorities{policy: policy, urgencyOf: map[uint32]int{}}
}

func (s *streamPriorities) Opened(streamID uint32, header http.Header) http2.PriorityParam {
	urgency := requestUrgency(headerValue(header, "priority"))
	param := http2.PriorityParam{
		Weight:    s.policy.weight(headerValue(header, "sec-fetch-dest"), urgency),
		Exclusive: s.policy.Exclusive,
	}
	if s.policy.Parent == ParentUrgencyChain {
		for u := urgency; u >= 0; u-- {
			if streams := s.open[u]; len(streams) > 0 {
				param.StreamDep = streams[len(streams)-1]
				break
			}
		}
		s.open[urgency] = append(s.open[urgency], streamID)
		s.urgencyOf[streamID] = urgency
	}
	return param
}

func (s *streamPriorities) Closed(streamID uint32) {
	urgency, ok := s.urgencyOf[streamID]
	if !ok {
		return
	}
	delete(s.urgencyOf, streamID)
	streams := s.open[urgency]
	for i, id := range streams {
		if id == streamID {
			s.open[urgency] = append(streams[:i], streams[i+1:]...)
			break
		}
	}
}

func (p HeadersPriority) weight(dest string, urgency int) uint8 {
	for _, rule := range p.Weights {
		if (rule.Dest == "" || rule.Dest == dest) && (rule.Urgency == AnyUrgency || rule.Urgency == urgency) {
			return rule.Weight
		}
	}
	return p.DefaultWeight
}

// requestUrgency reads u= from a priority header value ("u=1, i"); 3 when absent or invalid.
func requestUrgency(value string) int {
	for _, member := range strings.Split(value, ",") {
		member = strings.TrimSpace(member)
		if len(member) == 3 && member[:2] == "u=" && member[2] >= '0' && member[2] <= '0'+maxUrgency {
			return int(member[2] - '0')
		}
	}
	return defaultUrgency
}

// headerValue is the first value of name in h, whatever the case of its key (our requests
// keep header names as given, fhttp's Get would only find the canonical form).
func headerValue(h http.Header, name string) string {
	if v, ok := h[name]; ok && len(v) > 0 {
		return v[0]
	}
	for key, v := range h {
		if len(v) > 0 && strings.EqualFold(key, name) {
			return v[0]
		}
	}
	return ""
}
