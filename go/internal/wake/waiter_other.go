//go:build !linux

package wake

import "time"

// waiter: none outside Linux yet; Slot.Wait waits on the channel there.
type waiter struct{}

func newWaiter() *waiter                   { return nil }
func (w *waiter) wake()                    {}
func (w *waiter) drain()                   {}
func (w *waiter) sleep(time.Duration) bool { return false }
