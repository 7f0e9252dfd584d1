// Package borg wraps the borg command line for both sides of Borgdesk: the
// agent (create, list, extract) and the coordinator (init, prune, delete,
// rename, compact, check on its own copy of a repository).
//
// Every call goes through exec.CommandContext with an argument vector, never
// a shell. The passphrase travels only in the environment (BORG_PASSPHRASE),
// never in argv. Errors carry the tail of borg's stderr and say what to do.
// Stdlib only, besides the stdlib-only backend/shared helpers: the agent
// imports it.
package borg

import (
	"bufio"
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"os"
	"os/exec"
	"strings"
	"time"

	"borgdesk/backend/shared/tail"
)

// Repo is a repository and how to reach it.
type Repo struct {
	// Location is a path or ssh://user@host:port/path.
	Location   string
	Passphrase string
	// RSH, when set, is BORG_RSH: the command borg runs to reach an ssh:// location.
	RSH string
}

// Borg runs one borg binary.
type Borg struct {
	// Path is the borg binary ("borg" from PATH when empty).
	Path string
	// BaseDir is BORG_BASE_DIR (borg's cache, keys and security dirs).
	BaseDir string
	// LockWait is --lock-wait in seconds (borg's default 1 when zero).
	LockWait int
	// BypassLock adds --bypass-lock: for reading committed archives while
	// a backup holds the repository's lock (see Reader).
	BypassLock bool
}

// Reader is a copy of b that reads without taking the repository's lock
// (--bypass-lock): browsing, previews, mounts and restore drills on the
// coordinator go on while an agent writes a backup. Only committed
// archives are read, so the backup in progress cannot be seen half-made.
func (b *Borg) Reader() *Borg {
	c := *b
	c.BypassLock = true
	return &c
}

// Exit codes (borg 1.2).
const (
	exitWarning = 1
	exitError   = 2
)

// ErrLocked means another borg process holds the repository's lock.
var ErrLocked = errors.New("repository is locked by another borg process")

// ErrWrongPassphrase means the passphrase does not open the repository key.
var ErrWrongPassphrase = errors.New("wrong passphrase for the repository")

// ErrNoRepository means there is no repository at the location.
var ErrNoRepository = errors.New("no borg repository at that location")

// ErrNoArchive means the repository has no archive of that name.
var ErrNoArchive = errors.New("no archive of that name in the repository")

// ErrNoSpace means the disk holding the repository (or the cache) is full.
var ErrNoSpace = errors.New("no space left on device")

// ErrQuota means the repository's storage quota stopped the write: on the
// coordinator, that its disk is nearly full.
var ErrQuota = errors.New("storage quota exceeded")

// Error is a failed borg command.
type Error struct {
	Op       string
	ExitCode int
	Stderr   string // the tail
	kind     error
}

func (e *Error) Error() string {
	hint := ""
	switch e.kind {
	case ErrLocked:
		hint = ": another borg process (a backup, a mount or a check) is using the repository; wait for it, or break a stale lock with `borg break-lock` once you are sure nothing runs"
	case ErrWrongPassphrase:
		hint = ": the passphrase does not open this repository's key; check the passphrase file"
	case ErrNoRepository:
		hint = ": the repository does not exist (yet) at that location"
	case ErrNoArchive:
		hint = ": the repository has no archive of that name (pruned or deleted?); list the archives and pick one of them"
	case ErrArchiveExists:
		hint = ": the repository already has an archive of that name; pick another name"
	case ErrQuota:
		hint = ": the repository reached its storage quota, which the coordinator sets so its disk never fills up; free space on the coordinator or prune old archives, then run the job again (nothing already backed up was lost)"
	case ErrNoSpace:
		hint = ": the disk is full; free space, then run the job again (borg resumes from its checkpoint)"
	}
	msg := fmt.Sprintf("borg %s failed (exit %d)%s", e.Op, e.ExitCode, hint)
	if e.Stderr != "" {
		msg += "; borg said: " + e.Stderr
	}
	return msg
}

