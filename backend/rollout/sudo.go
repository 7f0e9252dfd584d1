package rollout

import (
	"bytes"
	"context"
	"crypto/rand"
	"encoding/hex"
	"io"
	"slices"
	"strings"

	"borgdesk/backend/shared/shellquote"
)

// How the SSH password reaches sudo, and nothing else.
//
// A sudo that asks for no password (NOPASSWD, the default on many cloud
// images) does not read `sudo -S`'s stdin, so a password piped there goes to
// the command: an enrollment that sends it as the token, a unit file that
// starts with it. So becomeRoot first asks sudo, without a password and
// ignoring cached credentials, whether it would run our commands: if it
// would, the password is never sent at all and every command runs under
// `sudo -n`.
//
// Where sudo does ask, the password goes through sudo's askpass mechanism
// (`sudo -A`), never through `sudo -S`: sudo runs a tiny helper, only when
// it needs a password and before the command starts, and reads the
// password from the helper's stdout. The helper (a file in a fresh 0700
// directory, removed with it; it holds no secret) announces itself with a
// random marker on stderr and reads one line from the session's stdin; the
// command announces its start with another. The rollout writes the
// password on stdin only after the helper asked and before the command
// started, and the command's own input only after it started. A command
// that sudo runs without asking (a NOPASSWD rule the probe did not see, or
// one added since) therefore never receives the password, and sudo never
// receives the command's input. The password is in no argv, no
// environment and no file; sudo -k keeps it from being cached.

// becomeRoot checks that the user is root or may use sudo, and whether
// sudo wants a password.
func (r *Runner) becomeRoot(ctx context.Context, m *remote, f facts, cred *Credentials) error {
	if f["uid"] == "0" {
		m.root = true
		return nil
	}
	if f["sudo"] != "yes" {
		return fail("%s is not root on %s and sudo is not installed: log in as root, or install sudo and allow %s to use it", m.target.User, m.target.Host, m.target.User)
	}
	// The probe runs what every privileged command runs (sh) without
	// cached credentials: a NOPASSWD rule for it means no password is sent.
	out, err := m.runDirect(ctx, "sudo -k -n sh -c 'id -u'", nil)
	if err == nil && out == "0" {
		return nil
	}
	if !needsPassword(out) {
		return sudoFailure(m, out)
	}
	password := cred.SudoPassword
	if len(password) == 0 {
		password = cred.Password
	}
	if len(password) == 0 {
		return fail("sudo on %s wants %s's password and none was given: give the sudo password", m.target.Host, m.target.User)
	}
	m.sudo = password
	out, err = m.run(ctx, "id -u", nil, true)
	if err == nil && out == "0" {
		return nil
	}
	m.sudo = nil
	return sudoFailure(m, out)
}

func needsPassword(out string) bool {
	low := strings.ToLower(out)
	return strings.Contains(low, "password is required") || strings.Contains(low, "a terminal is required")
}

// sudoFailure phrases what sudo said for the operator.
func sudoFailure(m *remote, out string) error {
	low := strings.ToLower(out)
	switch {
	case needsPassword(out):
		return fail("sudo on %s wants %s's password and none was given: give the sudo password", m.target.Host, m.target.User)
	case strings.Contains(low, "not in the sudoers") || strings.Contains(low, "not allowed") || strings.Contains(low, "may not run sudo"):
		return fail("%s may not use sudo on %s: add it to the sudo group (or sudoers), or log in as root", m.target.User, m.target.Host)
	case strings.Contains(low, "incorrect password") || strings.Contains(low, "sorry, try again") || strings.Contains(low, "no password was provided"):
		return fail("sudo on %s refused the password for %s", m.target.Host, m.target.User)
	}
	return fail("sudo on %s failed: %s", m.target.Host, lastLine(out))
}

