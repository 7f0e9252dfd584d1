package targets

import (
	"context"
	"fmt"
	"slices"
	"sync"

	"borgdesk/backend/events"
	"borgdesk/backend/fault"
	"borgdesk/backend/shared/borg"
	"borgdesk/backend/store"
)

// MoveReport says what a repository move copied.
type MoveReport struct {
	Server   string   `json:"server"`
	From     string   `json:"from"`
	To       string   `json:"to"`
	Copied   []string `json:"copied"`
	Verified int      `json:"verified"`
	// State is running, done or failed (Error says why).
	State string `json:"state"`
	Error string `json:"error,omitempty"`
}

// moves are the repository moves of this process, by server UUID.
type moves struct {
	mu sync.Mutex
	m  map[string]*MoveReport
}

func (m *moves) set(uuid string, r MoveReport) {
	m.mu.Lock()
	defer m.mu.Unlock()
	if m.m == nil {
		m.m = map[string]*MoveReport{}
	}
	m.m[uuid] = &r
}

func (m *moves) get(uuid string) (MoveReport, bool) {
	m.mu.Lock()
	defer m.mu.Unlock()
	r, ok := m.m[uuid]
	if !ok {
		return MoveReport{}, false
	}
	return *r, true
}

// StartMoveRepo starts MoveRepo in the background (a move can take hours)
// and returns its first report; MoveStatus follows it.
func (tg *Targets) StartMoveRepo(ctx context.Context, server, target string) (MoveReport, error) {
	sv, err := tg.env.Server(ctx, server)
	if err != nil {
		return MoveReport{}, err
	}
	if cur, ok := tg.moving.get(sv.UUID); ok && cur.State == "running" {
		return cur, fmt.Errorf("%w: the repository of %s is already moving to %s", fault.ErrConflict, sv.Name, cur.To)
	}
	rep := MoveReport{Server: sv.Name, To: target, State: "running"}
	tg.moving.set(sv.UUID, rep)
	tg.orch.Go("move repository", func(ctx context.Context) {
		r, err := tg.MoveRepo(ctx, sv.UUID, target)
		r.Server, r.State = sv.Name, "done"
		if err != nil {
			r.State, r.Error = "failed", err.Error()
			tg.env.Notify(ctx, sv.UUID, fmt.Sprintf("moving the repository of %s to %s failed: %v", sv.Name, target, err))
		}
		tg.moving.set(sv.UUID, r)
		tg.env.Dispatch(ctx, sv.ID) // runs that waited for the move
	})
	return rep, nil
}

// MoveStatus is the last move of a server's repository in this process.
func (tg *Targets) MoveStatus(ctx context.Context, server string) (MoveReport, error) {
	sv, err := tg.env.Server(ctx, server)
	if err != nil {
		return MoveReport{}, err
	}
	r, ok := tg.moving.get(sv.UUID)
	if !ok {
		return MoveReport{}, fmt.Errorf("%w: no move of the repository of %s since Borgdesk started", fault.ErrNotFound, sv.Name)
	}
	return r, nil
}

// MoveRepo moves a server's repository to another target ("local": the
// coordinator's data dir): every archive is copied (borg export-tar into
// import-tar, keeping names and times), each copy is compared entry by
// entry with its source, and only then do backups go to the new place.
// Archives made meanwhile are copied too before the switch. The old
// repository is left as it was: remove it yourself once you no longer
// want it. A move that stops half-way changes nothing and can be run again
// (archives already copied and verified are kept).
func (tg *Targets) MoveRepo(ctx context.Context, server, target string) (MoveReport, error) {
	var rep MoveReport
	sv, err := tg.env.Server(ctx, server)
	if err != nil {
		return rep, err
	}
	from, err := tg.Locate(ctx, sv.UUID)
	if err != nil {
		return rep, err
	}
	var dest *store.Target
	rep.From, rep.To = "local", "local"
	if from.Target != nil {
		rep.From = from.Target.Name
	}
	if target != "" && target != store.TargetLocal {
		t, err := tg.st.FindTarget(ctx, target)
		if err != nil {
			return rep, err
		}
		if t.ServerID == sv.ID {
			return rep, fmt.Errorf("%w: %s cannot keep its own backups on itself", fault.ErrInvalid, sv.Name)
		}
		dest, rep.To = &t, t.Name
	}
	if rep.From == rep.To {
		return rep, fmt.Errorf("%w: the repository of %s already lives on %s", fault.ErrInvalid, sv.Name, rep.To)
	}
	if err := tg.ensureRepoOn(ctx, sv.UUID, dest); err != nil {
		return rep, fmt.Errorf("create the repository on %s: %w", rep.To, err)
	}
	to, err := tg.LocateOn(sv.UUID, dest)
	if err != nil {
		return rep, err
	}
	b := tg.repos.Borg
	err = tg.repos.Locked(sv.UUID, func() error {
		for round := 0; round < 5; round++ {
			src, err := b.List(ctx, from.Read)
			if err != nil {
				return fmt.Errorf("list %s: %w", rep.From, err)
			}
			have, err := b.List(ctx, to.Read)
			if err != nil {
				return fmt.Errorf("list %s: %w", rep.To, err)
			}
			copied := 0
			for _, a := range src {
				if !slices.ContainsFunc(have, func(h borg.Archive) bool { return h.Name == a.Name }) {
					tg.events.Publish(ctx, events.ServerChanged, sv.UUID, fmt.Sprintf("moving the repository of %s: copying %s to %s", sv.Name, a.Name, rep.To), map[string]any{"id": sv.ID})
					if _, err := b.CopyArchive(ctx, from.Read, to.Read, a); err != nil {
						return err
					}
					rep.Copied = append(rep.Copied, a.Name)
					copied++
				}
				diff, err := b.SameItems(ctx, from.Read, a.Name, to.Read, a.Name)
				if err != nil {
					return fmt.Errorf("verify %s: %w", a.Name, err)
				}
				if diff != "" {
					return fmt.Errorf("the copy of %s on %s differs from its source (%s); nothing was switched — remove that archive there and move again", a.Name, rep.To, diff)
				}
			}
			rep.Verified = len(src)
			if copied == 0 {
				return tg.st.SetRepoTarget(ctx, sv.ID, targetID(dest))
			}
		}
		return fmt.Errorf("backups kept adding archives during the move; pause the schedules and move again")
	})
	if err != nil {
		return rep, err
	}
	tg.events.Publish(ctx, events.ServerChanged, sv.UUID, fmt.Sprintf("the repository of %s moved from %s to %s: %d archive(s) copied, %d verified; the old repository was left in place", sv.Name, rep.From, rep.To, len(rep.Copied), rep.Verified), map[string]any{"id": sv.ID})
	return rep, nil
}

func targetID(t *store.Target) int64 {
	if t == nil {
		return 0
	}
	return t.ID
}
