// Package archives is what the operator reads out of the repositories:
// the archives of a server, the file catalog behind browsing, search,
// previews, downloads and comparisons of two versions of a file (and the
// restores and drills that read it), FUSE mounts of archives and
// snapshots, the upkeep of a repository's content, retention (prune) and
// borg check, and the operator's changes to one archive: delete it, keep
// it forever (prune spares it), rename it and comment it.
//
// It reads the coordinator's own access to a repository (without borg's
// lock where it only reads, so browsing goes on during a backup) and asks
// the rest of the coordinator, through Env, which server a name means and
// where its repository is. It never talks to an agent (a prune on a
// storage node goes through Env), never queues, starts or finishes a run,
// and never writes a repository but to prune, delete, rename and compact
// it, always through the coordinator's own access (never an agent's
// append-only path) and under the repository's maintenance lock.
package archives

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"log/slog"
	"slices"
	"strings"
	"time"

	"borgdesk/backend/catalog"
	"borgdesk/backend/datadir"
	"borgdesk/backend/events"
	"borgdesk/backend/fault"
	"borgdesk/backend/jobs"
	"borgdesk/backend/mounts"
	"borgdesk/backend/repos"
	"borgdesk/backend/shared/agentapi"
	"borgdesk/backend/shared/borg"
	"borgdesk/backend/store"
)

// ErrPruneHeld means a prune was held back to protect archives.
var ErrPruneHeld = errors.New("prune held")

// Location is where a server's repository lives, as this room needs it.
type Location struct {
	// Target is the storage target that holds it (nil: the coordinator's
	// data dir).
	Target *store.Target
	// Read is the coordinator's own access to it.
	Read borg.Repo
}

// NodePrune is what a prune on a storage node did.
type NodePrune struct {
	Kept, Pruned []string
	// Missing are archives Borgdesk made that are gone from the
	// repository; the node prunes nothing then.
	Missing []string
}

// Env is what the archives room asks of the rest of the coordinator.
type Env interface {
	// Server is the server whose id, UUID or name is ref.
	Server(ctx context.Context, ref string) (store.Server, error)
	// Locate is where a server's repository lives (an error when it has
	// none yet).
	Locate(ctx context.Context, uuid string) (Location, error)
	// PruneOnNode has the storage node t prune (and compact) a server's
	// repository with its own borg, after the same check for archives a
	// client deleted; known are the archives Borgdesk made.
	PruneOnNode(ctx context.Context, t store.Target, uuid string, keep borg.Keep, prefix string, known []string) (NodePrune, error)
}

// Config is what Archives needs.
type Config struct {
	Store  *store.Store
	Events events.Log
	Now    func() time.Time
	// Repos holds the repositories; everything but mounting a snapshot is
	// unavailable without it.
	Repos *repos.Repos
	// Catalog is the file index; browsing and search are unavailable without it.
	Catalog *catalog.Catalog
	// Mounts manages FUSE mounts; unavailable without it.
	Mounts *mounts.Manager
	// Layout places mount points the operator does not name.
	Layout datadir.Layout
	// Logger receives background failures (nothing when nil).
	Logger *slog.Logger
	Env    Env
}

// Archives reads and keeps up the coordinator's repositories.
type Archives struct {
	st       *store.Store
	events   events.Log
	now      func() time.Time
	repos    *repos.Repos
	cat      *catalog.Catalog
	mounts   *mounts.Manager
	layout   datadir.Layout
	logger   *slog.Logger
	env      Env
	indexing indexLocks
}

// New returns Archives over cfg.
func New(cfg Config) *Archives {
	if cfg.Now == nil {
		cfg.Now = time.Now
	}
	if cfg.Logger == nil {
		cfg.Logger = slog.New(slog.DiscardHandler)
	}
	return &Archives{st: cfg.Store, events: cfg.Events, now: cfg.Now, repos: cfg.Repos, cat: cfg.Catalog, mounts: cfg.Mounts,
		layout: cfg.Layout, logger: cfg.Logger, env: cfg.Env}
}

// readRepo is the coordinator's access to a server's repository.
func (a *Archives) readRepo(ctx context.Context, uuid string) (borg.Repo, error) {
	loc, err := a.env.Locate(ctx, uuid)
	return loc.Read, err
}

// reader is borg for reading the coordinator's repositories without their
// lock, so browsing goes on while an agent writes a backup.
func (a *Archives) reader() *borg.Borg { return a.repos.Borg.Reader() }

