package jobs

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"strings"
	"time"

	"borgdesk/backend/events"
	"borgdesk/backend/fault"
	"borgdesk/backend/shared/agentapi"
	"borgdesk/backend/shared/borg"
	"borgdesk/backend/store"
)

// DefinitionsEnv is what the job definitions ask of the rest of the
// coordinator.
type DefinitionsEnv interface {
	// Server finds a server by name, uuid or id.
	Server(ctx context.Context, ref string) (store.Server, error)
	// SchedulesPaused: the operator paused every schedule.
	SchedulesPaused(ctx context.Context) bool
	// RPO is a server's recovery point objective (rpo.default for "").
	RPO(ctx context.Context, server string) time.Duration
	// DeleteArchives deletes a job's archives from its repository and
	// names them (Delete with its archives).
	DeleteArchives(ctx context.Context, j store.Job) ([]string, error)
	// DeleteSnapshots deletes a .flx job's snapshots from the
	// coordinator's data dir and names them (Delete with its archives).
	DeleteSnapshots(ctx context.Context, j store.Job) ([]string, error)
}

// DefinitionsConfig is what Definitions needs.
type DefinitionsConfig struct {
	Store  *store.Store
	Events events.Log
	Now    func() time.Time
	Env    DefinitionsEnv
}

// Definitions are the jobs as the operator defines them: created,
// validated, listed with their next runs. It never starts a run (the run
// queue does) and never touches a repository.
type Definitions struct {
	st     *store.Store
	events events.Log
	now    func() time.Time
	env    DefinitionsEnv
}

// NewDefinitions returns Definitions over cfg.
func NewDefinitions(cfg DefinitionsConfig) *Definitions {
	return &Definitions{st: cfg.Store, events: cfg.Events, now: cfg.Now, env: cfg.Env}
}

// Input defines a backup job.
type Input struct {
	Server   string              `json:"server"`
	Name     string              `json:"name"`
	Spec     agentapi.BackupSpec `json:"spec"`
	Schedule string              `json:"schedule"`
	Keep     borg.Keep           `json:"keep"`
	// NotifySuccess: the operator hears of its successful runs too (on
	// the channels whose notify.*.events name run_succeeded).
	NotifySuccess bool `json:"notify_success"`
	// Version is the job's updated_at as it was read (InputOf fills it):
	// Edit refuses with a conflict when the job changed since, so of two
	// operators editing the same job the later save is told, not lost.
	// Empty: no check (Create ignores it).
	Version string `json:"version,omitempty"`
}

// ValidateSpec checks what a job backs up and its hooks.
func ValidateSpec(s agentapi.BackupSpec) error {
	switch s.Kind {
	case agentapi.KindFiles:
		if len(s.Paths) == 0 {
			return errors.New("a files job needs at least one path (--paths)")
		}
		for _, p := range s.Paths {
			if !strings.HasPrefix(p, "/") {
				return fmt.Errorf("path %q must be absolute", p)
			}
		}
	case agentapi.KindMySQL, agentapi.KindPostgres, agentapi.KindMongo:
	case agentapi.KindDocker:
		if s.Docker == nil || len(s.Docker.Containers) == 0 {
			return errors.New("a docker job names at least one container")
		}
	case agentapi.KindLVM:
		if s.LVM == nil || s.LVM.VolumeGroup == "" || s.LVM.Volume == "" {
			return errors.New("an LVM job names a volume group and a volume")
		}
	case agentapi.KindFlx:
		if err := validateFlx(s); err != nil {
			return err
		}
	default:
		return fmt.Errorf("unknown job kind %q (files, mysql, postgres, mongo, docker, lvm or flx)", s.Kind)
	}
	for _, h := range append(slices.Clone(s.Pre), s.Post...) {
		if len(h) == 0 || !strings.HasPrefix(h[0], "/") {
			return errors.New("hook commands start with an absolute program path")
		}
	}
	return nil
}

// Create validates and stores a job.
func (d *Definitions) Create(ctx context.Context, in Input) (store.Job, error) {
	sv, err := d.env.Server(ctx, in.Server)
	if err != nil {
		return store.Job{}, err
	}
	if err := fault.CheckName("job", in.Name); err != nil {
		return store.Job{}, err
	}
	if in.Spec.Kind == agentapi.KindFlx && in.Keep.Empty() {
		in.Keep = FlxKeep
	}
	if err := checkDefinition(in); err != nil {
		return store.Job{}, err
	}
	def := definitionOf(in)
	j, err := d.st.CreateJob(ctx, store.Job{ServerID: sv.ID, Name: in.Name, Kind: in.Spec.Kind, Spec: def.Spec, Schedule: def.Schedule, Enabled: true, Keep: def.Keep, NotifySuccess: def.NotifySuccess})
	if err != nil {
		return store.Job{}, err
	}
	d.events.Publish(ctx, events.JobChanged, sv.UUID, fmt.Sprintf("job %s created for %s", j.Name, sv.Name), map[string]any{"job_id": j.ID})
	return j, nil
}

// Find returns a job by id, name or SERVER/NAME.
func (d *Definitions) Find(ctx context.Context, ref string) (store.Job, error) {
	return d.st.FindJob(ctx, ref)
}

