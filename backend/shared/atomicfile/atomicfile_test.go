package atomicfile

import (
	"errors"
	"io"
	"os"
	"path/filepath"
	"testing"
)

func TestStream(t *testing.T) {
	dir := t.TempDir()
	p := filepath.Join(dir, "kit")
	if err := Write(p, []byte("old"), 0o600); err != nil {
		t.Fatal(err)
	}
	boom := errors.New("boom")
	for _, tc := range []struct {
		name  string
		fill  func(io.Writer) error
		check func(string) error
	}{
		{"fill fails", func(w io.Writer) error { io.WriteString(w, "half"); return boom }, nil},
		{"check fails", func(w io.Writer) error { _, err := io.WriteString(w, "new"); return err }, func(string) error { return boom }},
	} {
		if err := Stream(p, 0o600, tc.fill, tc.check); !errors.Is(err, boom) {
			t.Errorf("%s: err = %v", tc.name, err)
		}
		if b, _ := os.ReadFile(p); string(b) != "old" {
			t.Errorf("%s: file now %q; want it untouched", tc.name, b)
		}
	}
	var checked string
	err := Stream(p, 0o640, func(w io.Writer) error { _, err := io.WriteString(w, "new"); return err }, func(tmp string) error {
		b, _ := os.ReadFile(tmp)
		checked = string(b)
		return nil
	})
	if err != nil || checked != "new" {
		t.Fatalf("err %v, check saw %q", err, checked)
	}
	if fi, _ := os.Stat(p); fi.Mode().Perm() != 0o640 {
		t.Errorf("mode %v", fi.Mode().Perm())
	}
	if entries, _ := os.ReadDir(dir); len(entries) != 1 {
		t.Errorf("temporary files left: %v", entries)
	}
}
