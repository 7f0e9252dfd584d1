package replicate

import (
	"context"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"time"

	"borgdesk/backend/shared/borg"
)

// preCopyAbove is how much a replica must lack before the bulk is copied
// without the lock first; below it, one locked pass is quicker.
const preCopyAbove = 64 << 20

// Replicator copies repositories to targets.
type Replicator struct {
	// Borg holds the repository's lock and lists its archives.
	Borg   *borg.Borg
	Rclone *Rclone
	Now    func() time.Time
	// Trace, when set, hears how long each step took (benchmarks).
	Trace func(step string, d time.Duration)
	// PreCopyAbove overrides preCopyAbove (tests).
	PreCopyAbove int64
}

// step times fn for Trace.
func (r *Replicator) step(name string, fn func() error) error {
	start := time.Now()
	err := fn()
	if r.Trace != nil {
		r.Trace(name, time.Since(start))
	}
	return err
}

// Result is one successful replication.
type Result struct {
	// Archives are the archives in the source while its lock was held,
	// which are exactly the archives of the replica now.
	Archives []string `json:"archives"`
	// Files and Bytes are the replica's size.
	Files int   `json:"files"`
	Bytes int64 `json:"bytes"`
	// Copied files and Transferred bytes in this run; Deleted files.
	Copied      int   `json:"copied"`
	Transferred int64 `json:"transferred"`
	Deleted     int   `json:"deleted"`
	// Duration is the whole run, LockHeld the part with the lock held.
	Duration time.Duration `json:"duration"`
	LockHeld time.Duration `json:"lock_held"`
	// Verified says what rclone check compared, e.g. "sizes of 24 files,
	// MD5 of the 6 copied".
	Verified string `json:"verified"`

	copiedNames []string
}

// Replicate copies repository repo to the target as <target>/<name> and
// verifies the copy with rclone check.
//
// The order keeps the previous replica usable if anything fails: first
// the new segment files are copied without the lock (the bulk of a first
// replication, while backups go on); then, with the repository's lock
// held, every file except borg's index.N, then a sync that lands index.N
// last and only then deletes what the source no longer has. Borg opens a
// repository at its newest index, so until that last step the replica
// still opens at its previous state. If a copy fails, the files it added
// are deleted again, and the replica is what it was.
func (r *Replicator) Replicate(ctx context.Context, repo borg.Repo, name string, t Target) (Result, error) {
	now := time.Now
	if r.Now != nil {
		now = r.Now
	}
	start := now()
	if err := t.Validate(); err != nil {
		return Result{}, err
	}
	if fi, err := os.Stat(filepath.Join(repo.Location, "config")); err != nil || !fi.Mode().IsRegular() {
		return Result{}, &Error{Kind: ErrSourceMissing, Msg: fmt.Sprintf("there is no repository at %s to replicate (no backup yet?)", repo.Location)}
	}
	s, err := r.Rclone.open(t)
	if err != nil {
		return Result{}, err
	}
	defer s.close()
	s.trace = r.Trace
	dst := t.remotePath(remote, name)
	before, err := s.list(ctx, dst)
	if err != nil {
		return Result{}, r.explain(ctx, s, t, err, -1)
	}
	need, err := missingBytes(repo.Location, before)
	if err != nil {
		return Result{}, err
	}
	var res Result
	// The bulk, without the lock (segment files never change once
	// written), when there is enough of it to keep backups waiting.
	above := int64(preCopyAbove)
	if r.PreCopyAbove > 0 {
		above = r.PreCopyAbove
	}
	if need > above {
		pre, err := s.run(ctx, append([]string{"copy", filepath.Join(repo.Location, "data"), dst + "/data"}, s.copyFlags()...)...)
		res.add(pre, "data/")
		// A segment compacted away while it was read is no reason to
		// stop: the locked pass copies what is there. Anything else is.
		if err != nil {
			if why := r.explain(ctx, s, t, err, need); Reason(why) != "error" {
				return Result{}, r.rollback(ctx, s, dst, before, why)
			}
		}
	}
	var held *borg.Held
	err = r.step("borg with-lock (lock taken)", func() (err error) { held, err = r.Borg.HoldLock(ctx, repo); return err })
	if err != nil {
		return Result{}, &Error{Kind: ErrLocked, Msg: "could not take the repository's lock to copy it: " + err.Error()}
	}
	defer held.Release()
	locked := now()
	// The archives the replica will hold, listed while the copy runs (both
	// only read the locked repository).
	listed := make(chan listing, 1)
	go func() {
		start := time.Now()
		archives, err := r.Borg.Reader().List(ctx, repo)
		listed <- listing{archives, err, time.Since(start)}
	}()
	body, err := s.run(ctx, append(append([]string{"copy", repo.Location, dst, "--exclude", "/index.*"}, lockFiles...), s.copyFlags()...)...)
	res.add(body, "")
	if err != nil {
		return Result{}, r.rollback(ctx, s, dst, before, r.explain(ctx, s, t, err, need))
	}
	final, err := s.run(ctx, append(append([]string{"sync", repo.Location, dst}, lockFiles...), s.copyFlags()...)...)
	res.add(final, "")
	res.Deleted = final.stats().Deletes
	if err != nil {
		return Result{}, r.explain(ctx, s, t, err, need)
	}
	l := <-listed
	if r.Trace != nil {
		r.Trace("borg list (beside the copy)", l.took)
	}
	if l.err != nil {
		return Result{}, fmt.Errorf("list the archives of the source: %w", l.err)
	}
	for _, a := range l.archives {
		res.Archives = append(res.Archives, a.Name)
	}
	if err := r.verify(ctx, s, repo.Location, dst, &res, len(before) == 0); err != nil {
		return Result{}, err
	}
	res.LockHeld = now().Sub(locked)
	if err := r.step("borg with-lock (lock released)", held.Release); err != nil {
		return Result{}, fmt.Errorf("release the repository's lock: %w", err)
	}
	res.Duration = now().Sub(start)
	return res, nil
}

