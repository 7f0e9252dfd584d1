package flx

import (
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"io"
	"io/fs"
	"os"
	"sort"
	"strings"
)

// Inspection is a snapshot's metadata, its file list and whether every
// entry checks out.
type Inspection struct {
	Meta     *Meta   `json:"meta"`
	Files    []Entry `json:"files"`
	Bytes    int64   `json:"bytes"`
	Verified bool    `json:"verified"`
	Error    string  `json:"error,omitempty"`
}

// Inspect reads a snapshot through, checking every hash. A damaged
// snapshot still reports what could be read before the damage.
func Inspect(name string) (*Inspection, error) {
	f, err := Open(name)
	if err != nil {
		return nil, err
	}
	defer f.Close()
	in := &Inspection{}
	m, err := Walk(f, func(m *Meta, e *Entry, content io.Reader) (func() error, error) {
		in.Meta = m
		return func() error {
			in.Files = append(in.Files, *e)
			in.Bytes += e.Size
			return nil
		}, nil
	})
	if m != nil {
		in.Meta = m
	}
	if err != nil {
		in.Error = err.Error()
		return in, err
	}
	in.Verified = true
	return in, nil
}

// DiffEntry is one path that differs.
type DiffEntry struct {
	Path   string `json:"path"`
	Status string `json:"status"` // changed, only in snapshot, only in target
}

// Diff compares a snapshot with a directory (its files under the same
// relative paths) or with another snapshot.
func Diff(name, other string) ([]DiffEntry, error) {
	a, err := hashes(name)
	if err != nil {
		return nil, err
	}
	var b map[string]string
	if fi, err := os.Stat(other); err == nil && fi.IsDir() {
		b = map[string]string{}
		root, err := os.OpenRoot(other)
		if err != nil {
			return nil, err
		}
		defer root.Close()
		dirs := map[string]bool{}
		for p := range a {
			if h, err := hashFile(root, p); err == nil {
				b[p] = "sha256:" + h
			}
			if i := strings.LastIndexByte(p, '/'); i > 0 {
				dirs[p[:i]] = true
			}
		}
		// Files in the snapshot's directories that it does not have.
		for d := range dirs {
			entries, _ := fs.ReadDir(root.FS(), d)
			for _, de := range entries {
				p := d + "/" + de.Name()
				if _, ok := a[p]; !ok && de.Type().IsRegular() && Excluded(p) == "" {
					b[p] = "?"
				}
			}
		}
	} else if b, err = hashes(other); err != nil {
		return nil, err
	}
	var out []DiffEntry
	for p, h := range a {
		switch hb, ok := b[p]; {
		case !ok:
			out = append(out, DiffEntry{p, "only in snapshot"})
		case !strings.EqualFold(hb, h):
			out = append(out, DiffEntry{p, "changed"})
		}
	}
	for p := range b {
		if _, ok := a[p]; !ok {
			out = append(out, DiffEntry{p, "only in target"})
		}
	}
	sort.Slice(out, func(i, j int) bool { return out[i].Path < out[j].Path })
	return out, nil
}

func hashes(name string) (map[string]string, error) {
	out := map[string]string{}
	_, err := walkFile(name, func(m *Meta, e *Entry, content io.Reader) (func() error, error) {
		h := sha256.New()
		io.Copy(h, content)
		rel, _ := CleanPath(e.Path)
		return func() error { out[rel] = "sha256:" + hex.EncodeToString(h.Sum(nil)); return nil }, nil
	})
	if err != nil {
		return nil, errors.Join(errors.New(name), err)
	}
	return out, nil
}
