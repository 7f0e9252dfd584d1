package jobs

import (
	"testing"
	"time"
)

// A transient failure is retried after Step times the attempt, up to
// Attempts runs in all; a permanent one waits for the operator.
func TestBackoff(t *testing.T) {
	b := Backoff{Step: 30 * time.Second, Attempts: 3}
	for _, tc := range []struct {
		attempt int
		kind    Failure
		delay   time.Duration
		again   bool
	}{
		{1, Transient, 30 * time.Second, true},
		{2, Transient, time.Minute, true},
		{3, Transient, 0, false},
		{1, Permanent, 0, false},
	} {
		d, again := b.Delay(tc.attempt, tc.kind)
		if d != tc.delay || again != tc.again {
			t.Errorf("Delay(%d, %v) = %s, %v; want %s, %v", tc.attempt, tc.kind, d, again, tc.delay, tc.again)
		}
	}
}

func TestClassify(t *testing.T) {
	for msg, want := range map[string]Failure{
		"Connection closed by remote host":             Transient,
		"Failed to create/acquire the lock (timeout)":  Transient,
		"the agent was interrupted":                    Transient,
		"unexpected EOF":                               Transient,
		"/srv/www: No such file or directory":          Permanent,
		"No space left on device":                      Permanent,
		"repository is locked by another borg process": Transient,
	} {
		if got := Classify(msg); got != want {
			t.Errorf("Classify(%q) = %v; want %v", msg, got, want)
		}
	}
}