type listing struct {
	archives []borg.Archive
	err      error
	took     time.Duration
}

// add counts what one copy wrote; dir is where it copied to, relative to
// the repository.
func (res *Result) add(o output, dir string) {
	st := o.stats()
	res.Transferred += st.Bytes
	for _, c := range o.copied() {
		if c = dir + c; !slices.Contains(res.copiedNames, c) {
			res.copiedNames = append(res.copiedNames, c)
		}
	}
	res.Copied = len(res.copiedNames)
}

// verify runs rclone check: sizes of every file, and the hashes of the
// files copied in this run (of every file after a first copy) where the
// target computes a hash the local disk can compute too.
func (r *Replicator) verify(ctx context.Context, s *session, src, dst string, res *Result, first bool) error {
	files, bytes, err := sourceSize(src)
	if err != nil {
		return err
	}
	res.Files, res.Bytes = files, bytes
	// A segment the lock-free pass copied may have been compacted away
	// before the lock was taken: the sync deleted it, nothing to check.
	res.copiedNames = slices.DeleteFunc(res.copiedNames, func(name string) bool {
		_, err := os.Stat(filepath.Join(src, filepath.FromSlash(name)))
		return err != nil
	})
	if !first {
		sizes, err := s.run(ctx, append([]string{"check", src, dst, "--size-only"}, lockFiles...)...)
		if err != nil {
			return checkFailed(sizes, err, "sizes")
		}
		if len(res.copiedNames) == 0 {
			res.Verified = fmt.Sprintf("sizes of %d files (nothing copied)", files)
			return nil
		}
	}
	args := append([]string{"check", src, dst, "-v"}, lockFiles...)
	if !first {
		list, err := s.writeList("copied.txt", res.copiedNames)
		if err != nil {
			return err
		}
		args = []string{"check", src, dst, "-v", "--files-from-raw", list}
	}
	out, err := s.run(ctx, args...)
	hash := out.hashUsed()
	if err != nil {
		return checkFailed(out, err, strings.ToUpper(strings.TrimPrefix(hash+" ", "none "))+"sizes or hashes")
	}
	want := files
	if !first {
		want = len(res.copiedNames)
	}
	if got := out.matching(); got != want {
		return &Error{Kind: ErrVerify, Msg: fmt.Sprintf("rclone check compared %d files where %d were expected; the replica is checked again on the next run", got, want), Detail: out.tail()}
	}
	switch {
	case hash == "none" && first:
		res.Verified = fmt.Sprintf("sizes of all %d files (the target computes no hash rclone can compare)", files)
	case hash == "none":
		res.Verified = fmt.Sprintf("sizes of %d files (the target computes no hash rclone can compare)", files)
	case first:
		res.Verified = fmt.Sprintf("sizes and %s hashes of all %d files", strings.ToUpper(hash), files)
	default:
		res.Verified = fmt.Sprintf("sizes of %d files, %s hashes of the %d copied", files, strings.ToUpper(hash), len(res.copiedNames))
	}
	return nil
}

