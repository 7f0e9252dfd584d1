package flx

import (
	"crypto/rand"
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
	"sort"
	"strconv"
	"strings"
	"sync"
	"time"

	"golang.org/x/sys/unix"
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
	User string // migrate: the target account, which must exist
	// DryRun plans and verifies, writes nothing.
	DryRun bool
	// RollbackDir keeps the rollback snapshot (ROOT/var/backups/borgdesk-flx
	// when empty).
	RollbackDir string
	// KeepExisting keeps every file already there that differs.
	KeepExisting bool
	Now          time.Time
	Progress     func(done, total int, path string)
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
}

// userData is what merge keeps when it is already there.
func userData(rel string) bool {
	if strings.HasPrefix(rel, "home/") || strings.HasPrefix(rel, "root/") || strings.HasPrefix(rel, "var/lib/") || strings.HasPrefix(rel, "var/spool/") {
		return true
	}
	return hasExt(path.Base(rel), ".db", ".sqlite", ".sqlite3")
}

// Restore verifies the whole snapshot first (every hash; any problem
// aborts with nothing written), saves a rollback snapshot of everything it
// will overwrite or remove, then writes each file through a temporary name
// inside the root. os.Root confines every write: absolute paths, ".." and
// symlinks pointing out are refused.
func Restore(snapshot string, o RestoreOptions) (*RestoreResult, error) {
	if o.Mode == "" {
		o.Mode = ModeMerge
	}
	if o.Now.IsZero() {
		o.Now = time.Now()
	}
	switch o.Mode {
	case ModeFresh, ModeMerge:
		if o.User != "" {
			return nil, fmt.Errorf("-u names a user for migrate only")
		}
	case ModeMigrate:
		if o.User == "" {
			return nil, fmt.Errorf("migrate needs the target user (-u USER)")
		}
	default:
		return nil, fmt.Errorf("unknown mode %q: fresh, merge or migrate", o.Mode)
	}
	if o.Root == "" {
		o.Root = "/"
	}
	if err := os.MkdirAll(o.Root, 0o755); err != nil {
		return nil, err
	}
	root, err := os.OpenRoot(o.Root)
	if err != nil {
		return nil, err
	}
	defer root.Close()

	var mig *migration
	if o.Mode == ModeMigrate {
		if mig, err = newMigration(o.User, o.Root); err != nil {
			return nil, err
		}
	}

	// Pass 1: verify and plan; nothing is written.
	plan := map[int]planned{}
	res := &RestoreResult{DryRun: o.DryRun}
	dirs := map[string]bool{}
	targets := map[string]bool{}
	meta, err := walkFile(snapshot, func(m *Meta, e *Entry, content io.Reader) (func() error, error) {
		rel, _ := CleanPath(e.Path)
		target := rel
		p := planned{uid: -1, gid: -1}
		if mig != nil {
			target = mig.rewrite(m, rel)
			if mig.owns(target) {
				p.uid, p.gid = mig.uid, mig.gid
			}
		}
		if err := safeTarget(root, target); err != nil {
			return nil, fmt.Errorf("%s: %w", e.name(), err)
		}
		p.target = target
		// Walk hashes the content and checks it against e.Hash before the
		// commit; compare what is there with that verified hash.
		return func() error {
			existing, err := hashFile(root, target)
			switch {
			case err != nil:
				p.action = ActCreate
			case strings.EqualFold("sha256:"+existing, e.Hash):
				p.action = ActUnchanged
			case o.KeepExisting || (o.Mode == ModeMerge && userData(target)):
				p.action = ActKeep
			default:
				p.action = ActOverwrite
			}
			plan[e.Index] = p
			targets[target] = true
			dirs[path.Dir(target)] = true
			res.Changes = append(res.Changes, Change{Path: target, Action: p.action, Size: e.Size})
			return nil
		}, nil
	})
	if err != nil {
		return nil, fmt.Errorf("%s: %w; nothing was written", snapshot, err)
	}
	res.Meta = meta
	if o.Mode == ModeFresh {
		for dir := range dirs {
			entries, err := fs.ReadDir(root.FS(), dir)
			if err != nil {
				continue
			}
			for _, de := range entries {
				p := path.Join(dir, de.Name())
				if de.Type().IsRegular() && !targets[p] {
					res.Changes = append(res.Changes, Change{Path: p, Action: ActRemove})
				}
			}
		}
	}
	sort.SliceStable(res.Changes, func(i, j int) bool { return res.Changes[i].Path < res.Changes[j].Path })
	redacted := map[string]bool{}
	for _, r := range meta.Redactions {
		if !strings.HasPrefix(r.Rule, "excluded") {
			if rel, err := CleanPath(r.File); err == nil {
				redacted[rel] = true
			}
		}
	}
	for i := range res.Changes {
		c := res.Changes[i]
		if (c.Action == ActCreate || c.Action == ActOverwrite) && redacted[c.Path] {
			res.Placeholders = append(res.Placeholders, c.Path)
		}
	}
	if o.DryRun {
		return res, nil
	}

	// The rollback point: everything that will be overwritten or removed,
	// and user data kept (saved aside), plus the list of files created.
	var save []File
	var created []string
	for _, c := range res.Changes {
		switch c.Action {
		case ActOverwrite, ActRemove, ActKeep:
			info, err := root.Lstat(c.Path)
			if err != nil {
				return nil, err
			}
			save = append(save, File{Rel: c.Path, Abs: filepath.Join(o.Root, filepath.FromSlash(c.Path)), Info: info})
		case ActCreate:
			created = append(created, c.Path)
		}
	}
	rbDir := o.RollbackDir
	if rbDir == "" {
		// Made through the root, so a symlink there cannot lead it outside.
		if err := root.MkdirAll("var/backups/borgdesk-flx", 0o700); err != nil {
			return nil, fmt.Errorf("the rollback directory var/backups/borgdesk-flx under %s: %w; nothing was restored", o.Root, err)
		}
		rbDir = filepath.Join(o.Root, "var", "backups", "borgdesk-flx")
	}
	rb, _, err := Create(rbDir, "rollback", true, save, Options{KeepSecrets: true, Producer: "borgdesk restore", Now: o.Now,
		SourceRoot: o.Root, RollbackCreated: created, Includes: map[string]bool{"rollback": true}})
	if err != nil {
		return nil, fmt.Errorf("writing the rollback snapshot in %s: %w; nothing was restored", rbDir, err)
	}
	os.Remove(filepath.Join(rbDir, "latest.flx"))
	res.Rollback = rb

	// Pass 2: write. A failure here rolls back what was written.
	total, done := len(plan), 0
	_, err = walkFile(snapshot, func(m *Meta, e *Entry, content io.Reader) (func() error, error) {
		p := plan[e.Index]
		if p.action != ActCreate && p.action != ActOverwrite {
			return nil, nil
		}
		tmp, err := writeTemp(root, p.target, e.Perm(), content)
		if err != nil {
			return nil, fmt.Errorf("%s: %w", p.target, err)
		}
		perm, mtime, owner := e.Perm(), e.Mtime, e.Owner
		return func() error {
			if err := root.Rename(tmp, p.target); err != nil {
				root.Remove(tmp)
				return err
			}
			root.Chmod(p.target, perm)
			uid, gid := p.uid, p.gid
			if uid < 0 && owner != "" {
				uid, gid = lookupOwner(owner)
			}
			if uid >= 0 {
				root.Chown(p.target, uid, gid)
			}
			if t, err := time.Parse(time.RFC3339, mtime); err == nil {
				root.Chtimes(p.target, t, t)
			}
			done++
			if o.Progress != nil {
				o.Progress(done, total, p.target)
			}
			return nil
		}, nil
	})
	if err != nil {
		cleanTemps(root, targets)
		if _, rerr := Rollback(rb, o.Root); rerr != nil {
			return res, fmt.Errorf("restore failed (%v) and so did its rollback (%v): put %s back by hand with `flx restore --rollback`", err, rerr, rb)
		}
		return res, fmt.Errorf("restore failed and was rolled back: %w", err)
	}
	for _, c := range res.Changes {
		if c.Action == ActRemove {
			root.Remove(c.Path)
		}
	}
	// One flush of the whole file system instead of one per file.
	if d, err := root.Open("."); err == nil {
		unix.Syncfs(int(d.Fd()))
		d.Close()
	}
	return res, nil
}

