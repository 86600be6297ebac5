package fingerprint

import "testing"

// Every cut covers the hello exactly once (the QUIC stack drops a plan that does not), for
// fresh and resumed hello sizes and the room a token leaves.
func TestQUICHelloFramesCoverTheHelloOnce(t *testing.T) {
	planners := map[string]func(int, int) [][]QUICFrame{"chrome": chromeHelloFrames, "firefox": firefoxHelloFrames}
	for name, plan := range planners {
		for _, helloLen := range []int{300, 1200, 1876, 2087, 2315, 3500} {
			for _, room := range []int{1000, 1100, 1190, 1215} {
				for range 50 {
					covered := make([]int, helloLen)
					for _, packet := range plan(helloLen, room) {
						for _, f := range packet {
							for i := f.Offset; !f.Ping && i < f.Offset+f.Length; i++ {
								covered[i]++
							}
						}
					}
					for i, n := range covered {
						if n != 1 {
							t.Fatalf("%s(%d, %d): byte %d sent %d times", name, helloLen, room, i, n)
						}
					}
				}
			}
		}
	}
}
