package filelock

import (
	"errors"
	"os"
	"path/filepath"
	"testing"
)

func open(t *testing.T, name string) *os.File {
	t.Helper()
	f, err := os.OpenFile(name, os.O_RDWR|os.O_CREATE, 0o600)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { f.Close() })
	return f
}

// Two open files of one path: the second is refused while the first
// holds the lock, and gets it once the first lets go.
func TestTryLockIsExclusive(t *testing.T) {
	name := filepath.Join(t.TempDir(), "lock")
	a, b := open(t, name), open(t, name)
	if err := TryLock(a); err != nil {
		t.Fatalf("first lock: %v", err)
	}
	if err := TryLock(b); !errors.Is(err, ErrHeld) {
		t.Fatalf("second lock while the first holds it: got %v; want ErrHeld", err)
	}
	if err := Unlock(a); err != nil {
		t.Fatalf("unlock: %v", err)
	}
	if err := TryLock(b); err != nil {
		t.Fatalf("second lock after the first let go: %v", err)
	}
	// The holder's content stays readable through another descriptor.
	if _, err := b.WriteString("1234\n"); err != nil {
		t.Fatal(err)
	}
	if got, err := os.ReadFile(name); err != nil || string(got) != "1234\n" {
		t.Fatalf("read the locked file: %q, %v; want \"1234\\n\"", got, err)
	}
}

// Closing the holder drops the lock.
func TestCloseReleases(t *testing.T) {
	name := filepath.Join(t.TempDir(), "lock")
	a, b := open(t, name), open(t, name)
	if err := TryLock(a); err != nil {
		t.Fatal(err)
	}
	a.Close()
	if err := TryLock(b); err != nil {
		t.Fatalf("lock after the holder closed: %v", err)
	}
}
