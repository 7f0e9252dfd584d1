package recoverykit

import (
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"path"
	"path/filepath"
	"strings"
	"syscall"

	"borgdesk/backend/datadir"
	"borgdesk/backend/diskspace"
	"borgdesk/backend/shared/flx"
	"borgdesk/backend/shared/units"
	"borgdesk/backend/store"
)

// stagePrefix names the folder an import writes into before it moves the
// files into place. It lives inside the target, so it is on the same file
// system (the moves are renames) and writable whenever the target is.
const stagePrefix = datadir.KitImportPrefix

// ImportOptions say which kit goes into which data dir.
type ImportOptions struct {
	Kit        string
	DataDir    string
	Passphrase string
	// Prepare, when set, runs on the staged database before the files
	// move into place (the coordinator records the kit there); its failure
	// fails the import.
	Prepare func(ctx context.Context, db string, m *Manifest) error
	// writeLimit, in tests, makes writes fail with ENOSPC after this many
	// bytes, as a full disk does.
	writeLimit int64
}

// Imported is the result of an import.
type Imported struct {
	DataDir  string    `json:"data_dir"`
	Manifest *Manifest `json:"manifest"`
	Files    []Entry   `json:"files"`
	Warnings []string  `json:"warnings,omitempty"`
}

// Import restores a kit into an empty data dir, with no coordinator
// running: it takes the data dir's lock, decrypts the kit, writes every
// file (with its mode) into a folder beside the final places while each
// hash is checked, checks the database, and only then moves the files into
// place. Any failure removes what it wrote; a data dir that holds anything
// is refused untouched.
func Import(ctx context.Context, o ImportOptions) (res *Imported, err error) {
	if o.DataDir == "" {
		return nil, errors.New("recovery kit: no data dir to import into; pass --data DIR")
	}
	dir, err := filepath.Abs(o.DataDir)
	if err != nil {
		return nil, err
	}
	existed := true
	if fi, err := os.Stat(dir); errors.Is(err, os.ErrNotExist) {
		existed = false
	} else if err != nil {
		return nil, fmt.Errorf("recovery kit: data dir %s: %w", dir, err)
	} else if !fi.IsDir() {
		return nil, fmt.Errorf("%w: %s is a file, not a directory; choose another data dir with --data", ErrTargetNotEmpty, dir)
	}
	if err := checkEmpty(dir); err != nil {
		return nil, err
	}
	// The passphrase, the header and the kit's end are checked before the
	// target is touched.
	kit, err := open(o.Kit, o.Passphrase)
	if err != nil {
		return nil, err
	}
	defer kit.Close()

	lockFile := filepath.Join(dir, datadir.LockFile)
	_, lockErr := os.Stat(lockFile)
	lockExisted := lockErr == nil
	if err := datadir.Prepare(dir); err != nil {
		return nil, err
	}
	lock, err := datadir.Acquire(dir)
	if err != nil {
		if !existed {
			os.Remove(dir)
		}
		return nil, err
	}
	var stage string
	defer func() {
		if stage != "" {
			os.RemoveAll(stage)
		}
		if err != nil {
			if !lockExisted {
				os.Remove(lockFile)
			}
			if !existed {
				os.Remove(dir)
			}
		}
		lock.Release()
	}()
	if err := checkEmpty(dir); err != nil { // someone was quicker
		return nil, err
	}
	removeStale(dir)
	if stage, err = os.MkdirTemp(dir, stagePrefix+"*"); err != nil {
		return nil, fmt.Errorf("recovery kit: %w", err)
	}
	root, err := os.OpenRoot(stage)
	if err != nil {
		return nil, err
	}
	defer root.Close()
	w := &writer{ctx: ctx, root: root, dir: dir, left: o.writeLimit}
	man, entries, err := kit.walk(o.Kit, w.checkSpace, w.write)
	if err != nil {
		return nil, err
	}
	if err := checkDatabase(ctx, filepath.Join(stage, DatabaseFile), man); err != nil {
		return nil, err
	}
	if o.Prepare != nil {
		if err := o.Prepare(ctx, filepath.Join(stage, DatabaseFile), man); err != nil {
			return nil, fmt.Errorf("recovery kit: %w; nothing was kept", err)
		}
	}
	if err := moveInto(stage, dir); err != nil {
		return nil, err
	}
	res = &Imported{DataDir: dir, Manifest: man, Files: entries}
	if man.DataDir != "" && filepath.Clean(man.DataDir) != dir {
		res.Warnings = append(res.Warnings, fmt.Sprintf("the kit comes from the data dir %s and was imported into %s: agents address repositories kept in the data dir by its path, and their borg refuses one whose address changed; import into %s (or move this one there) if the repositories lived in the old data dir", man.DataDir, dir, man.DataDir))
	}
	return res, nil
}

// checkEmpty refuses a data dir with anything in it but a lock file or the
// leftovers of an interrupted import.
func checkEmpty(dir string) error {
	entries, err := os.ReadDir(dir)
	if errors.Is(err, os.ErrNotExist) {
		return nil
	}
	if err != nil {
		return fmt.Errorf("recovery kit: read %s: %w", dir, err)
	}
	var names []string
	for _, e := range entries {
		if e.Name() == datadir.LockFile || strings.HasPrefix(e.Name(), stagePrefix) {
			continue
		}
		names = append(names, e.Name())
	}
	if len(names) == 0 {
		return nil
	}
	shown := names
	if len(shown) > 4 {
		shown = append(shown[:4:4], "…")
	}
	return fmt.Errorf("%w: %s already holds %s; a kit is imported only into an empty data dir, so nothing is overwritten: choose a new directory with --data, or move this one aside first", ErrTargetNotEmpty, dir, strings.Join(shown, ", "))
}

