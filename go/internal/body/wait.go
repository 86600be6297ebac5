package body

import (
	"errors"
	"time"

	"httpcloakpy/internal/wake"
)

// ErrPending is a read's or a write's outcome that is not a failure: nothing arrived (or
// there was no room) within the wait.
var ErrPending = errors.New("nothing yet within the wait")

// Forever is a wait without a limit.
const Forever time.Duration = -1

// WaitClosed reports whether ch is closed, waiting up to wait for it (Forever: no limit).
func WaitClosed(ch <-chan struct{}, wait time.Duration) bool { return wake.WaitClosed(ch, wait) }
