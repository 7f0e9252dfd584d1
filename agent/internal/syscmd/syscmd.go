// Package syscmd runs the system commands the agent drives besides borg:
// docker, lvcreate and lvremove, mount and umount. One wrapper gives every
// call the same shape, the one backend/shared/borg has: exec.CommandContext with
// an argument vector (never a shell), an optional timeout on top of the
// caller's context, a bounded tail of stderr, one debug log line, and an
// error that says what ran, what it said and what to check.
//
// It must never run a command line built as a string, and never log or
// return more of a command's output than the tail.
package syscmd

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"os/exec"
	"strings"
	"time"

	"borgdesk/backend/shared/tail"
)

// tailBytes is how much of stderr an error keeps.
const tailBytes = 2048

// Tool is one system command the agent runs.
type Tool struct {
	// Name is the binary, looked up on PATH ("docker").
	Name string
	// Package is what to install when Name is missing ("lvm2"); empty
	// when the name says it.
	Package string
	// Hint says what to check, from what a failed call wrote to stderr;
	// "" when it has nothing useful to add. Nil: no hint.
	Hint func(stderr string) string
	// Timeout bounds each call on top of the caller's context; zero
	// leaves only the caller's.
	Timeout time.Duration
	// Log gets one debug line per call. Nil: no log.
	Log *slog.Logger
}

// ErrNotInstalled means the tool is not on PATH.
var ErrNotInstalled = errors.New("not installed on this server")

// Error is a call that ran and failed.
type Error struct {
	// Command is the call as a person would type it ("docker stop web").
	Command string
	// ExitCode is the exit status; -1 when the command did not exit by
	// itself (killed by a signal).
	ExitCode int
	// Stderr is the tail of what it wrote to stderr.
	Stderr string
	// Hint is what to check, or "".
	Hint string
	// Err is the error from exec.
	Err error
}

func (e *Error) Error() string {
	msg := e.Command + " failed"
	if e.ExitCode >= 0 {
		msg += fmt.Sprintf(" (exit %d)", e.ExitCode)
	} else {
		msg += ": " + e.Err.Error()
	}
	if e.Stderr != "" {
		msg += ": " + e.Stderr
	}
	if e.Hint != "" {
		msg += "; " + e.Hint
	}
	return msg
}

// Unwrap gives the error from exec.
func (e *Error) Unwrap() error { return e.Err }

// Run runs the tool with args and returns its standard output. A failure
// is an *Error; a tool missing from PATH wraps ErrNotInstalled; a
// cancelled or expired context wraps the context's error.
func (t *Tool) Run(ctx context.Context, args ...string) ([]byte, error) {
	line := t.commandLine(args)
	path, err := exec.LookPath(t.Name)
	if err != nil {
		return nil, t.notInstalled()
	}
	if t.Timeout > 0 {
		var cancel context.CancelFunc
		ctx, cancel = context.WithTimeout(ctx, t.Timeout)
		defer cancel()
	}
	cmd := exec.CommandContext(ctx, path, args...)
	cmd.WaitDelay = 10 * time.Second
	var out strings.Builder
	errTail := tail.New(tailBytes)
	cmd.Stdout, cmd.Stderr = &out, errTail
	start := time.Now()
	err = cmd.Run()
	if t.Log != nil {
		t.Log.Debug("ran "+t.Name, "command", line, "took", time.Since(start).Round(time.Millisecond), "err", err)
	}
	if err == nil {
		return []byte(out.String()), nil
	}
	if ctx.Err() != nil {
		return []byte(out.String()), fmt.Errorf("%s: %w", line, ctx.Err())
	}
	e := &Error{Command: line, ExitCode: -1, Stderr: errTail.String(), Err: err}
	var ee *exec.ExitError
	if errors.As(err, &ee) {
		e.ExitCode = ee.ExitCode()
	}
	if t.Hint != nil {
		e.Hint = t.Hint(e.Stderr)
	}
	return []byte(out.String()), e
}

// Installed reports whether the tool is on PATH, as an error that says
// what to install.
func (t *Tool) Installed() error {
	if _, err := exec.LookPath(t.Name); err != nil {
		return t.notInstalled()
	}
	return nil
}

func (t *Tool) notInstalled() error {
	if t.Package != "" {
		return fmt.Errorf("%s is %w (install %s)", t.Name, ErrNotInstalled, t.Package)
	}
	return fmt.Errorf("%s is %w", t.Name, ErrNotInstalled)
}

// commandLine is the call as a person would type it; a word with spaces
// or quotes is shown quoted, so the sentence reads unambiguously.
func (t *Tool) commandLine(args []string) string {
	words := []string{t.Name}
	for _, a := range args {
		if a == "" || strings.ContainsAny(a, " \t\n'\"\\$`") {
			a = fmt.Sprintf("%q", a)
		}
		words = append(words, a)
	}
	return strings.Join(words, " ")
}
