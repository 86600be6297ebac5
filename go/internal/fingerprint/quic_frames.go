package fingerprint

// How browsers cut their ClientHello into Initial packets, as captured
// (tests/fixtures/browsers/*-h3): both send the hello's head and tail in the first packet
// and the middle after it. Chromium ("chaos protection") cuts every part into small CRYPTO
// frames, shuffles them with PING frames; Firefox sends the tail, then the head, in two
// frames, and the middle in order.

// QUICFrame is one frame of an Initial packet: a CRYPTO frame carrying the hello's bytes
// [Offset, Offset+Length), a PING frame, or Padding bytes of PADDING frames.
type QUICFrame struct {
	Offset, Length int
	Ping           bool
	Padding        int
}

// Room kept in each packet for frame headers and PING frames (CRYPTO: up to 5 bytes each).
const (
	chromeFrameSlack  = 96
	firefoxFrameSlack = 16
)

// chromeHelloFrames: packet 1 carries a head of 20-79 bytes and the tail, up to a few
// hundred bytes short of full; the next packets the middle; each part cut into 2-7 frames,
// with 1-9 PING frames and the room left as 1-3 PADDING frames, all shuffled within the
// packet. A new cut on every connection.
func chromeHelloFrames(helloLen, room int) [][]QUICFrame {
	budget := room - chromeFrameSlack
	head := min(20+randomInt(60), helloLen/4)
	first := budget - randomInt(min(200, budget/4))
	packets := max(2, (helloLen-first+budget-1)/budget+1)
	first = max(first, helloLen-(packets-1)*budget) // the rest must fit the others
	first = min(first, helloLen)
	tail := max(first-head, 0)
	out := [][]QUICFrame{append(cutInto(0, head, 3+randomInt(5)), cutInto(helloLen-tail, tail, 2+randomInt(3))...)}
	middle, end := head, helloLen-tail
	used := []int{head + tail}
	for middle < end {
		n := min(budget, end-middle)
		out = append(out, cutInto(middle, n, 2+randomInt(4)))
		used = append(used, n)
		middle += n
	}
	for i := range out {
		for _, piece := range cutInto(0, budget-used[i], 1+randomInt(3)) {
			out[i] = append(out[i], QUICFrame{Padding: piece.Length})
		}
		pings := 9 // at most, after the first packet (captured: up to 9)
		if i == 0 {
			pings = 4
		}
		for range 1 + randomInt(pings) {
			out[i] = append(out[i], QUICFrame{Ping: true})
		}
		quicShuffle(out[i])
	}
	return out
}

// firefoxHelloFrames: packet 1 carries the tail, then the head (about half the hello, or
// a full packet); the middle follows in order, one frame per packet.
func firefoxHelloFrames(helloLen, room int) [][]QUICFrame {
	budget := room - firefoxFrameSlack
	first := min(budget, (helloLen+1)/2)
	tail := first * (20 + randomInt(70)) / 100
	head := first - tail
	out := [][]QUICFrame{{{Offset: helloLen - tail, Length: tail}, {Offset: 0, Length: head}}}
	for middle, end := head, helloLen-tail; middle < end; {
		n := min(budget, end-middle)
		out = append(out, []QUICFrame{{Offset: middle, Length: n}})
		middle += n
	}
	return out
}

// cutInto cuts [offset, offset+length) into up to pieces frames at random points.
func cutInto(offset, length, pieces int) []QUICFrame {
	if length <= 0 {
		return nil
	}
	pieces = max(1, min(pieces, length))
	points := map[int]bool{}
	for len(points) < pieces-1 {
		points[1+randomInt(length-1)] = true
	}
	out := make([]QUICFrame, 0, pieces)
	start := 0
	for i := 1; i <= length; i++ {
		if points[i] || i == length {
			out = append(out, QUICFrame{Offset: offset + start, Length: i - start})
			start = i
		}
	}
	return out
}