// runAskpass runs script as root through `sudo -A`, writing the password
// on the session's stdin only when sudo's askpass helper asks for it, and
// stdin only once the script started.
func (m *remote) runAskpass(ctx context.Context, script string, stdin []byte) (string, error) {
	s, err := m.client.NewSession()
	if err != nil {
		return "", fail("SSH session to %s: %v", m.target.Host, err)
	}
	defer s.Close()
	in, err := s.StdinPipe()
	if err != nil {
		return "", fail("SSH session to %s: %v", m.target.Host, err)
	}
	ask, start := marker("askpass"), marker("start")
	events := make(chan string, 4)
	out := &lockedBuffer{}
	filter := &markFilter{out: out, marks: []string{ask, start}, seen: events}
	s.Stdout, s.Stderr = out, filter
	stop := make(chan struct{})
	fed := make(chan struct{})
	go func() {
		defer close(fed)
		feedSudo(in, events, stop, m.sudo, stdin, ask, start)
	}()
	err = runSession(ctx, s, askpassCommand(script, ask, start))
	close(stop)
	<-fed
	filter.flush()
	if ctx.Err() != nil {
		return "", ctx.Err()
	}
	return strings.TrimSpace(out.String()), err
}

// feedSudo writes the session's stdin as the remote side asks: the
// password once, when the askpass helper asks before the command started;
// the command's input once it started. A second request means sudo refused
// the password: stdin is closed, so the helper answers nothing more.
func feedSudo(in io.WriteCloser, events <-chan string, stop <-chan struct{}, password, payload []byte, ask, start string) {
	defer in.Close()
	asked := false
	for {
		select {
		case <-stop:
			return
		case ev := <-events:
			switch {
			case ev == ask && !asked:
				asked = true
				in.Write(password)
				in.Write([]byte{'\n'})
			case ev == ask:
				return
			case ev == start:
				in.Write(payload)
				return
			}
		}
	}
}

// marker is a line no command prints by chance.
func marker(what string) string {
	b := make([]byte, 12)
	rand.Read(b)
	return "borgdesk-" + what + "-" + hex.EncodeToString(b)
}

// askpassCommand is the login user's command line: it writes the askpass
// helper into the first fresh directory where it may run (/tmp may be
// noexec), runs script through `sudo -A` and removes the directory.
func askpassCommand(script, ask, start string) string {
	helper := []string{
		"#!/bin/sh",
		`[ "${1:-}" != --check ] || exit 0`,
		"echo " + ask + " >&2",
		`IFS= read -r pw || exit 1`,
		`printf '%s\n' "$pw"`,
	}
	var quoted []string
	for _, l := range helper {
		quoted = append(quoted, shellquote.Quote(l))
	}
	outer := `d=
for base in "${TMPDIR:-/tmp}" "$HOME" /dev/shm; do
  d=$(mktemp -d "$base/.borgdesk-askpass.XXXXXX" 2>/dev/null) || { d=; continue; }
  printf '%s\n' ` + strings.Join(quoted, " ") + ` > "$d/askpass" && chmod 0700 "$d/askpass" && "$d/askpass" --check 2>/dev/null && break
  rm -rf "$d"; d=
done
[ -n "$d" ] || { echo "sudo needs a password but no directory lets its askpass helper run (/tmp, home and /dev/shm are noexec)" >&2; exit 1; }
trap 'rm -rf "$d"' EXIT
SUDO_ASKPASS="$d/askpass" sudo -A -k -p '' sh -c 'echo ` + start + ` >&2; exec sh -c "$1"' sh ` + shellquote.Quote(script)
	return "sh -c " + shellquote.Quote(outer)
}

// markFilter passes a stream on to out, except the lines that are one of
// marks, which it reports on seen instead. One goroutine writes to it.
type markFilter struct {
	out     io.Writer
	marks   []string
	seen    chan<- string
	pending []byte
}

func (f *markFilter) Write(p []byte) (int, error) {
	f.pending = append(f.pending, p...)
	for {
		i := bytes.IndexByte(f.pending, '\n')
		if i < 0 {
			return len(p), nil
		}
		line := string(f.pending[:i])
		if slices.Contains(f.marks, line) {
			select {
			case f.seen <- line:
			default: // nobody listens any more
			}
		} else {
			f.out.Write(f.pending[:i+1])
		}
		f.pending = f.pending[i+1:]
	}
}

// flush passes on an unfinished last line.
func (f *markFilter) flush() {
	if len(f.pending) > 0 {
		f.out.Write(f.pending)
		f.pending = nil
	}
}
