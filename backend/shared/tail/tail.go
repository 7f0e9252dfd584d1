// Package tail keeps the end of a subprocess's output for its error
// message: a failed borg, docker or pg_restore says why in its last lines,
// and those are what the operator reads. It is the one such helper of
// Borgdesk; the agent and the coordinator both use it.
//
// It must never hold more than it was told to: a command that writes
// gigabytes to stderr costs its Writer a fixed buffer, not the machine.
//
// Standard library only: the agent imports it.
package tail

import (
	"strings"
	"sync"
	"unicode/utf8"
)

// Cut marks the start of a tail whose beginning was dropped.
const Cut = "…"

// Writer is an io.Writer that keeps the last Max bytes written to it.
// It is safe for concurrent writes (exec copies stdout and stderr from two
// goroutines when both go to one Writer).
type Writer struct {
	max     int
	mu      sync.Mutex
	buf     []byte // len(buf) <= max, always
	dropped bool
}

// New returns a Writer keeping the last n bytes (at least 1).
func New(n int) *Writer {
	return &Writer{max: max(n, 1)}
}

// Write keeps the end of p; it never fails.
func (w *Writer) Write(p []byte) (int, error) {
	n := len(p)
	w.mu.Lock()
	defer w.mu.Unlock()
	if w.buf == nil {
		w.buf = make([]byte, 0, min(w.max, 4096))
	}
	if len(p) >= w.max {
		w.dropped = w.dropped || len(p) > w.max || len(w.buf) > 0
		w.buf = append(w.buf[:0], p[len(p)-w.max:]...)
		return n, nil
	}
	if over := len(w.buf) + len(p) - w.max; over > 0 {
		w.buf = w.buf[:copy(w.buf, w.buf[over:])]
		w.dropped = true
	}
	w.buf = append(w.buf, p...)
	return n, nil
}

// String is what was kept, without the blanks around it. When the start
// was dropped it begins with Cut, and never with half a character.
func (w *Writer) String() string {
	w.mu.Lock()
	defer w.mu.Unlock()
	b := w.buf
	if !w.dropped {
		return strings.TrimSpace(string(b))
	}
	for len(b) > 0 && !utf8.RuneStart(b[0]) {
		b = b[1:]
	}
	s := strings.TrimSpace(string(b))
	if s == "" {
		return ""
	}
	return Cut + s
}

// Lines is the last n non-blank lines kept, each trimmed, oldest first.
func (w *Writer) Lines(n int) []string {
	var lines []string
	for _, l := range strings.Split(w.String(), "\n") {
		if l = strings.TrimSpace(l); l != "" {
			lines = append(lines, l)
		}
	}
	if len(lines) > n {
		lines = lines[len(lines)-n:]
	}
	return lines
}

// Of is the tail of output already in memory: what a Writer of n bytes
// would keep of it.
func Of(output []byte, n int) string {
	w := New(n)
	w.Write(output)
	return w.String()
}