// Unwrap lets errors.Is find the kind.
func (e *Error) Unwrap() error { return e.kind }

func classify(stderr string) error {
	s := strings.ToLower(stderr)
	switch {
	case strings.Contains(s, "failed to create/acquire the lock") || strings.Contains(s, "lock.exclusive") || strings.Contains(s, "locktimeout"):
		return ErrLocked
	case strings.Contains(s, "passphrase supplied in borg_passphrase") || strings.Contains(s, "passphrase is incorrect") || strings.Contains(s, "incorrect passphrase"):
		return ErrWrongPassphrase
	case noArchive(s):
		return ErrNoArchive
	case strings.Contains(s, "archive ") && strings.Contains(s, " already exists"):
		return ErrArchiveExists
	case strings.Contains(s, "does not exist") && strings.Contains(s, "repository"), strings.Contains(s, "is not a valid repository"):
		return ErrNoRepository
	case strings.Contains(s, "storage quota"):
		return ErrQuota
	case strings.Contains(s, "no space left on device"), strings.Contains(s, "insufficient free space"):
		return ErrNoSpace
	}
	return nil
}

// noArchive spots borg's "Archive NAME does not exist" (s lowercased).
func noArchive(s string) bool {
	for _, line := range strings.Split(s, "\n") {
		line = strings.TrimSpace(line)
		if strings.HasPrefix(line, "archive ") && strings.HasSuffix(line, " does not exist") {
			return true
		}
	}
	return false
}

// Warning is a command that succeeded with warnings (exit 1), such as
// files that vanished while being read.
type Warning struct {
	Op     string
	Stderr string
}

func (w *Warning) Error() string { return "borg " + w.Op + " finished with warnings: " + w.Stderr }

func (b *Borg) bin() string {
	if b.Path != "" {
		return b.Path
	}
	return "borg"
}

// env is the environment for a borg call: the caller's, minus anything
// borg would read a secret or a repository from, plus ours.
func (b *Borg) env(r Repo) []string {
	var env []string
	for _, kv := range os.Environ() {
		k, _, _ := strings.Cut(kv, "=")
		if strings.HasPrefix(k, "BORG_") {
			continue
		}
		env = append(env, kv)
	}
	env = append(env,
		"BORG_PASSPHRASE="+r.Passphrase,
		"BORG_EXIT_CODES=legacy",
		"BORG_RELOCATED_REPO_ACCESS_IS_OK=no",
		"BORG_UNKNOWN_UNENCRYPTED_REPO_ACCESS_IS_OK=no",
		"BORG_CHECK_I_KNOW_WHAT_I_AM_DOING=NO",
		"BORG_DELETE_I_KNOW_WHAT_I_AM_DOING=NO",
	)
	if b.BaseDir != "" {
		env = append(env, "BORG_BASE_DIR="+b.BaseDir)
	}
	if r.RSH != "" {
		env = append(env, "BORG_RSH="+r.RSH)
	}
	return env
}

func (b *Borg) command(ctx context.Context, r Repo, args ...string) *exec.Cmd {
	if b.BypassLock {
		args = append([]string{"--bypass-lock"}, args...)
	} else if b.LockWait > 0 {
		args = append([]string{"--lock-wait", fmt.Sprint(b.LockWait)}, args...)
	}
	cmd := exec.CommandContext(ctx, b.bin(), args...)
	cmd.Env = b.env(r)
	cmd.WaitDelay = 10 * time.Second
	return cmd
}

// run runs borg, collecting stdout, and maps its exit status.
func (b *Borg) run(ctx context.Context, r Repo, op string, stdin io.Reader, args ...string) ([]byte, error) {
	cmd := b.command(ctx, r, args...)
	var out bytes.Buffer
	errTail := tail.New(4096)
	cmd.Stdin, cmd.Stdout, cmd.Stderr = stdin, &out, errTail
	err := cmd.Run()
	return out.Bytes(), b.exitErr(ctx, op, err, errTail.String())
}

