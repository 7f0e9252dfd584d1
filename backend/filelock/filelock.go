// Package filelock takes exclusive advisory locks on open files, the same
// way on every OS Borgdesk builds for: flock(2) on Linux and macOS,
// LockFileEx on Windows. The data dir's lock and the outbox's mailbox
// lock use it.
//
// It never waits: TryLock answers ErrHeld at once when another process
// holds the lock, and the caller decides whether to retry. On Windows the
// lock covers one byte far past the end of the file, so that other
// processes can still read what the file says (the data dir's lock file
// names the process that holds it).
package filelock

import (
	"errors"
	"os"
)

// ErrHeld is returned by TryLock when another open file (in this process
// or another) holds the lock.
var ErrHeld = errors.New("the file is locked by another process")

// TryLock takes an exclusive lock on f without waiting.
func TryLock(f *os.File) error { return tryLock(f) }

// Unlock drops the lock f holds (closing f drops it too).
func Unlock(f *os.File) error { return unlock(f) }
