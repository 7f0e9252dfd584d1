package flx

import (
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"os/user"
	"path"
	"path/filepath"
	"runtime"
	"sort"
	"strconv"
	"strings"
	"sync"
	"syscall"
	"time"

	"borgdesk/backend/shared/safefs"
)

// Restore modes.
const (
	ModeFresh   = "fresh"   // replace the snapshot's directories: files it lacks are removed
	ModeMerge   = "merge"   // update system files, keep user data already there
	ModeMigrate = "migrate" // into another user's account
)

// Actions of a restore plan.
const (
	ActCreate    = "create"
	ActOverwrite = "overwrite"
	ActUnchanged = "unchanged"
	ActKeep      = "keep (user data)"
	ActRemove    = "remove"
)

// RestoreOptions say where and how to restore.
type RestoreOptions struct {
	Root string // everything is written inside it ("/" on a server)
	Mode string // merge when empty
	// User is the account that gets the snapshot's home-relative entries
	// (public_html/…, flexpbx-config.json) and, in migrate, the files of
	// the source home; it must exist. When empty, the snapshot's account
	// or the owner of the existing FlexPBX home is taken.
	User string
	// DryRun plans and verifies, writes nothing.
	DryRun bool
	// RollbackDir keeps the rollback snapshot (ROOT/var/backups/borgdesk-flx
	// when empty).
	RollbackDir string
	// KeepExisting keeps every file already there that differs.
	KeepExisting bool
	// KeepSetuid keeps setuid and setgid bits on files that belong to
	// root (after migrate's mapping); they are dropped otherwise.
	KeepSetuid bool
	// Limits cap the snapshot's size, entries and path lengths.
	Limits   Limits
	Now      time.Time
	Progress func(done, total int, path string)
}

// Change is one file the restore touches.
type Change struct {
	Path   string `json:"path"`
	Action string `json:"action"`
	Size   int64  `json:"size"`
}

// RestoreResult is what happened (or, dry, would happen).
type RestoreResult struct {
	Meta     *Meta    `json:"meta"`
	Changes  []Change `json:"changes"`
	Rollback string   `json:"rollback,omitempty"`
	DryRun   bool     `json:"dry_run"`
	// Placeholders lists the files this restore writes that were sanitized:
	// they hold REDACTED / HASHED_PLACEHOLDER where the real values were.
	Placeholders []string `json:"placeholders,omitempty"`
	// Account is the account whose home got the home-relative entries.
	Account *Account `json:"account,omitempty"`
	// Notes say what the restore left aside and why (the snapshot's
	// notes, and default_settings not applied).
	Notes []string `json:"notes,omitempty"`
}

// Counts tallies the changes by action.
func (r *RestoreResult) Counts() map[string]int {
	c := map[string]int{}
	for _, ch := range r.Changes {
		c[ch.Action]++
	}
	return c
}

type planned struct {
	target string // path inside the root
	action string
	uid    int
	gid    int
	staged *staged // its temporary file (none in a dry run)
}

// userData is what merge keeps when it is already there.
func userData(rel string) bool {
	if strings.HasPrefix(rel, "home/") || strings.HasPrefix(rel, "root/") || strings.HasPrefix(rel, "var/lib/") || strings.HasPrefix(rel, "var/spool/") {
		return true
	}
	return hasExt(path.Base(rel), ".db", ".sqlite", ".sqlite3")
}

