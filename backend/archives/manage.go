package archives

import (
	"context"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"unicode"
	"unicode/utf8"

	"borgdesk/backend/events"
	"borgdesk/backend/fault"
	"borgdesk/backend/shared/borg"
	"borgdesk/backend/store"
)

// refusal is an error whose text is one sentence for the operator and
// whose kind (fault.ErrInvalid, fault.ErrConflict, …) errors.Is finds.
type refusal struct {
	kind error
	msg  string
}

func (r *refusal) Error() string { return r.msg }
func (r *refusal) Unwrap() error { return r.kind }

func refuse(kind error, format string, args ...any) error {
	return &refusal{kind: kind, msg: fmt.Sprintf(format, args...)}
}

// MaxCommentLen is the longest comment an archive may carry, in characters.
const MaxCommentLen = 500

// CheckArchiveName says why name cannot be an archive's new name: what
// borg refuses (empty, "/", "::"), and spaces and control characters,
// which the prune's listing (split on spaces) and a shell would misread.
func CheckArchiveName(name string) error {
	switch {
	case name == "":
		return refuse(fault.ErrInvalid, "the new archive name is empty; give a name such as files@2026-01-01-before-upgrade")
	case utf8.RuneCountInString(name) > 200:
		return refuse(fault.ErrInvalid, "the new archive name is longer than 200 characters; give a shorter one")
	case strings.Contains(name, "/"):
		return refuse(fault.ErrInvalid, "archive name %q has a /, which borg does not allow in a name; use - or _ instead", name)
	case strings.Contains(name, "::"):
		return refuse(fault.ErrInvalid, "archive name %q has a ::, which borg does not allow in a name; use - or _ instead", name)
	case strings.HasPrefix(name, "-"):
		return refuse(fault.ErrInvalid, "archive name %q starts with -, which would read as an option; start it with a letter or digit", name)
	case strings.HasSuffix(name, ".checkpoint") || strings.Contains(name, ".checkpoint."):
		return refuse(fault.ErrInvalid, "archive name %q looks like one of borg's checkpoints, which prune removes; pick another name", name)
	}
	for _, r := range name {
		if unicode.IsSpace(r) || !unicode.IsPrint(r) {
			return refuse(fault.ErrInvalid, "archive name %q has a space or an invisible character; use - or _ instead", name)
		}
	}
	return nil
}

// checkComment says why c cannot be an archive's comment.
func checkComment(c string) error {
	if utf8.RuneCountInString(c) > MaxCommentLen {
		return refuse(fault.ErrInvalid, "the comment is longer than %d characters; shorten it", MaxCommentLen)
	}
	for _, r := range c {
		if r != ' ' && (unicode.IsControl(r) || !unicode.IsPrint(r)) {
			return refuse(fault.ErrInvalid, "the comment has a line break or an invisible character; write it on one line")
		}
	}
	return nil
}

// target is one archive the operator named, checked against the repository.
type target struct {
	sv   store.Server
	loc  Location
	list []borg.Archive
}

// has reports whether the repository lists an archive of that name.
func (t target) has(name string) bool {
	return slices.ContainsFunc(t.list, func(a borg.Archive) bool { return a.Name == name })
}

// open finds a server's repository and lists its archives without borg's
// lock (a backup may be writing), so a mistake is said before anything
// waits for the lock.
func (a *Archives) open(ctx context.Context, ref, archive string) (target, error) {
	sv, err := a.env.Server(ctx, ref)
	if err != nil {
		return target{}, err
	}
	if a.repos == nil {
		return target{}, fmt.Errorf("%w: this coordinator holds no repositories", fault.ErrUnavailable)
	}
	if archive == "" {
		return target{}, refuse(fault.ErrInvalid, "name the archive; `borgdesk archive list %s` shows them", sv.Name)
	}
	loc, err := a.env.Locate(ctx, sv.UUID)
	if err != nil {
		return target{}, refuse(fault.ErrNotFound, "%s has no repository yet, so it has no archive %s", sv.Name, archive)
	}
	list, err := a.reader().List(ctx, loc.Read)
	if err != nil {
		return target{}, err
	}
	t := target{sv: sv, loc: loc, list: list}
	if !t.has(archive) {
		return t, refuse(fault.ErrNotFound, "%s has no archive %s (deleted, pruned or renamed?); `borgdesk archive list %s` shows its archives", sv.Name, archive, sv.Name)
	}
	return t, nil
}