func checkFailed(o output, err error, what string) error {
	var re *Error
	if errors.As(err, &re) && re.Kind != nil && re.Kind != ErrVerify {
		return err // the target went away during the check
	}
	return &Error{Kind: ErrVerify, Msg: fmt.Sprintf("the replica does not match the source (%s differ); it is copied again on the next run", what), Detail: o.tail()}
}

// missingBytes is how much of the source the replica does not have yet.
func missingBytes(dir string, replica map[string]int64) (int64, error) {
	var need int64
	err := walkRepo(dir, func(rel string, size int64) {
		if have, ok := replica[rel]; !ok || have != size {
			need += size
		}
	})
	return need, err
}

// sourceSize counts the repository's files and bytes (less borg's lock).
func sourceSize(dir string) (int, int64, error) {
	var n int
	var total int64
	err := walkRepo(dir, func(_ string, size int64) { n, total = n+1, total+size })
	return n, total, err
}

// walkRepo calls fn for each file of a repository but borg's lock, with
// its slash-separated path relative to dir.
func walkRepo(dir string, fn func(rel string, size int64)) error {
	return filepath.WalkDir(dir, func(p string, d fs.DirEntry, err error) error {
		if errors.Is(err, fs.ErrNotExist) && p != dir {
			return nil // compacted away while we looked
		}
		if err != nil {
			return err
		}
		rel, _ := filepath.Rel(dir, p)
		rel = filepath.ToSlash(rel)
		if d.IsDir() && rel == "lock.exclusive" {
			return filepath.SkipDir
		}
		if d.Type().IsRegular() && rel != "lock.roster" {
			fi, err := d.Info()
			if errors.Is(err, fs.ErrNotExist) {
				return nil
			}
			if err != nil {
				return err
			}
			fn(rel, fi.Size())
		}
		return nil
	})
}

// rollback deletes the files this run added to the replica, so it is the
// previous replica again; it returns cause, with what it did.
func (r *Replicator) rollback(ctx context.Context, s *session, dst string, before map[string]int64, cause error) error {
	after, err := s.list(ctx, dst)
	if err != nil {
		return withNote(cause, "the files copied so far could not be listed to remove them ("+err.Error()+"); the next successful run replaces them")
	}
	var added []string
	for p := range after {
		if _, ok := before[p]; !ok {
			added = append(added, p)
		}
	}
	if len(added) == 0 {
		return withNote(cause, "the previous replica was left as it was")
	}
	list, err := s.writeList("added.txt", added)
	if err == nil {
		_, err = s.run(ctx, "delete", dst, "--files-from-raw", list)
	}
	if err != nil {
		return withNote(cause, fmt.Sprintf("%d new files could not be removed (%v); the previous replica still opens at its last state, and the next successful run replaces them", len(added), err))
	}
	return withNote(cause, fmt.Sprintf("the %d files copied before the failure were removed, so the previous replica is intact", len(added)))
}

func withNote(err error, note string) error {
	var re *Error
	if errors.As(err, &re) {
		c := *re
		c.Msg += "; " + note
		return &c
	}
	return fmt.Errorf("%w; %s", err, note)
}