// Restore reads the snapshot once: each entry is checked and planned as it
// streams in and written to a temporary file beside its target (stage;
// nothing is written in a dry run). Only when every entry has passed its
// checks (any problem aborts: the temporary files and the directories made
// for them are removed, nothing is left) does it save a rollback snapshot
// of everything it will overwrite or remove, then rename each temporary
// file into place. Every write resolves its parent beneath the root and
// without following any symlink (safefs), and renames within that opened
// parent: the plan's checks are for early, clear refusals, not what keeps
// it inside.
func Restore(snapshot string, o RestoreOptions) (*RestoreResult, error) {
	if err := o.check(); err != nil {
		return nil, err
	}
	if o.Mode == "" {
		o.Mode = ModeMerge
	}
	if o.Now.IsZero() {
		o.Now = time.Now()
	}
	if o.Root == "" {
		o.Root = "/"
	}
	if err := os.MkdirAll(o.Root, 0o755); err != nil {
		return nil, err
	}
	root, err := safefs.OpenRoot(o.Root)
	if err != nil {
		return nil, err
	}
	defer root.Close()

	var mig *migration
	if o.Mode == ModeMigrate {
		if mig, err = newMigration(o.User, o.Root); err != nil {
			return nil, err
		}
	} else if o.User != "" {
		if _, err := LookupAccount(o.User); err != nil {
			return nil, err
		}
	}
	var w *writer
	if !o.DryRun {
		w = newWriter(root, o.KeepSetuid)
		w.start(max(4, 2*runtime.NumCPU()))
	}
	plan, res, err := planRestore(snapshot, root, mig, w, o)
	if err != nil || o.DryRun {
		if w != nil {
			w.abort()
		}
		return res, err
	}
	rb, err := saveRollback(root, res, o)
	if err != nil {
		w.abort()
		return nil, err
	}
	res.Rollback = rb

	// Commit: a failure here rolls back what was written.
	err = commitPlan(w, plan, o.Progress)
	if err == nil {
		err = writeSettings(w, plan)
	}
	if err != nil {
		w.abort()
		if _, rerr := Rollback(rb, o.Root); rerr != nil {
			return res, fmt.Errorf("restore failed (%v) and so did its rollback (%v): put %s back by hand with `flx restore --rollback`", err, rerr, rb)
		}
		return res, fmt.Errorf("restore failed and was rolled back: %w", err)
	}
	var notRemoved []error
	for _, c := range res.Changes {
		if c.Action == ActRemove {
			if err := removeFile(root, c.Path); err != nil {
				notRemoved = append(notRemoved, err)
			}
		}
	}
	// One flush of the whole file system instead of one per file.
	root.Syncfs()
	if len(notRemoved) > 0 {
		return res, fmt.Errorf("restored, but %d stale file(s) were left in place (undo with `flx restore --rollback --root %s %s`): %w",
			len(notRemoved), o.Root, rb, errors.Join(notRemoved...))
	}
	return res, nil
}

// commitPlan renames the staged files of the entries to create or
// overwrite into place, in the snapshot's order, and removes the others'.
func commitPlan(w *writer, pl *plan, progress func(done, total int, path string)) error {
	total, done := len(pl.entries), 0
	for i := 1; i <= pl.count; i++ {
		p, ok := pl.entries[i]
		if !ok || p.staged == nil {
			continue
		}
		if p.action != ActCreate && p.action != ActOverwrite {
			w.discard(p.staged)
			continue
		}
		if err := w.commit(p.staged); err != nil {
			return err
		}
		done++
		if progress != nil {
			progress(done, total, p.target)
		}
	}
	return nil
}

func (o *RestoreOptions) check() error {
	switch o.Mode {
	case ModeFresh, ModeMerge, "":
	case ModeMigrate:
		if o.User == "" {
			return fmt.Errorf("migrate needs the target user (-u USER)")
		}
	default:
		return fmt.Errorf("unknown mode %q: fresh, merge or migrate", o.Mode)
	}
	return nil
}

// plan is the decisions: per entry index, and the files made from the
// snapshot's default_settings and templates.
type plan struct {
	entries  map[int]planned
	count    int // the highest entry index
	settings []settingsFile
}

