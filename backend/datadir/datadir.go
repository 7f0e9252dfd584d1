// Package datadir finds, prepares and locks the coordinator's data
// directory, and owns its layout: every path under it comes from Layout.
//
// Exactly one process may own a data dir at a time: the desktop app or
// `borgdesk serve`. It takes an exclusive lock on borgdesk.lock before it
// touches anything else, and never removes files it did not create.
package datadir

import (
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strconv"
	"strings"

	"borgdesk/backend/filelock"
)

// EnvData and EnvSocket name the environment variables behind --data and --socket.
const (
	EnvData   = "BORGDESK_DATA"
	EnvSocket = "BORGDESK_SOCKET"
)

// File names inside the data dir.
const (
	DBFile     = "borgdesk.db"
	LockFile   = "borgdesk.lock"
	SocketFile = "borgdesk.sock"
)

var (
	// ErrNotWritable means the data dir exists (or cannot be created) but this user cannot write to it.
	ErrNotWritable = errors.New("data dir is not writable")
	// ErrLocked means another coordinator owns the data dir.
	ErrLocked = errors.New("data dir is in use by another Borgdesk coordinator")
)

// Resolve picks the data dir: the flag, else $BORGDESK_DATA, else the
// data_dir in desk.json (DeskConfigPath), else $XDG_DATA_HOME/borgdesk, else
// ~/.local/share/borgdesk.
func Resolve(flagValue string, getenv func(string) string) (string, error) {
	r, err := ResolveFrom(flagValue, getenv)
	return r.Dir, err
}

// ResolveFrom is Resolve, also saying where the data dir came from. A
// desk.json that cannot be read is an error naming it (only when neither
// the flag nor the variable is set: they do not need the file).
func ResolveFrom(flagValue string, getenv func(string) string) (Resolution, error) {
	r := Resolution{Dir: flagValue, From: FromFlag}
	if r.Dir == "" {
		r = Resolution{Dir: getenv(EnvData), From: FromEnv}
	}
	if r.Dir == "" {
		cfg, err := ReadDeskConfig(DeskConfigPath(getenv))
		if err != nil {
			return Resolution{}, err
		}
		r = Resolution{Dir: cfg.DataDir, From: FromDesk}
	}
	if r.Dir == "" {
		def, err := DefaultDir(getenv)
		if err != nil {
			return Resolution{}, err
		}
		r = Resolution{Dir: def, From: FromDefault}
	}
	abs, err := filepath.Abs(r.Dir)
	if err != nil {
		return Resolution{}, fmt.Errorf("resolve data dir %q: %w", r.Dir, err)
	}
	r.Dir = abs
	return r, nil
}

// DefaultDir is the data dir when nothing names one:
// $XDG_DATA_HOME/borgdesk, else ~/.local/share/borgdesk (on Windows, before
// ~: %LOCALAPPDATA%\borgdesk).
func DefaultDir(getenv func(string) string) (string, error) {
	if dir := dataHome(getenv); dir != "" {
		return dir, nil
	}
	return "", errors.New("cannot choose a data dir: neither --data, $BORGDESK_DATA, " + DeskFile + ", $XDG_DATA_HOME nor $HOME is set; pass --data DIR")
}

// SocketPath is the admin socket for dir unless overridden by --socket or $BORGDESK_SOCKET.
func SocketPath(dir, flagValue string, getenv func(string) string) string {
	if flagValue != "" {
		return flagValue
	}
	if s := getenv(EnvSocket); s != "" {
		return s
	}
	return filepath.Join(dir, SocketFile)
}

// Prepare creates dir (mode 0700) if needed and proves it is writable.
func Prepare(dir string) error {
	if err := os.MkdirAll(dir, 0o700); err != nil {
		return fmt.Errorf("%w: cannot create %s (%v); fix the permissions of its parent or choose another directory with --data", ErrNotWritable, dir, unwrapPathError(err))
	}
	probe, err := os.CreateTemp(dir, ".write-probe-*")
	if err != nil {
		return fmt.Errorf("%w: %s (%v); fix its owner or mode (it should belong to %s) or choose another directory with --data", ErrNotWritable, dir, unwrapPathError(err), currentUser())
	}
	name := probe.Name()
	probe.Close()
	os.Remove(name)
	return nil
}

// Lock is an exclusive advisory lock on a data dir, held until Release.
type Lock struct {
	f *os.File
}

// Acquire takes the data dir's lock without waiting. If another process holds
// it, the error wraps ErrLocked and names that process.
func Acquire(dir string) (*Lock, error) {
	path := filepath.Join(dir, LockFile)
	f, err := os.OpenFile(path, os.O_RDWR|os.O_CREATE, 0o600)
	if err != nil {
		return nil, fmt.Errorf("%w: open %s: %v", ErrNotWritable, path, unwrapPathError(err))
	}
	if err := filelock.TryLock(f); err != nil {
		holder := readPID(f)
		f.Close()
		if errors.Is(err, filelock.ErrHeld) {
			who := "another process"
			if holder > 0 {
				who = "process " + strconv.Itoa(holder)
			}
			return nil, fmt.Errorf("%w: %s already owns %s; stop it (or use its CLI), or choose another directory with --data", ErrLocked, who, dir)
		}
		return nil, fmt.Errorf("lock %s: %w", path, err)
	}
	if err := f.Truncate(0); err == nil {
		f.WriteAt([]byte(strconv.Itoa(os.Getpid())+"\n"), 0)
	}
	return &Lock{f: f}, nil
}

// Release drops the lock. The lock file stays: removing it would race with a
// process that has just opened it.
func (l *Lock) Release() error {
	if l == nil || l.f == nil {
		return nil
	}
	err := l.f.Close()
	l.f = nil
	return err
}

func readPID(f *os.File) int {
	buf := make([]byte, 32)
	n, _ := f.ReadAt(buf, 0)
	pid, _ := strconv.Atoi(strings.TrimSpace(string(buf[:n])))
	return pid
}

func unwrapPathError(err error) error {
	var pe *os.PathError
	if errors.As(err, &pe) {
		return pe.Err
	}
	return err
}

func currentUser() string {
	if u := os.Getenv("USER"); u != "" {
		return u
	}
	return "uid " + strconv.Itoa(os.Getuid())
}
