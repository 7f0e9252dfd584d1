package service

import (
	"context"
	"time"

	"borgdesk/backend/jobs"
	"borgdesk/backend/store"
)

// JobView is a job as the window lists it: its schedule as data to say in
// words, when it runs next and when its schedule last fell due. The cron
// parser in backend/jobs is the one authority on all three.
type JobView struct {
	store.Job
	ScheduleDescription jobs.Description `json:"schedule_description"`
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

// ListJobViews returns every job with its next and last scheduled run.
func (s *Service) ListJobViews(ctx context.Context) ([]JobView, error) {
	all, err := s.st.ListJobs(ctx)
	if err != nil {
		return nil, err
	}
	paused, now := s.SchedulesPaused(ctx), s.now()
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
	desc, err := jobs.Describe(j.Schedule)
	if err != nil {
		desc = jobs.Description{Kind: jobs.KindCron, Expr: j.Schedule}
	}
	v.ScheduleDescription = desc
	if !j.Enabled || j.Schedule == "" || err != nil {
		return v
	}
	sched, _ := jobs.ParseSchedule(j.Schedule)
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
	jobs.Description
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
func (s *Service) DescribeSchedule(ctx context.Context, expr, server string) (ScheduleDescription, error) {
	rpo := s.rpo(ctx, "")
	if server != "" {
		sv, err := s.Server(ctx, server)
		if err != nil {
			return ScheduleDescription{}, err
		}
		if v := s.rpo(ctx, sv.Name); v > 0 {
			rpo = v
		}
	}
	return describeSchedule(expr, rpo, s.now()), nil
}

func describeSchedule(expr string, rpo time.Duration, now time.Time) ScheduleDescription {
	desc, err := jobs.Describe(expr)
	if err != nil {
		return ScheduleDescription{Error: err.Error()}
	}
	out := ScheduleDescription{Description: desc, Next: []time.Time{}, RPOSeconds: int64(rpo / time.Second)}
	if desc.Kind == jobs.KindManual {
		return out
	}
	sched, _ := jobs.ParseSchedule(expr)
	out.Next = sched.NextN(now, 5)
	gap, after := sched.LargestGap(now, rpoSpan)
	if after.IsZero() {
		return out // never fires again: nothing to measure
	}
	out.GapSeconds, out.GapAfter = int64(gap/time.Second), &after
	out.MissesRPO = rpo > 0 && gap > rpo
	return out
}
