package borg

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"sync"

	"borgdesk/backend/shared/tail"
)

// Held is a repository lock taken with `borg with-lock` and kept until
// Release: while it is held, no backup, prune or compact can change the
// repository, so its directory can be copied as a consistent whole.
type Held struct {
	stdin io.WriteCloser
	wait  func() error
	done  bool
}

// HoldLock takes the repository's exclusive lock, waiting up to LockWait
// for it, and returns once it is held. It runs `borg with-lock REPO cat`:
// cat echoes a line back once borg started it, which proves the lock is
// held, and ends (releasing the lock) when Release closes its input.
// with-lock needs no passphrase: it never opens the repository's key.
//
// Borg writes and commits one small segment around the command, which is
// how `borg with-lock REPO rsync …` copies stay valid; a copy taken while
// the lock is held is a repository borg opens and checks.
func (b *Borg) HoldLock(ctx context.Context, r Repo) (*Held, error) {
	cmd := b.command(ctx, Repo{Location: r.Location}, "with-lock", r.Location, "cat")
	stdin, err := cmd.StdinPipe()
	if err != nil {
		return nil, err
	}
	echo := &lineSignal{seen: make(chan struct{})}
	cmd.Stdout = echo
	errTail := tail.New(4096)
	cmd.Stderr = errTail
	if err := cmd.Start(); err != nil {
		return nil, fmt.Errorf("borg with-lock: %w (is borg installed?)", err)
	}
	wait := func() error {
		return b.exitErr(ctx, "with-lock", cmd.Wait(), errTail.String())
	}
	if _, err := io.WriteString(stdin, "locked\n"); err != nil {
		stdin.Close()
		return nil, lockFailed(wait(), err)
	}
	exited := make(chan error, 1)
	go func() { exited <- wait() }()
	select {
	case <-echo.seen:
		return &Held{stdin: stdin, wait: func() error { return <-exited }}, nil
	case err := <-exited:
		return nil, lockFailed(err, errors.New("borg ended before running the command"))
	}
}

// lineSignal closes seen at the first newline written to it.
type lineSignal struct {
	mu   sync.Mutex
	seen chan struct{}
	done bool
}

func (l *lineSignal) Write(p []byte) (int, error) {
	l.mu.Lock()
	defer l.mu.Unlock()
	if !l.done && bytes.IndexByte(p, '\n') >= 0 {
		l.done = true
		close(l.seen)
	}
	return len(p), nil
}

func lockFailed(waitErr, ioErr error) error {
	if waitErr != nil {
		return waitErr
	}
	if ioErr == nil {
		ioErr = errors.New("unexpected output")
	}
	return fmt.Errorf("borg with-lock: the lock was not confirmed: %w", ioErr)
}

// Release lets the command end and borg commit and release the lock.
func (h *Held) Release() error {
	if h == nil || h.done {
		return nil
	}
	h.done = true
	h.stdin.Close()
	return h.wait()
}