// planRestore reads the snapshot once: it verifies every entry, decides
// what to do with it and, with a writer, stages its content beside the
// target (nothing is renamed into place).
func planRestore(snapshot string, root *safefs.Dir, mig *migration, w *writer, o RestoreOptions) (*plan, *RestoreResult, error) {
	pl := &plan{entries: map[int]planned{}}
	res := &RestoreResult{DryRun: o.DryRun}
	dirs := map[string]bool{}
	targets := map[string]bool{}
	pc := &placer{root: root, user: o.User}
	var skipped string
	relOf := map[string]string{} // home entries: target → the path the redaction report names
	decide := func(target string, hash string, home bool, rel string) string {
		existing, err := hashFile(root, target)
		switch {
		case err != nil:
			return ActCreate
		case strings.EqualFold("sha256:"+existing, hash):
			return ActUnchanged
		case o.KeepExisting:
			return ActKeep
		case o.Mode == ModeMerge && home && homeUserData(rel):
			return ActKeep
		case o.Mode == ModeMerge && !home && userData(target):
			return ActKeep
		}
		return ActOverwrite
	}
	meta, err := walkFile(snapshot, func(m *Meta, e *Entry, content io.Reader) (func() error, error) {
		rel, _ := CleanPath(e.Path)
		target, uid, gid, err := pc.place(m, e, rel)
		if err != nil {
			return nil, err
		}
		p := planned{uid: uid, gid: gid}
		if mig != nil && !e.Home {
			target = mig.rewrite(m, rel)
			if mig.owns(target) {
				p.uid, p.gid = mig.uid, mig.gid
			}
		}
		if p.uid < 0 && e.Owner != "" {
			p.uid, p.gid = lookupOwner(e.Owner)
		}
		if err := checkTarget(root, target); err != nil {
			return nil, fmt.Errorf("%s: %w", e.name(), err)
		}
		if targets[target] {
			return nil, fmt.Errorf("%s: lands on %s, as an earlier entry does", e.name(), target)
		}
		p.target = target
		if w != nil {
			if p.staged, err = w.stageAsync(target, content, p.uid, p.gid, e); err != nil {
				return nil, err
			}
		}
		// Walk hashes the content and checks it against e.Hash before the
		// commit; compare what is there with that verified hash.
		return func() error {
			p.action = decide(target, e.Hash, e.Home, rel)
			pl.count = max(pl.count, e.Index)
			if e.Home {
				relOf[target] = rel
			}
			pl.entries[e.Index] = p
			targets[target] = true
			dirs[path.Dir(target)] = true
			res.Changes = append(res.Changes, Change{Path: target, Action: p.action, Size: e.Size})
			return nil
		}, nil
	}, o.Limits)
	if w != nil {
		if werr := w.wait(); err == nil {
			err = werr
		}
	}
	if err == nil {
		pl.settings, err = planSettings(meta, pc, root, targets, func(target string, f *settingsFile) {
			f.action = decide(target, f.hash(), true, f.rel)
			res.Changes = append(res.Changes, Change{Path: target, Action: f.action, Size: int64(len(f.content))})
		}, &skipped)
		if skipped != "" {
			res.Notes = append(res.Notes, skipped)
		}
	}
	if err != nil {
		return nil, nil, fmt.Errorf("%s: %w; nothing was written", snapshot, err)
	}
	res.Meta = meta
	res.Account = pc.account
	res.Notes = append(meta.Notes, res.Notes...)
	if o.Mode == ModeFresh {
		res.Changes = append(res.Changes, stale(root, dirs, targets, w.isTemp)...)
	}
	sort.SliceStable(res.Changes, func(i, j int) bool { return res.Changes[i].Path < res.Changes[j].Path })
	res.Placeholders = placeholders(meta, res.Changes, relOf)
	return pl, res, nil
}

// stale lists the regular files in the snapshot's directories that it
// does not have (fresh removes them), except this restore's own
// temporary files.
func stale(root *safefs.Dir, dirs, targets map[string]bool, ours func(string) bool) []Change {
	var out []Change
	for dir := range dirs {
		d, err := root.OpenDir(dir)
		if err != nil {
			continue
		}
		entries, _ := d.ReadDir()
		d.Close()
		for _, de := range entries {
			p := path.Join(dir, de.Name())
			if de.Type().IsRegular() && !targets[p] && !ours(p) {
				out = append(out, Change{Path: p, Action: ActRemove})
			}
		}
	}
	return out
}

