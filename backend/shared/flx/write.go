package flx

import (
	"bufio"
	"bytes"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"path"
	"strings"
	"sync"
	"time"

	"borgdesk/backend/shared/safefs"
)

// tempPrefix starts the names of files being written.
const tempPrefix = ".flx-restore-"

// writer writes entries beneath a root through safefs: each one goes to a
// temporary file beside its target, in a parent resolved beneath the root
// without following any symlink, with its owner, mode and times set on the
// descriptor; commit renames it into place within that same opened parent.
//
// A restore stages every entry while its content streams in (the content
// is verified as it goes) and commits them all once every entry has passed
// its checks; a failure before then removes the temporary files and the
// directories made for them (abort), so nothing is left. Small files are
// written by a few goroutines (start), so creating many of them uses the
// cores and overlaps the disk's waits; large ones are written as they
// stream. Parents are opened once per directory and shared by the files
// staged in it: the descriptors held grow with the directories, not with
// the files or their sizes.
type writer struct {
	root       *safefs.Dir
	keepSetuid bool

	mu      sync.Mutex
	dirs    map[string]*dirRef // opened parents, by path
	made    []string           // directories made here, parents first
	temps   map[string]bool    // the temporary files staged, by path
	pending []*staged
	err     error // the first failed background write

	jobs chan func()
	bufs chan *bytes.Buffer
	wg   sync.WaitGroup
	once sync.Once
}

// dirRef is an opened parent shared by the files staged in it.
type dirRef struct {
	d    *safefs.Dir
	refs int
}

// staged is a temporary file waiting for its commit.
type staged struct {
	dir       *dirRef
	tmp, name string
	target    string
	done      bool
}

// smallFile is the largest content staged in the background; it is read
// into memory first, in at most workers+2 buffers at a time.
const smallFile = 1 << 20

func newWriter(root *safefs.Dir, keepSetuid bool) *writer {
	return &writer{root: root, keepSetuid: keepSetuid, dirs: map[string]*dirRef{}, temps: map[string]bool{}}
}

// start runs n goroutines that write small files in the background.
func (w *writer) start(n int) {
	w.jobs = make(chan func())
	w.bufs = make(chan *bytes.Buffer, n+2)
	for range n + 2 {
		w.bufs <- new(bytes.Buffer)
	}
	for range n {
		w.wg.Add(1)
		go func() {
			defer w.wg.Done()
			for job := range w.jobs {
				job()
			}
		}()
	}
}

// wait waits for the background writes and returns the first failure.
func (w *writer) wait() error {
	w.once.Do(func() {
		if w.jobs != nil {
			close(w.jobs)
		}
	})
	w.wg.Wait()
	w.mu.Lock()
	defer w.mu.Unlock()
	return w.err
}

// stage writes content to a temporary file beside target, with the
// entry's attributes (uid -1: the writer's own), before it returns.
func (w *writer) stage(target string, content io.Reader, uid, gid int, e *Entry) (*staged, error) {
	s, err := w.prepare(target)
	if err != nil {
		return nil, err
	}
	if err := s.write(content, w.attrs(target, uid, gid, e)); err != nil {
		return nil, fmt.Errorf("writing %s: %w", target, err)
	}
	w.addTemp(s)
	return s, nil
}

// stageAsync is stage for a restore: content up to smallFile is read
// into a buffer and written in the background (start); a larger one is
// written as it streams. The write's failure shows in wait.
func (w *writer) stageAsync(target string, content io.Reader, uid, gid int, e *Entry) (*staged, error) {
	if w.jobs == nil {
		return w.stage(target, content, uid, gid, e)
	}
	buf := <-w.bufs
	buf.Reset()
	if _, err := buf.ReadFrom(io.LimitReader(content, smallFile+1)); err != nil {
		w.bufs <- buf
		return nil, err
	}
	s, err := w.prepare(target)
	if err != nil {
		w.bufs <- buf
		return nil, err
	}
	a := w.attrs(target, uid, gid, e) // e changes as the walk goes on
	if buf.Len() > smallFile {
		return s, w.stream(s, a, buf, content)
	}
	w.jobs <- func() {
		defer func() { w.bufs <- buf }()
		if err := s.write(bytes.NewReader(buf.Bytes()), a); err != nil {
			w.fail(fmt.Errorf("writing %s: %w", target, err))
			return
		}
		w.addTemp(s)
	}
	return s, nil
}

// stream writes a large file: its content is read in smallFile pieces
// while a goroutine writes the pieces before, so decoding and hashing
// overlap the writes. first is the piece already read.
func (w *writer) stream(s *staged, a safefs.Attrs, first *bytes.Buffer, content io.Reader) error {
	f, tmp, err := s.dir.d.CreateTemp(tempPrefix)
	if err != nil {
		w.bufs <- first
		return fmt.Errorf("writing %s: %w", s.target, err)
	}
	s.tmp = tmp
	pieces := make(chan *bytes.Buffer, 2)
	w.wg.Add(1)
	go func() {
		defer w.wg.Done()
		var err error
		for b := range pieces {
			if err == nil {
				_, err = f.Write(b.Bytes())
			}
			w.bufs <- b
		}
		if err == nil {
			err = setAttrs(f, a)
		}
		if cerr := f.Close(); err == nil {
			err = cerr
		}
		if err != nil {
			w.fail(fmt.Errorf("writing %s: %w", s.target, err))
			return
		}
		w.addTemp(s)
	}()
	defer close(pieces)
	pieces <- first
	for {
		b := <-w.bufs
		b.Reset()
		_, err := b.ReadFrom(io.LimitReader(content, smallFile))
		if b.Len() == 0 || err != nil {
			w.bufs <- b
			return err
		}
		pieces <- b
	}
}