func (b *Borg) exitErr(ctx context.Context, op string, err error, stderr string) error {
	if err == nil {
		return nil
	}
	if ctx.Err() != nil {
		return fmt.Errorf("borg %s: %w", op, ctx.Err())
	}
	var ee *exec.ExitError
	if !errors.As(err, &ee) {
		return fmt.Errorf("borg %s: %w (is borg installed?)", op, err)
	}
	if ee.ExitCode() == exitWarning {
		return &Warning{Op: op, Stderr: lastLines(stderr, 5)}
	}
	return &Error{Op: op, ExitCode: ee.ExitCode(), Stderr: lastLines(stderr, 8), kind: classify(stderr)}
}

// lastLines keeps the last n non-JSON-noise lines of stderr.
func lastLines(s string, n int) string {
	var lines []string
	sc := bufio.NewScanner(strings.NewReader(s))
	for sc.Scan() {
		l := strings.TrimSpace(sc.Text())
		if l == "" {
			continue
		}
		if strings.HasPrefix(l, "{") {
			var m struct {
				Type    string `json:"type"`
				Message string `json:"message"`
			}
			if json.Unmarshal([]byte(l), &m) == nil {
				if m.Type != "log_message" || m.Message == "" {
					continue
				}
				l = m.Message
			}
		}
		lines = append(lines, l)
	}
	if len(lines) > n {
		lines = lines[len(lines)-n:]
	}
	return strings.Join(lines, " | ")
}

// Version returns borg's version ("1.2.4").
func (b *Borg) Version(ctx context.Context) (string, error) {
	out, err := b.run(ctx, Repo{}, "--version", nil, "--version")
	if err != nil {
		return "", err
	}
	f := strings.Fields(string(out))
	if len(f) == 0 {
		return "", errors.New("borg --version printed nothing")
	}
	return f[len(f)-1], nil
}

// Init creates a repokey-blake2 repository.
func (b *Borg) Init(ctx context.Context, r Repo) error {
	_, err := b.run(ctx, r, "init", nil, "init", "--encryption=repokey-blake2", "--make-parent-dirs", r.Location)
	return err
}

// Reclaim deletes the segments a failed or interrupted write left after
// the last commit; borg otherwise frees them only when the next write
// begins. (borg 1.2 has no plainer command that opens a transaction
// without writing: dump-hints prepares one, and reads the hints.)
func (b *Borg) Reclaim(ctx context.Context, r Repo) error {
	_, err := b.run(ctx, r, "reclaim", nil, "debug", "dump-hints", r.Location, os.DevNull)
	return err
}

// SetConfig sets a repository configuration value (borg config).
func (b *Borg) SetConfig(ctx context.Context, r Repo, key, value string) error {
	_, err := b.run(ctx, r, "config", nil, "config", r.Location, key, value)
	return err
}

// KeyExport returns the repository's key as `borg key export` writes it (a
// text file; the key stays encrypted with the repository's passphrase). It
// reads the repository's config without taking its lock, so it works while
// a backup runs; borg refuses --bypass-lock for it, so none is passed.
func (b *Borg) KeyExport(ctx context.Context, r Repo) ([]byte, error) {
	c := *b
	c.BypassLock = false
	// Borg 1.2's key export closes the repository like any client and
	// writes its hints file through hints.N.tmp; another borg closing the
	// same repository at that moment (a backup ending, a lock released)
	// may rename that temp file first, and the export fails with
	// FileNotFoundError although the key was read. It is tried again.
	for attempt := 1; ; attempt++ {
		out, err := c.run(ctx, r, "key export", nil, "key", "export", r.Location)
		if err == nil || attempt == 3 || ctx.Err() != nil || !hintsRace(err) {
			return out, err
		}
	}
}

// hintsRace reports a borg that lost the race for the hints file's
// temporary name to another borg closing the same repository.
func hintsRace(err error) bool {
	msg := err.Error()
	return strings.Contains(msg, "FileNotFoundError") && strings.Contains(msg, "hints.")
}