func (a *Archives) notify(ctx context.Context, subject, msg string) {
	a.events.Publish(ctx, events.Notification, subject, msg, nil)
}

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
	// KeepForever means no prune removes it.
	KeepForever bool `json:"keep_forever"`
	// Comment is the operator's, kept in Borgdesk's database.
	Comment string `json:"comment"`
}

// ListArchives lists a server's archives from the coordinator's own copy of
// its repository, oldest first.
func (a *Archives) ListArchives(ctx context.Context, ref string) ([]ArchiveInfo, error) {
	sv, err := a.env.Server(ctx, ref)
	if err != nil {
		return nil, err
	}
	if a.repos == nil {
		return nil, fmt.Errorf("%w: this coordinator holds no repositories", fault.ErrUnavailable)
	}
	repo, err := a.readRepo(ctx, sv.UUID)
	if err != nil {
		return []ArchiveInfo{}, nil // no repository yet: no archives
	}
	list, err := a.reader().List(ctx, repo)
	if err != nil {
		return nil, err
	}
	var known map[string]catalog.Archive
	if a.cat != nil {
		known, _ = a.cat.Archives(ctx, sv.UUID)
	}
	marks, err := a.st.ArchiveMarks(ctx, sv.ID)
	if err != nil {
		return nil, err
	}
	out := make([]ArchiveInfo, 0, len(list))
	for _, ar := range list {
		job, _, _ := strings.Cut(ar.Name, "@")
		m := marks[ar.Name]
		ai := ArchiveInfo{Name: ar.Name, ID: ar.ID, Time: ar.Start, Job: job, Dumps: []string{}, KeepForever: m.KeepForever, Comment: m.Comment}
		if k, ok := known[ar.Name]; ok && k.Pruned.IsZero() {
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
	// Protected are archives kept forever that the policy would have
	// removed (they are in Kept too).
	Protected []string `json:"protected,omitempty"`
}

// Prune applies a job's retention on the coordinator's own copy of the
// repository (never through the append-only path), then compacts. If
// archives Borgdesk made have vanished — deleted by a client through
// append-only mode — it holds the prune and warns the operator: pruning
// now would make that deletion permanent, while the repository can still be
// rolled back.
func (a *Archives) Prune(ctx context.Context, jobRef string) (PruneReport, error) {
	j, err := a.st.FindJob(ctx, jobRef)
	if err != nil {
		return PruneReport{}, err
	}
	if j.Kind == agentapi.KindFlx {
		return PruneReport{}, fmt.Errorf("%w: job %s/%s makes .flx snapshots, kept by the coordinator: its retention runs after each of its runs (borgdesk job run %s), not through borg prune", fault.ErrInvalid, j.ServerName, j.Name, j.Name)
	}
	return a.prune(ctx, j)
}

// ApplyRetention prunes after a backup when the job keeps a retention
// policy; a held or failed prune has told the operator already.
func (a *Archives) ApplyRetention(ctx context.Context, j store.Job) {
	var keep borg.Keep
	json.Unmarshal([]byte(j.Keep), &keep)
	if keep.Empty() {
		return
	}
	a.prune(ctx, j)
}

func (a *Archives) prune(ctx context.Context, j store.Job) (PruneReport, error) {
	var keep borg.Keep
	json.Unmarshal([]byte(j.Keep), &keep)
	if keep.Empty() {
		return PruneReport{}, fmt.Errorf("%w: job %s has no retention policy", fault.ErrInvalid, j.Name)
	}
	if a.repos == nil {
		return PruneReport{}, fmt.Errorf("%w: this coordinator holds no repositories", fault.ErrUnavailable)
	}
	var rep PruneReport
	held := func() error {
		detail := fmt.Sprintf("%d archive(s) Borgdesk made are gone from the repository of %s (%s), deleted by a client through append-only mode; nothing is lost yet — roll the repository back to the last good transaction before any prune makes it permanent",
			len(rep.Missing), j.ServerName, strings.Join(rep.Missing, ", "))
		a.notify(ctx, j.ServerUUID, fmt.Sprintf("prune of %s/%s held: %s", j.ServerName, j.Name, detail))
		return fmt.Errorf("%w for %s/%s: %s", ErrPruneHeld, j.ServerName, j.Name, detail)
	}
	err := a.repos.Locked(j.ServerUUID, func() error {
		loc, err := a.env.Locate(ctx, j.ServerUUID)
		if err != nil {
			return err
		}
		known, err := a.st.KnownArchives(ctx, j.ServerID)
		if err != nil {
			return err
		}
		spared, err := a.st.KeptForever(ctx, j.ServerID)
		if err != nil {
			return err
		}
		var res borg.PruneResult
		if loc.Target != nil && loc.Target.Kind == store.TargetNode && len(spared) == 0 {
			// On a storage node, the node's own borg prunes and compacts
			// (the same client-deletion check runs there first).
			r, err := a.env.PruneOnNode(ctx, *loc.Target, j.ServerUUID, keep, jobs.ArchivePrefix(j.Name), known)
			if rep.Missing = r.Missing; len(rep.Missing) > 0 {
				return held()
			}
			if err != nil {
				return err
			}
			res = borg.PruneResult{Kept: r.Kept, Pruned: r.Pruned}
		} else {
			// A storage node with archives kept forever is pruned from
			// here too, through the coordinator's own access to it (the
			// node's admin identity, never append-only): the node's task
			// knows nothing of the marks.
			list, err := a.repos.Borg.List(ctx, loc.Read)
			if err != nil {
				return err
			}
			for _, k := range known {
				if !slices.ContainsFunc(list, func(ar borg.Archive) bool { return ar.Name == k }) {
					rep.Missing = append(rep.Missing, k)
				}
			}
			if len(rep.Missing) > 0 {
				return held()
			}
			if res, rep.Protected, err = a.pruneSparing(ctx, loc.Read, keep, jobs.ArchivePrefix(j.Name), spared); err != nil {
				return err
			}
		}
		rep.Kept, rep.Pruned = res.Kept, res.Pruned
		if len(res.Pruned) == 0 {
			return nil
		}
		return a.forget(ctx, store.Server{ID: j.ServerID, UUID: j.ServerUUID}, res.Pruned)
	})
	if err != nil {
		return rep, err
	}
	a.events.Publish(ctx, events.JobChanged, j.ServerUUID, fmt.Sprintf("retention of %s/%s: kept %d, pruned %d archive(s)", j.ServerName, j.Name, len(rep.Kept), len(rep.Pruned)), map[string]any{"job_id": j.ID})
	return rep, nil
}

// pruneSparing applies keep to the archives of one job (names starting
// with prefix) and compacts, sparing the archives kept forever.
//
// Borg 1.2's prune cannot leave single archives out: --glob-archives
// takes one pattern and has no negation, and renaming kept archives out
// of the job's prefix would change the names restores, the catalog and
// the operator know them by. So prune runs as a dry run, which lists what
// the policy would remove, and those archives less the ones kept forever
// are removed with one borg delete. The caller holds the maintenance lock
// throughout, so no other prune or delete decides in between; a backup
// finishing meanwhile only adds an archive the next prune weighs. The
// policy decides for the other archives exactly as it would without the
// marks: a kept archive stays, nothing else changes.
func (a *Archives) pruneSparing(ctx context.Context, repo borg.Repo, keep borg.Keep, prefix string, spared []string) (borg.PruneResult, []string, error) {
	plan, err := a.repos.Borg.Prune(ctx, repo, keep, prefix, true)
	if err != nil {
		return borg.PruneResult{}, nil, err
	}
	res := borg.PruneResult{Kept: plan.Kept}
	var protected []string
	for _, name := range plan.Pruned {
		if slices.Contains(spared, name) {
			protected = append(protected, name)
			res.Kept = append(res.Kept, name)
			continue
		}
		res.Pruned = append(res.Pruned, name)
	}
	if len(res.Pruned) == 0 {
		return res, protected, nil
	}
	if err := a.repos.Borg.Delete(ctx, repo, res.Pruned...); err != nil {
		return borg.PruneResult{}, nil, err
	}
	return res, protected, a.repos.Borg.Compact(ctx, repo)
}

// Check runs borg check on a server's repository (and --verify-data when asked).
func (a *Archives) Check(ctx context.Context, ref string, verifyData bool) error {
	sv, err := a.env.Server(ctx, ref)
	if err != nil {
		return err
	}
	if a.repos == nil {
		return fmt.Errorf("%w: this coordinator holds no repositories", fault.ErrUnavailable)
	}
	return a.repos.Locked(sv.UUID, func() error {
		repo, err := a.readRepo(ctx, sv.UUID)
		if err != nil {
			return err
		}
		if err := a.repos.Borg.Check(ctx, repo, verifyData); err != nil {
			a.notify(ctx, sv.UUID, fmt.Sprintf("repository check of %s failed: %v", sv.Name, err))
			return err
		}
		a.events.Publish(ctx, events.ServerChanged, sv.UUID, fmt.Sprintf("repository of %s checked: ok", sv.Name), map[string]any{"id": sv.ID})
		return nil
	})
}
