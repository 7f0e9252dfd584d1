package mounts

import (
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

func TestOpenInFileManager(t *testing.T) {
	bin := t.TempDir()
	out := filepath.Join(t.TempDir(), "args")
	script := "#!/bin/sh\necho \"$@\" > " + out + ".tmp && mv " + out + ".tmp " + out + "\n"
	if err := os.WriteFile(filepath.Join(bin, "xdg-open"), []byte(script), 0o755); err != nil {
		t.Fatal(err)
	}
	dir := t.TempDir()
	t.Setenv("PATH", bin+":/usr/bin:/bin")
	if err := OpenInFileManager(dir); err != nil {
		t.Fatal(err)
	}
	waitFor(t, "xdg-open to run", func() bool { _, err := os.Stat(out); return err == nil })
	if b, _ := os.ReadFile(out); strings.TrimSpace(string(b)) != dir {
		t.Errorf("xdg-open got %q; want %q", b, dir)
	}

	t.Setenv("PATH", t.TempDir())
	err := OpenInFileManager(dir)
	if !errors.Is(err, ErrNoFileManager) || !strings.Contains(err.Error(), "install xdg-utils") {
		t.Errorf("without xdg-open or gio: %v; want ErrNoFileManager saying what to install", err)
	}
}
