package service

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"slices"
	"strings"
	"time"

	"borgdesk/backend/catalog"
	"borgdesk/backend/events"
	"borgdesk/backend/jobs"
	"borgdesk/backend/shared/agentapi"
	"borgdesk/backend/shared/borg"
	"borgdesk/backend/store"
)

// ErrPruneHeld means a prune was held back to protect archives.
var ErrPruneHeld = errors.New("prune held")

// ArchiveInfo is one archive of a server's repository.
type ArchiveInfo struct {
	Name         string   `json:"name"`
	ID           string   `json:"id"`
	Time         string   `json:"time"`
	Job          string   `json:"job"`
	Files        int64    `json:"files"`
	Bytes        int64    `json:"bytes"`
	Deduplicated int64    `json:"deduplicated"`
	DurationSec  float64  `json:"duration_sec"`
	Indexed      bool     `json:"indexed"`
	Dumps        []string `json:"dumps"`
}

// ListArchives lists a server's archives from the coordinator's own copy of
// its repository, oldest first.
func (s *Service) ListArchives(ctx context.Context, ref string) ([]ArchiveInfo, error) {
	sv, err := s.Server(ctx, ref)
	if err != nil {
		return nil, err
	}
	if s.repos == nil {
		return nil, fmt.Errorf("%w: this coordinator holds no repositories", ErrUnavailable)
	}
	repo, err := s.readRepo(ctx, sv.UUID)
	if err != nil {
		return []ArchiveInfo{}, nil // no repository yet: no archives
	}
	list, err := s.reader().List(ctx, repo)
	if err != nil {
		return nil, err
	}
	var known map[string]catalog.Archive
	if s.cat != nil {
		known, _ = s.cat.Archives(ctx, sv.UUID)
	}
	out := make([]ArchiveInfo, 0, len(list))
	for _, a := range list {
		job, _, _ := strings.Cut(a.Name, "@")
		ai := ArchiveInfo{Name: a.Name, ID: a.ID, Time: a.Start, Job: job, Dumps: []string{}}
		if k, ok := known[a.Name]; ok && k.Pruned.IsZero() {
			ai.Files, ai.Bytes, ai.Deduplicated, ai.DurationSec, ai.Indexed = k.Files, k.Bytes, k.Deduplicated, k.Duration, true
			if k.Dumps != nil {
				ai.Dumps = k.Dumps
			}
		}
		out = append(out, ai)
	}
	return out, nil
}

// PruneReport is what a prune did.
type PruneReport struct {
	Kept    []string `json:"kept"`
	Pruned  []string `json:"pruned"`
	Missing []string `json:"missing,omitempty"`
}

// Prune applies a job's retention on the coordinator's own copy of the
// repository (never through the append-only path), then compacts. If
// archives Borgdesk made have vanished — deleted by a client through
// append-only mode — it holds the prune and warns the operator: pruning
// now would make that deletion permanent, while the repository can still be
// rolled back.
func (s *Service) Prune(ctx context.Context, jobRef string) (PruneReport, error) {
	j, err := s.st.FindJob(ctx, jobRef)
	if err != nil {
		return PruneReport{}, err
	}
	return s.prune(ctx, j)
}

func (s *Service) applyRetention(ctx context.Context, j store.Job) {
	var keep borg.Keep
	json.Unmarshal([]byte(j.Keep), &keep)
	if keep.Empty() {
		return
	}
	s.prune(ctx, j)
}

