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

	"borgdesk/backend/shared/safefs"
)

// Inspection is a snapshot's metadata, a page of its file list and
// whether every entry checks out.
type Inspection struct {
	Meta *Meta `json:"meta"`
	// Files is the page asked for (FilesOffset on, at most the page's
	// size): a snapshot's list is never held whole.
	Files    []Entry `json:"files"`
	Bytes    int64   `json:"bytes"`
	Verified bool    `json:"verified"`
	Error    string  `json:"error,omitempty"`
	// FilesTotal is the number of entries read; FilesMore of them come
	// after the page.
	FilesTotal  int `json:"files_total"`
	FilesOffset int `json:"files_offset,omitempty"`
	FilesMore   int `json:"files_more,omitempty"`
}

// DefaultInspectPage is how many entries Inspect lists.
const DefaultInspectPage = 1000

// InspectOptions choose the page of the file list and the caps.
type InspectOptions struct {
	Offset int
	Limit  int // DefaultInspectPage when zero or less
	Limits Limits
}

// Inspect reads a snapshot through, checking every hash, and lists its
// first DefaultInspectPage entries. A damaged snapshot still reports what
// could be read before the damage.
func Inspect(name string) (*Inspection, error) {
	return InspectPage(name, InspectOptions{})
}

// InspectPage is Inspect listing the entries o chooses.
func InspectPage(name string, o InspectOptions) (*Inspection, error) {
	if o.Limit <= 0 {
		o.Limit = DefaultInspectPage
	}
	if _, err := Detect(name); err != nil {
		return nil, err
	}
	in := &Inspection{FilesOffset: o.Offset, Files: []Entry{}}
	m, err := WalkFile(name, func(m *Meta, e *Entry, content io.Reader) (func() error, error) {
		in.Meta = m
		return func() error {
			in.add(e, o)
			return nil
		}, nil
	}, o.Limits)
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

func (in *Inspection) add(e *Entry, o InspectOptions) {
	in.FilesTotal++
	in.Bytes += e.Size
	switch {
	case in.FilesTotal <= o.Offset:
	case len(in.Files) < o.Limit:
		in.Files = append(in.Files, *e)
	default:
		in.FilesMore++
	}
}

// DiffEntry is one path that differs.
type DiffEntry struct {
	Path   string `json:"path"`
	Status string `json:"status"` // changed, only in snapshot, only in target
}

// Diff compares a snapshot with a directory (its files under the same
// relative paths) or with another snapshot.
func Diff(name, other string) ([]DiffEntry, error) {
	return DiffAs(name, other, "")
}

// DiffAs is Diff placing the snapshot's home-relative entries in user's
// home beneath the directory (or, with user empty, the home a restore
// would choose; failing that, the directory itself is taken as the home).
// Against another snapshot, home-relative paths are compared as ~/PATH.
func DiffAs(name, other, user string) ([]DiffEntry, error) {
	var b map[string]string
	var a map[string]string
	var err error
	if fi, serr := os.Stat(other); serr == nil && fi.IsDir() {
		b = map[string]string{}
		root, err := safefs.OpenRoot(other)
		if err != nil {
			return nil, err
		}
		defer root.Close()
		pc := &placer{root: root, user: user}
		a, err = hashes(name, func(m *Meta, e *Entry, rel string) string {
			if t, _, _, err := pc.place(m, e, rel); err == nil {
				return t
			}
			return rel
		})
		if err != nil {
			return nil, err
		}
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
			for _, de := range readDir(root, d) {
				p := d + "/" + de.Name()
				if _, ok := a[p]; !ok && de.Type().IsRegular() && Excluded(p) == "" {
					b[p] = "?"
				}
			}
		}
	} else {
		if a, err = hashes(name, homeKey); err != nil {
			return nil, err
		}
		if b, err = hashes(other, homeKey); err != nil {
			return nil, err
		}
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

// homeKey names a home-relative entry ~/PATH when two snapshots are
// compared.
func homeKey(_ *Meta, e *Entry, rel string) string {
	if e.Home {
		return "~/" + rel
	}
	return rel
}

func readDir(root *safefs.Dir, rel string) []fs.DirEntry {
	d, err := root.OpenDir(rel)
	if err != nil {
		return nil
	}
	defer d.Close()
	entries, _ := d.ReadDir()
	return entries
}

func hashes(name string, key func(m *Meta, e *Entry, rel string) string) (map[string]string, error) {
	out := map[string]string{}
	_, err := walkFile(name, func(m *Meta, e *Entry, content io.Reader) (func() error, error) {
		h := sha256.New()
		io.Copy(h, content)
		rel, _ := CleanPath(e.Path)
		k := key(m, e, rel)
		return func() error { out[k] = "sha256:" + hex.EncodeToString(h.Sum(nil)); return nil }, nil
	}, Limits{})
	if err != nil {
		return nil, errors.Join(errors.New(name), err)
	}
	return out, nil
}