// JobView is a job as the window lists it: its schedule as data to say in
// words, when it runs next and when its schedule last fell due. The cron
// parser in backend/jobs is the one authority on all three.
type JobView struct {
	store.Job
	ScheduleDescription Description `json:"schedule_description"`
	// NextRun is the schedule's next slot (now when one is overdue and the
	// scheduler is about to start it); nil for a job run by hand only, a
	// disabled job, or a schedule that never fires.
	NextRun *time.Time `json:"next_run" ts_type:"string"`
	// LastScheduled is when the schedule last fell due; nil when it never
	// has (last_scheduled_at then holds the job's creation, where the
	// scheduler starts counting).
	LastScheduled *time.Time `json:"last_scheduled" ts_type:"string"`
	// SchedulesPaused: every schedule is paused (the tray); NextRun is the
	// slot that will pass unrun unless they are resumed.
	SchedulesPaused bool `json:"schedules_paused"`
}

// View returns one job as Views lists it.
func (d *Definitions) View(ctx context.Context, ref string) (JobView, error) {
	j, err := d.st.FindJob(ctx, ref)
	if err != nil {
		return JobView{}, err
	}
	v := jobView(j, d.now())
	v.SchedulesPaused = d.env.SchedulesPaused(ctx)
	return v, nil
}

// Views returns every job with its next and last scheduled run.
func (d *Definitions) Views(ctx context.Context) ([]JobView, error) {
	all, err := d.st.ListJobs(ctx)
	if err != nil {
		return nil, err
	}
	paused, now := d.env.SchedulesPaused(ctx), d.now()
	out := make([]JobView, 0, len(all))
	for _, j := range all {
		v := jobView(j, now)
		v.SchedulesPaused = paused
		out = append(out, v)
	}
	return out, nil
}

func jobView(j store.Job, now time.Time) JobView {
	v := JobView{Job: j}
	if j.LastScheduledAt != nil && j.LastScheduledAt.After(j.CreatedAt) {
		v.LastScheduled = j.LastScheduledAt
	}
	desc, err := Describe(j.Schedule)
	if err != nil {
		desc = Description{Kind: KindCron, Expr: j.Schedule}
	}
	v.ScheduleDescription = desc
	if !j.Enabled || j.Schedule == "" || err != nil {
		return v
	}
	sched, _ := ParseSchedule(j.Schedule)
	last := j.CreatedAt
	if j.LastScheduledAt != nil {
		last = *j.LastScheduledAt
	}
	next := sched.Next(last)
	if next.IsZero() {
		return v
	}
	if next.Before(now) {
		next = now // overdue: the scheduler's next tick starts it
	}
	v.NextRun = &next
	return v
}

// rpoSpan is how far ahead a schedule is checked against the RPO.
const rpoSpan = 14 * 24 * time.Hour

// ScheduleDescription answers the job wizard while a schedule is typed:
// the schedule as data, its next five runs, and whether it can keep a
// server's newest backup within its RPO. Error is Go's sentence for an
// expression the scheduler would refuse (then nothing else is set).
type ScheduleDescription struct {
	Description
	Next  []time.Time `json:"next" ts_type:"string[]"`
	Error string      `json:"error,omitempty"`
	// GapSeconds is the longest time between consecutive runs over the
	// next two weeks, starting at GapAfter; RPOSeconds is the server's RPO.
	// MissesRPO: the gap is longer, so even when every run succeeds the
	// newest backup gets older than the RPO.
	GapSeconds int64      `json:"gap_seconds"`
	GapAfter   *time.Time `json:"gap_after" ts_type:"string"`
	RPOSeconds int64      `json:"rpo_seconds"`
	MissesRPO  bool       `json:"misses_rpo"`
}

// DescribeSchedule describes a schedule for the job wizard, checked
// against the RPO of server (a name, uuid or id; "" for rpo.default).
func (d *Definitions) DescribeSchedule(ctx context.Context, expr, server string) (ScheduleDescription, error) {
	rpo := d.env.RPO(ctx, "")
	if server != "" {
		sv, err := d.env.Server(ctx, server)
		if err != nil {
			return ScheduleDescription{}, err
		}
		if v := d.env.RPO(ctx, sv.Name); v > 0 {
			rpo = v
		}
	}
	return describeSchedule(expr, rpo, d.now()), nil
}

func describeSchedule(expr string, rpo time.Duration, now time.Time) ScheduleDescription {
	desc, err := Describe(expr)
	if err != nil {
		return ScheduleDescription{Error: err.Error()}
	}
	out := ScheduleDescription{Description: desc, Next: []time.Time{}, RPOSeconds: int64(rpo / time.Second)}
	if desc.Kind == KindManual {
		return out
	}
	sched, _ := ParseSchedule(expr)
	out.Next = sched.NextN(now, 5)
	gap, after := sched.LargestGap(now, rpoSpan)
	if after.IsZero() {
		return out // never fires again: nothing to measure
	}
	out.GapSeconds, out.GapAfter = int64(gap/time.Second), &after
	out.MissesRPO = rpo > 0 && gap > rpo
	return out
}