// placeholders lists the files written that were sanitized.
func placeholders(meta *Meta, changes []Change, relOf map[string]string) []string {
	redacted := map[string]bool{}
	for _, r := range meta.Redactions {
		if !strings.HasPrefix(r.Rule, "excluded") {
			if rel, err := CleanPath(r.File); err == nil {
				redacted[rel] = true
			}
		}
	}
	var out []string
	for _, c := range changes {
		if (c.Action == ActCreate || c.Action == ActOverwrite) && (redacted[c.Path] || redacted[relOf[c.Path]]) {
			out = append(out, c.Path)
		}
	}
	return out
}

// saveRollback writes the rollback point: everything that will be
// overwritten or removed, and user data kept (saved aside), plus the list
// of files created. Its reads go through the root, never through a link.
func saveRollback(root *safefs.Dir, res *RestoreResult, o RestoreOptions) (string, error) {
	var save []File
	var created []string
	for _, c := range res.Changes {
		switch c.Action {
		case ActOverwrite, ActRemove, ActKeep:
			f, err := root.Open(c.Path)
			if err != nil {
				return "", fmt.Errorf("saving %s for the rollback: %w; nothing was restored", c.Path, err)
			}
			info, err := f.Stat()
			f.Close()
			if err != nil {
				return "", fmt.Errorf("saving %s for the rollback: %w; nothing was restored", c.Path, err)
			}
			rel := c.Path
			save = append(save, File{Rel: rel, Abs: filepath.Join(o.Root, filepath.FromSlash(rel)), Info: info,
				Open: func() (io.ReadCloser, error) { return root.Open(rel) }})
		case ActCreate:
			created = append(created, c.Path)
		}
	}
	rbDir := o.RollbackDir
	if rbDir == "" {
		// Made through the root, so a symlink there cannot lead it outside.
		d, err := root.MkdirAll("var/backups/borgdesk-flx", 0o700)
		if err != nil {
			return "", fmt.Errorf("the rollback directory var/backups/borgdesk-flx under %s: %w; nothing was restored", o.Root, err)
		}
		d.Close()
		rbDir = filepath.Join(o.Root, "var", "backups", "borgdesk-flx")
	}
	rb, _, err := Create(rbDir, "rollback", true, save, Options{KeepSecrets: true, Producer: "borgdesk restore", Now: o.Now,
		SourceRoot: o.Root, RollbackCreated: created, Includes: map[string]bool{"rollback": true}})
	if err != nil {
		return "", fmt.Errorf("writing the rollback snapshot in %s: %w; nothing was restored", rbDir, err)
	}
	os.Remove(filepath.Join(rbDir, LatestName(TypeSystem, true)))
	return rb, nil
}

func walkFile(name string, fn FileFunc, lim Limits) (*Meta, error) {
	return WalkFile(name, fn, lim)
}

// checkTarget refuses early, with a clear sentence, a target whose parents
// or itself are symlinks or not what they should be. It is advice for the
// plan: the writes resolve again and never follow a link whatever it said.
func checkTarget(root *safefs.Dir, target string) error {
	base := path.Base(target)
	d, err := root.OpenDir(path.Dir(target))
	switch {
	case errors.Is(err, fs.ErrNotExist):
		return nil
	case errors.Is(err, safefs.ErrSymlink):
		return fmt.Errorf("%s: a symlink is on the way in the target: refusing to write through it", target)
	case errors.Is(err, syscall.ENOTDIR):
		return fmt.Errorf("%s: a parent is not a directory in the target", target)
	case err != nil:
		return err
	}
	defer d.Close()
	fi, err := d.Lstat(base)
	switch {
	case errors.Is(err, fs.ErrNotExist):
		return nil
	case err != nil:
		return err
	case fi.Mode()&fs.ModeSymlink != 0:
		return fmt.Errorf("%s is a symlink in the target: refusing to write through it", target)
	case !fi.Mode().IsRegular():
		return fmt.Errorf("%s exists and is not a regular file", target)
	}
	return nil
}

