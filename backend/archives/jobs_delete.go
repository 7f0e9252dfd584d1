package archives

import (
	"context"
	"fmt"
	"strings"

	"borgdesk/backend/fault"
	"borgdesk/backend/jobs"
	"borgdesk/backend/store"
)

// DeleteJobArchives deletes every archive a job made (those named with its
// prefix) from the coordinator's own copy of its server's repository, then
// compacts it, under the repository's maintenance lock: what deleting a job
// "with its archives" does. Archives kept forever stay and are not named;
// one a restore reads or that is mounted, a repository with archives
// missing, or an append-only one is refused as DeleteArchive refuses it,
// before anything is deleted. It names the archives deleted.
func (a *Archives) DeleteJobArchives(ctx context.Context, j store.Job) ([]string, error) {
	if a.repos == nil {
		return nil, fmt.Errorf("%w: this coordinator holds no repositories", fault.ErrUnavailable)
	}
	sv, err := a.env.Server(ctx, j.ServerUUID)
	if err != nil {
		return nil, err
	}
	loc, err := a.env.Locate(ctx, sv.UUID)
	if err != nil {
		return []string{}, nil // no repository yet: the job made no archive
	}
	marks, err := a.st.ArchiveMarks(ctx, sv.ID)
	if err != nil {
		return nil, err
	}
	prefix := jobs.ArchivePrefix(j.Name)
	var deleted []string
	err = a.repos.Locked(sv.UUID, func() error {
		list, err := a.reader().List(ctx, loc.Read)
		if err != nil {
			return err
		}
		var names []string
		for _, ar := range list {
			if strings.HasPrefix(ar.Name, prefix) && !marks[ar.Name].KeepForever {
				names = append(names, ar.Name)
			}
		}
		if len(names) == 0 {
			return nil
		}
		for _, n := range names {
			if err := a.inUse(ctx, sv, n, "delete"); err != nil {
				return err
			}
		}
		if err := a.refuseIfMissing(ctx, sv, list, "delete of job "+j.Name+"'s archives"); err != nil {
			return err
		}
		if err := refuseAppendOnly(loc, sv); err != nil {
			return err
		}
		if err := a.repos.Borg.Delete(ctx, loc.Read, names...); err != nil {
			return a.busy(err, sv, names[0], "delete")
		}
		deleted = names
		if err := a.forget(ctx, sv, names); err != nil {
			return err
		}
		if err := a.repos.Borg.Compact(ctx, loc.Read); err != nil {
			return fmt.Errorf("the %d archive(s) of job %s were deleted, but freeing their space failed (the next prune or delete compacts again): %w", len(names), j.Name, err)
		}
		return nil
	})
	if deleted == nil {
		deleted = []string{}
	}
	return deleted, err
}
