package flx

import (
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"path"
	"strings"
	"time"

	"borgdesk/backend/shared/safefs"
)

// tempPrefix starts the names of files being written.
const tempPrefix = ".flx-restore-"

// writer writes verified entries beneath a root through safefs: each one
// resolves its parent again, never through a symlink, writes a temporary
// file there, sets its owner, mode and times on the descriptor, and is
// renamed into place within that same opened parent.
type writer struct {
	root       *safefs.Dir
	keepSetuid bool
	pending    []*staged
}

// staged is a written temporary file waiting for its entry's hash check.
type staged struct {
	dir       *safefs.Dir
	tmp, name string
	target    string
	done      bool
}

// stage writes content to a temporary file beside target, with the
// entry's attributes (uid -1: the writer's own).
func (w *writer) stage(target string, content io.Reader, uid, gid int, e *Entry) (*staged, error) {
	dir, err := w.root.MkdirAll(path.Dir(target), 0o755)
	if err != nil {
		return nil, fmt.Errorf("writing %s: %w", target, err)
	}
	s := &staged{dir: dir, name: path.Base(target), target: target}
	if err := s.write(content, w.attrs(target, uid, gid, e)); err != nil {
		dir.Close()
		return nil, fmt.Errorf("writing %s: %w", target, err)
	}
	w.pending = append(w.pending, s)
	return s, nil
}

func (w *writer) attrs(target string, uid, gid int, e *Entry) safefs.Attrs {
	a := safefs.Attrs{Mode: safefs.SafeMode(defaultPerm(target, e), uid, w.keepSetuid), UID: uid, GID: gid}
	if t, err := time.Parse(time.RFC3339, e.Mtime); err == nil {
		a.Mtime = t
	}
	return a
}

func (s *staged) write(content io.Reader, a safefs.Attrs) error {
	f, tmp, err := s.dir.CreateTemp(tempPrefix)
	if err != nil {
		return err
	}
	s.tmp = tmp
	_, err = io.Copy(f, content)
	if err == nil {
		err = setAttrs(f, a)
	}
	if cerr := f.Close(); err == nil {
		err = cerr
	}
	if err != nil {
		s.dir.Remove(tmp)
	}
	return err
}

// defaultPerm is the entry's mode or, for an entry without one (FlexPBX's
// tools store none), the mode FlexPBX's restore gives its place: 0755 in
// usr/local/bin, 0440 in etc/sudoers.d, else 0644.
func defaultPerm(target string, e *Entry) os.FileMode {
	if e.Mode != "" {
		return e.Perm()
	}
	switch {
	case strings.HasPrefix(target, "usr/local/bin/"):
		return 0o755
	case strings.HasPrefix(target, "etc/sudoers.d/"):
		return 0o440
	}
	return 0o644
}

// setAttrs sets a on f; a restore run by another user than root cannot
// give files away, so it keeps them its own there, as cp -p does.
func setAttrs(f *os.File, a safefs.Attrs) error {
	err := safefs.SetAttrs(f, a)
	if errors.Is(err, fs.ErrPermission) && os.Geteuid() != 0 && a.UID >= 0 {
		a.UID, a.GID = -1, -1
		a.Mode = safefs.SafeMode(a.Mode, -1, false)
		err = safefs.SetAttrs(f, a)
	}
	return err
}

// commit renames the temporary file over its target, in the parent
// opened when it was written.
func (s *staged) commit() error {
	if s.done {
		return nil
	}
	s.done = true
	defer s.dir.Close()
	if err := s.dir.Rename(s.tmp, s.name); err != nil {
		s.dir.Remove(s.tmp)
		return fmt.Errorf("writing %s: %w", s.target, err)
	}
	return nil
}

// abort removes the temporary files not committed.
func (w *writer) abort() {
	for _, s := range w.pending {
		if !s.done {
			s.done = true
			s.dir.Remove(s.tmp)
			s.dir.Close()
		}
	}
	w.pending = nil
}

// removeFile removes the file rel beneath root, resolving its parent
// without following symlinks.
func removeFile(root *safefs.Dir, rel string) error {
	dir, err := root.OpenDir(path.Dir(rel))
	if err != nil {
		return fmt.Errorf("removing %s: %w", rel, err)
	}
	defer dir.Close()
	if err := dir.Remove(path.Base(rel)); err != nil {
		return fmt.Errorf("removing %s: %w", rel, err)
	}
	return nil
}