func (w *writer) fail(err error) {
	w.mu.Lock()
	defer w.mu.Unlock()
	if w.err == nil {
		w.err = err
	}
}

// prepare opens (making it if need be) target's parent and registers the
// file as pending.
func (w *writer) prepare(target string) (*staged, error) {
	w.mu.Lock()
	defer w.mu.Unlock()
	parent := path.Dir(target)
	ref := w.dirs[parent]
	if ref == nil {
		d, err := w.mkdirAll(parent)
		if err != nil {
			return nil, fmt.Errorf("writing %s: %w", target, err)
		}
		ref = &dirRef{d: d}
		w.dirs[parent] = ref
	}
	ref.refs++
	s := &staged{dir: ref, name: path.Base(target), target: target}
	w.pending = append(w.pending, s)
	return s, nil
}

// mkdirAll opens the directory rel beneath the root, making the missing
// ones one component at a time (each opened from the one before, never
// through a symlink) and noting those it made, for abort.
func (w *writer) mkdirAll(rel string) (*safefs.Dir, error) {
	cur, err := w.root.OpenDir(".")
	if err != nil || rel == "." {
		return cur, err
	}
	sofar := ""
	for _, part := range strings.Split(rel, "/") {
		sofar = path.Join(sofar, part)
		err := cur.Mkdir(part, 0o755)
		if err == nil {
			w.made = append(w.made, sofar)
		} else if !errors.Is(err, fs.ErrExist) {
			cur.Close()
			return nil, err
		}
		next, err := cur.OpenDir(part)
		cur.Close()
		if err != nil {
			return nil, err
		}
		cur = next
	}
	return cur, nil
}

func (w *writer) addTemp(s *staged) {
	w.mu.Lock()
	defer w.mu.Unlock()
	w.temps[path.Join(path.Dir(s.target), s.tmp)] = true
}

// isTemp says whether rel is one of the temporary files staged.
func (w *writer) isTemp(rel string) bool {
	if w == nil {
		return false
	}
	w.mu.Lock()
	defer w.mu.Unlock()
	return w.temps[rel]
}

// release drops s's hold on its parent, closing it with the last one.
func (w *writer) release(s *staged) {
	w.mu.Lock()
	defer w.mu.Unlock()
	s.dir.refs--
	if s.dir.refs == 0 {
		s.dir.d.Close()
		for k, v := range w.dirs {
			if v == s.dir {
				delete(w.dirs, k)
				break
			}
		}
	}
}

func (w *writer) attrs(target string, uid, gid int, e *Entry) safefs.Attrs {
	a := safefs.Attrs{Mode: safefs.SafeMode(defaultPerm(target, e), uid, w.keepSetuid), UID: uid, GID: gid}
	if t, err := time.Parse(time.RFC3339, e.Mtime); err == nil {
		a.Mtime = t
	}
	return a
}

func (s *staged) write(content io.Reader, a safefs.Attrs) error {
	f, tmp, err := s.dir.d.CreateTemp(tempPrefix)
	if err != nil {
		return err
	}
	s.tmp = tmp
	if _, ok := content.(*bytes.Reader); ok {
		_, err = io.Copy(f, content)
	} else {
		// The content comes out of the base64 decoder in pieces under
		// 1 KiB: written in 256 KiB pieces, not one write each.
		bw := bufio.NewWriterSize(f, 256<<10)
		if _, err = io.Copy(bw, content); err == nil {
			err = bw.Flush()
		}
	}
	if err == nil {
		err = setAttrs(f, a)
	}
	if cerr := f.Close(); err == nil {
		err = cerr
	}
	if err != nil {
		s.dir.d.Remove(tmp)
		s.tmp = ""
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
func (w *writer) commit(s *staged) error {
	if s.done {
		return nil
	}
	s.done = true
	defer w.release(s)
	if err := s.dir.d.Rename(s.tmp, s.name); err != nil {
		s.dir.d.Remove(s.tmp)
		return fmt.Errorf("writing %s: %w", s.target, err)
	}
	return nil
}

// discard removes a staged file that is not to be committed (its target
// is unchanged or kept).
func (w *writer) discard(s *staged) {
	if s.done {
		return
	}
	s.done = true
	if s.tmp != "" {
		s.dir.d.Remove(s.tmp)
	}
	w.release(s)
}

// abort waits for the background writes, removes the temporary files not
// committed, then the directories made for them that are still empty
// (deepest first).
func (w *writer) abort() {
	w.wait()
	for _, s := range w.pending {
		w.discard(s)
	}
	w.pending = nil
	for i := len(w.made) - 1; i >= 0; i-- {
		rel := w.made[i]
		if d, err := w.root.OpenDir(path.Dir(rel)); err == nil {
			d.RemoveDir(path.Base(rel))
			d.Close()
		}
	}
	w.made = nil
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