func walkFile(name string, fn FileFunc) (*Meta, error) {
	f, err := Open(name)
	if err != nil {
		return nil, err
	}
	defer f.Close()
	return Walk(f, fn)
}

// safeTarget refuses a target whose parents or itself are symlinks (within
// the root or not) or that os.Root finds escaping.
func safeTarget(root *os.Root, target string) error {
	parts := strings.Split(target, "/")
	for i := 1; i <= len(parts); i++ {
		p := strings.Join(parts[:i], "/")
		fi, err := root.Lstat(p)
		if errors.Is(err, fs.ErrNotExist) {
			return nil
		}
		if err != nil {
			return fmt.Errorf("%s: %v", p, err)
		}
		if fi.Mode()&fs.ModeSymlink != 0 {
			return fmt.Errorf("%s is a symlink in the target: refusing to write through it", p)
		}
		if i < len(parts) && !fi.IsDir() {
			return fmt.Errorf("%s is not a directory in the target", p)
		}
		if i == len(parts) && !fi.Mode().IsRegular() {
			return fmt.Errorf("%s exists and is not a regular file", p)
		}
	}
	return nil
}

func hashFile(root *os.Root, name string) (string, error) {
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

func writeTemp(root *os.Root, target string, perm os.FileMode, content io.Reader) (string, error) {
	if err := root.MkdirAll(path.Dir(target), 0o755); err != nil {
		return "", err
	}
	rnd := make([]byte, 6)
	rand.Read(rnd)
	tmp := path.Join(path.Dir(target), ".flx-restore-"+hex.EncodeToString(rnd))
	f, err := root.OpenFile(tmp, os.O_CREATE|os.O_EXCL|os.O_WRONLY, 0o600)
	if err != nil {
		return "", err
	}
	_, err = io.Copy(f, content)
	if cerr := f.Close(); err == nil {
		err = cerr
	}
	if err != nil {
		root.Remove(tmp)
		return "", err
	}
	return tmp, nil
}

func cleanTemps(root *os.Root, targets map[string]bool) {
	dirs := map[string]bool{}
	for t := range targets {
		dirs[path.Dir(t)] = true
	}
	for d := range dirs {
		entries, _ := fs.ReadDir(root.FS(), d)
		for _, de := range entries {
			if strings.HasPrefix(de.Name(), ".flx-restore-") {
				root.Remove(path.Join(d, de.Name()))
			}
		}
	}
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
// written again and the files the restore created are removed.
func Rollback(snapshot, rootDir string) (*Meta, error) {
	root, err := os.OpenRoot(rootDir)
	if err != nil {
		return nil, err
	}
	defer root.Close()
	// Verify first, like any restore.
	if _, err := walkFile(snapshot, nil); err != nil {
		return nil, fmt.Errorf("%s: %w; nothing was written", snapshot, err)
	}
	m, err := walkFile(snapshot, func(m *Meta, e *Entry, content io.Reader) (func() error, error) {
		rel, _ := CleanPath(e.Path)
		if err := safeTarget(root, rel); err != nil {
			return nil, err
		}
		tmp, err := writeTemp(root, rel, e.Perm(), content)
		if err != nil {
			return nil, err
		}
		perm, owner, mtime := e.Perm(), e.Owner, e.Mtime
		return func() error {
			if err := root.Rename(tmp, rel); err != nil {
				return err
			}
			root.Chmod(rel, perm)
			if uid, gid := lookupOwner(owner); uid >= 0 && owner != "" {
				root.Chown(rel, uid, gid)
			}
			if t, err := time.Parse(time.RFC3339, mtime); err == nil {
				root.Chtimes(rel, t, t)
			}
			return nil
		}, nil
	})
	if err != nil {
		return nil, err
	}
	for _, p := range m.RollbackCreated {
		if rel, err := CleanPath(p); err == nil {
			root.Remove(rel)
		}
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