// removeStale deletes what an import killed half-way left (the lock is held).
func removeStale(dir string) {
	old, _ := filepath.Glob(filepath.Join(dir, stagePrefix+"*"))
	for _, p := range old {
		os.RemoveAll(p)
	}
}

// writer writes a kit's files into the staging folder.
type writer struct {
	ctx  context.Context
	root *os.Root
	dir  string
	left int64 // tests: bytes before a simulated full disk (0: no limit)
}

// checkSpace refuses, before the first byte, a disk without room for the kit.
func (w *writer) checkSpace(m *Manifest) error {
	u, err := diskspace.Of(w.dir)
	if err != nil {
		return nil // no figure: the writes will tell
	}
	free := int64(u.Avail)
	if need := m.Bytes + 1<<20; free < need {
		return noSpace(w.dir, need)
	}
	return nil
}

func (w *writer) write(_ *Manifest, rel string, e *flx.Entry, content io.Reader) error {
	if err := w.ctx.Err(); err != nil {
		return err
	}
	if d := path.Dir(rel); d != "." {
		if err := w.root.MkdirAll(d, 0o700); err != nil {
			return w.fail(rel, err)
		}
	}
	f, err := w.root.OpenFile(rel, os.O_WRONLY|os.O_CREATE|os.O_EXCL, 0o600)
	if err != nil {
		return w.fail(rel, err)
	}
	var dst io.Writer = f
	if w.left > 0 {
		dst = &limitWriter{w: f, left: &w.left}
	}
	_, err = io.Copy(dst, content)
	if err == nil {
		err = f.Chmod(e.Perm())
	}
	if err == nil {
		err = f.Sync()
	}
	if cerr := f.Close(); err == nil {
		err = cerr
	}
	if err != nil {
		return w.fail(rel, err)
	}
	return nil
}

func (w *writer) fail(rel string, err error) error {
	if errors.Is(err, ErrDamaged) {
		return err
	}
	if errors.Is(err, syscall.ENOSPC) || errors.Is(err, syscall.EDQUOT) {
		return fmt.Errorf("%w: the disk of %s filled up while writing %s; free space there (or choose a directory on another disk with --data) and import again; nothing was kept", ErrNoSpace, w.dir, rel)
	}
	return fmt.Errorf("recovery kit: write %s into %s: %w; nothing was kept", rel, w.dir, err)
}

func noSpace(dir string, need int64) error {
	return fmt.Errorf("%w: the kit needs %s and the disk of %s has less free; free space there (or choose a directory on another disk with --data) and import again; nothing was written", ErrNoSpace, units.Bytes(need), dir)
}

// limitWriter fails with ENOSPC once its budget is spent.
type limitWriter struct {
	w    io.Writer
	left *int64
}

func (l *limitWriter) Write(p []byte) (int, error) {
	if int64(len(p)) > *l.left {
		n, _ := l.w.Write(p[:*l.left])
		*l.left = 0
		return n, &os.PathError{Op: "write", Path: "kit", Err: syscall.ENOSPC}
	}
	*l.left -= int64(len(p))
	return l.w.Write(p)
}

// checkDatabase opens the kit's database read-only: healthy, and of a
// schema this build knows.
func checkDatabase(ctx context.Context, db string, m *Manifest) error {
	schema, err := store.VerifyFile(ctx, db)
	// A read-only open may leave empty WAL side files; they are not the kit's.
	os.Remove(db + "-wal")
	os.Remove(db + "-shm")
	switch {
	case errors.Is(err, store.ErrNewerSchema):
		return fmt.Errorf("%w: its database was written by Borgdesk %s (schema %d) and this Borgdesk knows schemas up to %d; upgrade Borgdesk first, then import it", ErrNewerKit, m.Version, schema, store.LatestSchema())
	case errors.Is(err, store.ErrCorrupt):
		return fmt.Errorf("%w: its database does not open as a Borgdesk database; use another copy of the kit", ErrDamaged)
	case err != nil:
		return fmt.Errorf("%w: its database does not open (%v); use another copy of the kit", ErrDamaged, err)
	}
	return nil
}

// moveInto renames every top-level entry of stage into dir; if one fails,
// the ones already moved go back.
func moveInto(stage, dir string) error {
	entries, err := os.ReadDir(stage)
	if err != nil {
		return err
	}
	var moved []string
	for _, e := range entries {
		if err := os.Rename(filepath.Join(stage, e.Name()), filepath.Join(dir, e.Name())); err != nil {
			for _, m := range moved {
				os.Rename(filepath.Join(dir, m), filepath.Join(stage, m))
			}
			return fmt.Errorf("recovery kit: move %s into %s: %w; nothing was kept", e.Name(), dir, err)
		}
		moved = append(moved, e.Name())
	}
	if d, err := os.Open(dir); err == nil {
		d.Sync()
		d.Close()
	}
	return nil
}