// inUse refuses to change an archive that a restore is reading or that is
// mounted: both read without borg's lock, so nothing else would stop a
// delete or a rename under them.
func (a *Archives) inUse(ctx context.Context, sv store.Server, archive, doing string) error {
	tasks, err := a.st.TasksReading(ctx, sv.UUID, archive)
	if err != nil {
		return err
	}
	if len(tasks) > 0 {
		return refuse(fault.ErrConflict, "restore task %d is reading archive %s; wait for it to finish (or cancel it: borgdesk task cancel %d), then %s it", tasks[0].ID, archive, tasks[0].ID, doing)
	}
	if a.mounts != nil {
		for _, m := range a.mounts.List() {
			if m.Server == sv.Name && m.Archive == archive {
				return refuse(fault.ErrConflict, "archive %s is mounted at %s; unmount it (borgdesk umount %s), then %s it", archive, m.Dir, m.Dir, doing)
			}
		}
	}
	return nil
}

// busy turns borg's "lock timeout" into what the operator should do.
func (a *Archives) busy(err error, sv store.Server, archive, doing string) error {
	if errors.Is(err, borg.ErrLocked) {
		return refuse(fault.ErrConflict, "the repository of %s is busy: a backup, check or prune holds its lock and Borgdesk waited %d s for it; nothing was changed — %s archive %s again when it has finished", sv.Name, a.repos.Borg.LockWait, doing, archive)
	}
	return err
}

// Deleted is what deleting an archive did.
type Deleted struct {
	Server  string `json:"server"`
	Archive string `json:"archive"`
	// FreedBytes is how much smaller the repository's segments are after
	// the compact; -1 when the repository is not on this machine.
	FreedBytes int64 `json:"freed_bytes"`
}

// DeleteArchive deletes one archive from the coordinator's own copy of a
// server's repository (borg delete, then borg compact, which is what frees
// the space), under the repository's maintenance lock. confirm must repeat
// the archive's name. An archive kept forever, one a restore is reading or
// that is mounted is refused, and so is any delete while archives Borgdesk
// made are missing: the compact would make a client's deletion through
// append-only mode permanent, as a prune would.
func (a *Archives) DeleteArchive(ctx context.Context, ref, archive, confirm string) (Deleted, error) {
	t, err := a.open(ctx, ref, archive)
	if err != nil {
		return Deleted{}, err
	}
	sv := t.sv
	if confirm != archive {
		return Deleted{}, refuse(fault.ErrInvalid, "to delete archive %s, type its name exactly to confirm (--confirm %s); nothing was deleted", archive, archive)
	}
	marks, err := a.st.ArchiveMarks(ctx, sv.ID)
	if err != nil {
		return Deleted{}, err
	}
	if marks[archive].KeepForever {
		return Deleted{}, refuse(fault.ErrConflict, "archive %s is kept forever; take that off first (borgdesk archive unkeep %s %s), then delete it", archive, sv.Name, archive)
	}
	if err := a.inUse(ctx, sv, archive, "delete"); err != nil {
		return Deleted{}, err
	}
	out := Deleted{Server: sv.Name, Archive: archive, FreedBytes: -1}
	err = a.repos.Locked(sv.UUID, func() error {
		list, err := a.reader().List(ctx, t.loc.Read)
		if err != nil {
			return err
		}
		t.list = list
		if !t.has(archive) { // deleted or renamed while we waited for the lock
			return refuse(fault.ErrNotFound, "%s has no archive %s any more; nothing was deleted", sv.Name, archive)
		}
		if err := a.refuseIfMissing(ctx, sv, list, "delete of archive "+archive); err != nil {
			return err
		}
		if err := refuseAppendOnly(t.loc, sv); err != nil {
			return err
		}
		before, local := segmentBytes(t.loc)
		if err := a.repos.Borg.Delete(ctx, t.loc.Read, archive); err != nil {
			return a.busy(err, sv, archive, "delete")
		}
		// The archive is gone from the manifest: record that before the
		// compact, so a failed compact leaves no archive the catalog lists.
		if err := a.forget(ctx, sv, []string{archive}); err != nil {
			return err
		}
		if err := a.repos.Borg.Compact(ctx, t.loc.Read); err != nil {
			return fmt.Errorf("archive %s was deleted, but freeing its space failed (the next prune or delete compacts again): %w", archive, err)
		}
		if after, _ := segmentBytes(t.loc); local {
			out.FreedBytes = max(before-after, 0)
		}
		return nil
	})
	if err != nil {
		return Deleted{}, err
	}
	a.events.Publish(ctx, events.JobChanged, sv.UUID, fmt.Sprintf("archive %s of %s deleted", archive, sv.Name),
		map[string]any{"archive": archive, "deleted": true, "freed_bytes": out.FreedBytes})
	return out, nil
}

