// Package schedule reads the cron schedules of backup jobs (with a
// CRON_TZ= time zone) and names the archives their runs make. The
// coordinator's scheduler and an agent running its signed schedule while
// the coordinator is away must agree on both, so both use this package;
// it holds no queue, no state and no clock of its own.
package schedule

import (
	"fmt"
	"strings"
	"time"

	"github.com/robfig/cron/v3"
)

var parser = cron.NewParser(cron.Minute | cron.Hour | cron.Dom | cron.Month | cron.Dow | cron.Descriptor)

// Schedule is a parsed cron expression.
type Schedule struct {
	expr  string
	sched cron.Schedule
}

// Parse reads "*/5 * * * *", "@daily" or "CRON_TZ=Europe/Paris 0 3 * * *".
func Parse(expr string) (Schedule, error) {
	expr = strings.TrimSpace(expr)
	s, err := parser.Parse(expr)
	if err != nil {
		return Schedule{}, fmt.Errorf("schedule %q: %v (use five cron fields like \"0 3 * * *\", optionally after CRON_TZ=Area/City)", expr, err)
	}
	return Schedule{expr: expr, sched: s}, nil
}

// Cron is the parsed form, for a caller that reads its fields (the
// coordinator describes a schedule in words from it).
func (s Schedule) Cron() cron.Schedule { return s.sched }

// Next is the first slot after t.
func (s Schedule) Next(t time.Time) time.Time { return s.sched.Next(t) }

// Due reports whether a slot fell in (last, now]: the job should run once,
// however many slots were missed.
func (s Schedule) Due(last, now time.Time) bool {
	next := s.sched.Next(last)
	return !next.IsZero() && !next.After(now)
}

// NextN lists the first n slots after t.
func (s Schedule) NextN(t time.Time, n int) []time.Time {
	out := make([]time.Time, 0, n)
	for len(out) < n {
		t = s.sched.Next(t)
		if t.IsZero() {
			break
		}
		out = append(out, t)
	}
	return out
}

// LargestGap is the longest time between consecutive slots over span from
// t (the pair that crosses the span's end counts): how old the newest
// backup can get even when every run succeeds. after is the slot the gap
// starts at; zero when the schedule never fires.
func (s Schedule) LargestGap(t time.Time, span time.Duration) (gap time.Duration, after time.Time) {
	end := t.Add(span)
	prev := s.sched.Next(t)
	for !prev.IsZero() && !prev.After(end) {
		next := s.sched.Next(prev)
		if next.IsZero() {
			break
		}
		if g := next.Sub(prev); g > gap {
			gap, after = g, prev
		}
		prev = next
	}
	return gap, after
}

// ArchivePrefix is the prefix of every archive of a job; prune is limited to it.
func ArchivePrefix(job string) string { return job + "@" }

// ArchiveName names a job's archive made at t.
func ArchiveName(job string, t time.Time) string {
	return ArchivePrefix(job) + t.UTC().Format("2006-01-02T15.04.05Z")
}
