package datadir

import (
	"errors"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
)

func envOf(m map[string]string) func(string) string { return func(k string) string { return m[k] } }

func TestResolve(t *testing.T) {
	tests := []struct {
		name string
		flag string
		env  map[string]string
		want string
	}{
		{"flag wins", "/x/flag", map[string]string{EnvData: "/x/env", "XDG_DATA_HOME": "/x/xdg", "HOME": "/home/u"}, "/x/flag"},
		{"env next", "", map[string]string{EnvData: "/x/env", "XDG_DATA_HOME": "/x/xdg", "HOME": "/home/u"}, "/x/env"},
		{"xdg next", "", map[string]string{"XDG_DATA_HOME": "/x/xdg", "HOME": "/home/u"}, "/x/xdg/borgdesk"},
		{"home last", "", map[string]string{"HOME": "/home/u"}, "/home/u/.local/share/borgdesk"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, err := Resolve(tt.flag, envOf(tt.env))
			if err != nil {
				t.Fatal(err)
			}
			if got != tt.want {
				t.Errorf("Resolve = %q; want %q", got, tt.want)
			}
		})
	}
	if _, err := Resolve("", envOf(nil)); err == nil || !strings.Contains(err.Error(), "--data") {
		t.Errorf("Resolve with nothing set: err = %v; want one that mentions --data", err)
	}
}

func TestSocketPath(t *testing.T) {
	if got := SocketPath("/d", "", envOf(nil)); got != "/d/borgdesk.sock" {
		t.Errorf("default socket = %q", got)
	}
	if got := SocketPath("/d", "", envOf(map[string]string{EnvSocket: "/e.sock"})); got != "/e.sock" {
		t.Errorf("env socket = %q", got)
	}
	if got := SocketPath("/d", "/f.sock", envOf(map[string]string{EnvSocket: "/e.sock"})); got != "/f.sock" {
		t.Errorf("flag socket = %q", got)
	}
}

func TestPrepareCreatesPrivateDir(t *testing.T) {
	dir := filepath.Join(t.TempDir(), "a", "b")
	if err := Prepare(dir); err != nil {
		t.Fatal(err)
	}
	fi, err := os.Stat(dir)
	if err != nil {
		t.Fatal(err)
	}
	if fi.Mode().Perm() != 0o700 {
		t.Errorf("mode = %v; want 0700", fi.Mode().Perm())
	}
	entries, _ := os.ReadDir(dir)
	if len(entries) != 0 {
		t.Errorf("Prepare left files behind: %v", entries)
	}
}

func TestPrepareNotWritable(t *testing.T) {
	// A path below a regular file cannot be created, even by root.
	file := filepath.Join(t.TempDir(), "file")
	os.WriteFile(file, []byte("keep me"), 0o600)
	err := Prepare(filepath.Join(file, "data"))
	if !errors.Is(err, ErrNotWritable) {
		t.Fatalf("err = %v; want ErrNotWritable", err)
	}
	if !strings.Contains(err.Error(), "--data") {
		t.Errorf("error %q does not say what to do", err)
	}
	if b, _ := os.ReadFile(file); string(b) != "keep me" {
		t.Errorf("file in the way was changed: %q", b)
	}
}

func TestLockIsExclusive(t *testing.T) {
	dir := t.TempDir()
	l1, err := Acquire(dir)
	if err != nil {
		t.Fatal(err)
	}
	_, err = Acquire(dir)
	if !errors.Is(err, ErrLocked) {
		t.Fatalf("second Acquire: err = %v; want ErrLocked", err)
	}
	if !strings.Contains(err.Error(), "process "+strconv.Itoa(os.Getpid())) {
		t.Errorf("error %q does not name the holder", err)
	}
	if err := l1.Release(); err != nil {
		t.Fatal(err)
	}
	l2, err := Acquire(dir)
	if err != nil {
		t.Fatalf("Acquire after Release: %v", err)
	}
	l2.Release()
}