// forget records that Borgdesk removed archives: the runs that made them
// and their marks, and the catalog.
func (a *Archives) forget(ctx context.Context, sv store.Server, names []string) error {
	if err := a.st.ForgetArchives(ctx, sv.ID, names); err != nil {
		return err
	}
	if a.cat != nil {
		return a.cat.Forget(ctx, sv.UUID, names, a.now())
	}
	return nil
}

// refuseIfMissing holds a change that ends in a compact while archives
// Borgdesk made are gone from the repository (see Prune).
func (a *Archives) refuseIfMissing(ctx context.Context, sv store.Server, list []borg.Archive, what string) error {
	known, err := a.st.KnownArchives(ctx, sv.ID)
	if err != nil {
		return err
	}
	var missing []string
	for _, k := range known {
		if !slices.ContainsFunc(list, func(ar borg.Archive) bool { return ar.Name == k }) {
			missing = append(missing, k)
		}
	}
	if len(missing) == 0 {
		return nil
	}
	detail := fmt.Sprintf("%d archive(s) Borgdesk made are gone from the repository of %s (%s), deleted by a client through append-only mode; nothing is lost yet — roll the repository back to the last good transaction before anything compacts it",
		len(missing), sv.Name, strings.Join(missing, ", "))
	a.notify(ctx, sv.UUID, fmt.Sprintf("%s held: %s", what, detail))
	return fmt.Errorf("%w: %s: %s", ErrPruneHeld, what, detail)
}

// refuseAppendOnly refuses to delete from a local repository whose own
// config makes it append-only: borg would mark the archive deleted, free
// nothing and leave the deletion undoable. (The agents' access is
// append-only through borg serve; the coordinator's own is not.)
func refuseAppendOnly(loc Location, sv store.Server) error {
	if loc.Target != nil {
		return nil
	}
	raw, err := os.ReadFile(filepath.Join(loc.Read.Location, "config"))
	if err != nil {
		return fmt.Errorf("read the repository config of %s: %w", sv.Name, err)
	}
	for _, line := range strings.Split(string(raw), "\n") {
		k, v, ok := strings.Cut(line, "=")
		if ok && strings.TrimSpace(k) == "append_only" && strings.TrimSpace(v) == "1" {
			return refuse(fault.ErrConflict, "the repository of %s is append-only (append_only = 1 in %s), so a delete would free nothing; set it back with `borg config %s append_only 0` if you mean to, then delete again",
				sv.Name, filepath.Join(loc.Read.Location, "config"), loc.Read.Location)
		}
	}
	return nil
}

// segmentBytes is the size of a local repository's segments (false when
// the repository is not on this machine).
func segmentBytes(loc Location) (int64, bool) {
	if loc.Target != nil {
		return 0, false
	}
	var n int64
	filepath.WalkDir(filepath.Join(loc.Read.Location, "data"), func(_ string, d os.DirEntry, err error) error {
		if err == nil && d.Type().IsRegular() {
			if fi, err := d.Info(); err == nil {
				n += fi.Size()
			}
		}
		return nil
	})
	return n, true
}

// KeepForever marks an archive so that no prune removes it (keep), or
// lets the job's retention apply to it again.
func (a *Archives) KeepForever(ctx context.Context, ref, archive string, keep bool) error {
	t, err := a.open(ctx, ref, archive)
	if err != nil && !(errors.Is(err, fault.ErrNotFound) && !keep && t.sv.ID != 0) {
		return err
	}
	if err := a.st.SetKeepForever(ctx, t.sv.ID, archive, keep); err != nil {
		return err
	}
	msg := fmt.Sprintf("archive %s of %s is kept forever", archive, t.sv.Name)
	if !keep {
		msg = fmt.Sprintf("archive %s of %s follows its job's retention again", archive, t.sv.Name)
	}
	a.events.Publish(ctx, events.JobChanged, t.sv.UUID, msg, map[string]any{"archive": archive, "keep_forever": keep})
	return nil
}