func (s *Service) prune(ctx context.Context, j store.Job) (PruneReport, error) {
	var keep borg.Keep
	json.Unmarshal([]byte(j.Keep), &keep)
	if keep.Empty() {
		return PruneReport{}, fmt.Errorf("%w: job %s has no retention policy", ErrInvalid, j.Name)
	}
	if s.repos == nil {
		return PruneReport{}, fmt.Errorf("%w: this coordinator holds no repositories", ErrUnavailable)
	}
	var rep PruneReport
	held := func() error {
		detail := fmt.Sprintf("%d archive(s) Borgdesk made are gone from the repository of %s (%s), deleted by a client through append-only mode; nothing is lost yet — roll the repository back to the last good transaction before any prune makes it permanent",
			len(rep.Missing), j.ServerName, strings.Join(rep.Missing, ", "))
		s.notify(ctx, j.ServerUUID, fmt.Sprintf("prune of %s/%s held: %s", j.ServerName, j.Name, detail))
		return fmt.Errorf("%w for %s/%s: %s", ErrPruneHeld, j.ServerName, j.Name, detail)
	}
	err := s.repos.Locked(j.ServerUUID, func() error {
		loc, err := s.location(ctx, j.ServerUUID)
		if err != nil {
			return err
		}
		known, err := s.st.KnownArchives(ctx, j.ServerID)
		if err != nil {
			return err
		}
		var res borg.PruneResult
		if loc.target != nil && loc.target.Kind == store.TargetNode {
			// On a storage node, the node's own borg prunes and compacts
			// (the same client-deletion check runs there first).
			r, err := s.nodeRepoOp(ctx, *loc.target, agentapi.StorageRepoPayload{Op: agentapi.RepoPrune, Server: j.ServerUUID, Keep: wireKeep(keep),
				Prefix: jobs.ArchivePrefix(j.Name), Known: known}, 2*time.Hour)
			if rep.Missing = r.Missing; len(rep.Missing) > 0 {
				return held()
			}
			if err != nil {
				return err
			}
			res = borg.PruneResult{Kept: r.Kept, Pruned: r.Pruned}
		} else {
			list, err := s.repos.Borg.List(ctx, loc.read)
			if err != nil {
				return err
			}
			for _, k := range known {
				if !slices.ContainsFunc(list, func(a borg.Archive) bool { return a.Name == k }) {
					rep.Missing = append(rep.Missing, k)
				}
			}
			if len(rep.Missing) > 0 {
				return held()
			}
			if res, err = s.repos.Borg.Prune(ctx, loc.read, keep, jobs.ArchivePrefix(j.Name), false); err != nil {
				return err
			}
			if len(res.Pruned) > 0 {
				if err := s.repos.Borg.Compact(ctx, loc.read); err != nil {
					return err
				}
			}
		}
		rep.Kept, rep.Pruned = res.Kept, res.Pruned
		if err := s.st.MarkPruned(ctx, j.ServerID, res.Pruned); err != nil {
			return err
		}
		if s.cat != nil && len(res.Pruned) > 0 {
			if err := s.cat.Forget(ctx, j.ServerUUID, res.Pruned, s.now()); err != nil {
				return err
			}
		}
		return nil
	})
	if err != nil {
		return rep, err
	}
	s.publish(ctx, events.JobChanged, j.ServerUUID, fmt.Sprintf("retention of %s/%s: kept %d, pruned %d archive(s)", j.ServerName, j.Name, len(rep.Kept), len(rep.Pruned)), map[string]any{"job_id": j.ID})
	return rep, nil
}

// Check runs borg check on a server's repository (and --verify-data when asked).
func (s *Service) Check(ctx context.Context, ref string, verifyData bool) error {
	sv, err := s.Server(ctx, ref)
	if err != nil {
		return err
	}
	if s.repos == nil {
		return fmt.Errorf("%w: this coordinator holds no repositories", ErrUnavailable)
	}
	return s.repos.Locked(sv.UUID, func() error {
		repo, err := s.readRepo(ctx, sv.UUID)
		if err != nil {
			return err
		}
		if err := s.repos.Borg.Check(ctx, repo, verifyData); err != nil {
			s.notify(ctx, sv.UUID, fmt.Sprintf("repository check of %s failed: %v", sv.Name, err))
			return err
		}
		s.publish(ctx, events.ServerChanged, sv.UUID, fmt.Sprintf("repository of %s checked: ok", sv.Name), map[string]any{"id": sv.ID})
		return nil
	})
}