func hashFile(root *safefs.Dir, name string) (string, error) {
	f, err := root.Open(name)
	if err != nil {
		return "", err
	}
	defer f.Close()
	h := sha256.New()
	if _, err := io.Copy(h, f); err != nil {
		return "", err
	}
	return hex.EncodeToString(h.Sum(nil)), nil
}

var ownerCache sync.Map // owner name → [2]int

func lookupOwner(owner string) (int, int) {
	if v, ok := ownerCache.Load(owner); ok {
		ids := v.([2]int)
		return ids[0], ids[1]
	}
	uid, gid := lookupOwnerSlow(owner)
	ownerCache.Store(owner, [2]int{uid, gid})
	return uid, gid
}

func lookupOwnerSlow(owner string) (int, int) {
	u, err := user.Lookup(owner)
	if err != nil {
		if n, err := strconv.Atoi(owner); err == nil {
			return n, n
		}
		return -1, -1
	}
	uid, _ := strconv.Atoi(u.Uid)
	gid, _ := strconv.Atoi(u.Gid)
	return uid, gid
}

// Rollback puts back a restore's rollback snapshot: the files it saved are
// written again (through the root, like any restore; setuid and setgid
// kept on root's files, since they were there before) and the files the
// restore created are removed. Like a restore it reads the snapshot once,
// staging every file, and renames them into place only when all of them
// passed their checks.
func Rollback(snapshot, rootDir string) (*Meta, error) {
	root, err := safefs.OpenRoot(rootDir)
	if err != nil {
		return nil, err
	}
	defer root.Close()
	w := newWriter(root, true)
	var staged []*staged
	m, err := walkFile(snapshot, func(m *Meta, e *Entry, content io.Reader) (func() error, error) {
		rel, _ := CleanPath(e.Path)
		uid, gid := -1, -1
		if e.Owner != "" {
			uid, gid = lookupOwner(e.Owner)
		}
		s, err := w.stage(rel, content, uid, gid, e)
		if err != nil {
			return nil, err
		}
		return func() error { staged = append(staged, s); return nil }, nil
	}, Limits{})
	if err != nil {
		w.abort()
		return nil, fmt.Errorf("%s: %w; nothing was written", snapshot, err)
	}
	for _, s := range staged {
		if err := w.commit(s); err != nil {
			w.abort()
			return nil, err
		}
	}
	var errs []error
	for _, p := range m.RollbackCreated {
		if rel, err := CleanPath(p); err == nil {
			if err := removeFile(root, rel); err != nil && !errors.Is(err, fs.ErrNotExist) {
				errs = append(errs, err)
			}
		}
	}
	if len(errs) > 0 {
		return m, fmt.Errorf("rolled back, but files the restore created are still there: %w", errors.Join(errs...))
	}
	return m, nil
}

// migration rewrites paths under the source home into the target user's.
type migration struct {
	uid, gid int
	home     string // relative to the root, e.g. home/bob
}

func newMigration(name, rootDir string) (*migration, error) {
	u, err := user.Lookup(name)
	if err != nil {
		return nil, fmt.Errorf("user %q does not exist on this system: create it first (useradd %s) or choose another", name, name)
	}
	uid, _ := strconv.Atoi(u.Uid)
	gid, _ := strconv.Atoi(u.Gid)
	home := strings.TrimLeft(u.HomeDir, "/")
	if home == "" {
		return nil, fmt.Errorf("user %s has no home directory", name)
	}
	return &migration{uid: uid, gid: gid, home: home}, nil
}

// sourceHome is the snapshot's home: its source_home, else the common
// home/<user> of its entries.
func (g *migration) rewrite(m *Meta, rel string) string {
	src := strings.Trim(m.SourceHome, "/")
	if src == "" {
		parts := strings.SplitN(rel, "/", 3)
		if len(parts) == 3 && parts[0] == "home" {
			src = "home/" + parts[1]
		}
	}
	if src != "" && (rel == src || strings.HasPrefix(rel, src+"/")) {
		return g.home + strings.TrimPrefix(rel, src)
	}
	return rel
}

func (g *migration) owns(target string) bool {
	return target == g.home || strings.HasPrefix(target, g.home+"/")
}