// RenameInput renames an archive and, or only, sets its comment.
type RenameInput struct {
	Server  string `json:"server"`
	Archive string `json:"archive"`
	// NewName is the archive's new name (its name: only the comment changes).
	NewName string `json:"new_name"`
	// Comment, when set, replaces the archive's comment ("" removes it).
	Comment *string `json:"comment,omitempty"`
}

// Renamed is what a rename did.
type Renamed struct {
	Server  string `json:"server"`
	Archive string `json:"archive"`
	Comment string `json:"comment"`
	// Note says the archive left its job's retention (its new name no
	// longer starts with JOB@).
	Note string `json:"note,omitempty"`
}

// RenameArchive renames an archive in the coordinator's own copy of its
// repository (borg rename, under the maintenance lock) and follows the
// rename in the runs, the marks and the catalog; with a Comment, it sets
// the comment too. The comment is Borgdesk's, kept in its database: borg
// 1.2 changes an archive's own comment only by rewriting the archive
// (borg recreate --comment).
func (a *Archives) RenameArchive(ctx context.Context, in RenameInput) (Renamed, error) {
	if in.NewName == "" {
		in.NewName = in.Archive
	}
	t, err := a.open(ctx, in.Server, in.Archive)
	if err != nil {
		return Renamed{}, err
	}
	sv := t.sv
	rename := in.NewName != in.Archive
	if !rename && in.Comment == nil {
		return Renamed{}, refuse(fault.ErrInvalid, "archive %s already has that name; give a new name or a comment", in.Archive)
	}
	if in.Comment != nil {
		if err := checkComment(*in.Comment); err != nil {
			return Renamed{}, err
		}
	}
	out := Renamed{Server: sv.Name, Archive: in.NewName}
	if rename {
		if err := CheckArchiveName(in.NewName); err != nil {
			return Renamed{}, err
		}
		if t.has(in.NewName) {
			return Renamed{}, refuse(fault.ErrConflict, "%s already has an archive named %s; pick another name", sv.Name, in.NewName)
		}
		if err := a.inUse(ctx, sv, in.Archive, "rename"); err != nil {
			return Renamed{}, err
		}
		err := a.repos.Locked(sv.UUID, func() error {
			if err := a.repos.Borg.Rename(ctx, t.loc.Read, in.Archive, in.NewName); err != nil {
				switch {
				case errors.Is(err, borg.ErrArchiveExists):
					return refuse(fault.ErrConflict, "%s already has an archive named %s; pick another name", sv.Name, in.NewName)
				case errors.Is(err, borg.ErrNoArchive):
					return refuse(fault.ErrNotFound, "%s has no archive %s any more; nothing was renamed", sv.Name, in.Archive)
				}
				return a.busy(err, sv, in.Archive, "rename")
			}
			if err := a.st.RenameArchive(ctx, sv.ID, in.Archive, in.NewName); err != nil {
				return err
			}
			if a.cat != nil {
				return a.cat.Rename(ctx, sv.UUID, in.Archive, in.NewName)
			}
			return nil
		})
		if err != nil {
			return Renamed{}, err
		}
		if job, _, ok := strings.Cut(in.Archive, "@"); ok && !strings.HasPrefix(in.NewName, job+"@") {
			out.Note = fmt.Sprintf("%s no longer starts with %s@, so the retention of job %s no longer prunes it", in.NewName, job, job)
		}
	}
	if in.Comment != nil {
		if err := a.st.SetArchiveComment(ctx, sv.ID, in.NewName, *in.Comment); err != nil {
			return out, err
		}
	}
	marks, err := a.st.ArchiveMarks(ctx, sv.ID)
	if err != nil {
		return out, err
	}
	out.Comment = marks[in.NewName].Comment
	msg := fmt.Sprintf("archive %s of %s renamed %s", in.Archive, sv.Name, in.NewName)
	if !rename {
		msg = fmt.Sprintf("comment of archive %s of %s changed", in.Archive, sv.Name)
	}
	a.events.Publish(ctx, events.JobChanged, sv.UUID, msg, map[string]any{"archive": in.NewName, "renamed_from": in.Archive})
	return out, nil
}
