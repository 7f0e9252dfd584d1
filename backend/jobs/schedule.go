// Package jobs holds what the scheduler decides — cron schedules (with a
// CRON_TZ= time zone), which runs are due, including one catch-up run for
// slots missed while the coordinator was closed, and archive naming — and
// the orchestrator that runs everything later or in the background.
package jobs

import (
	"fmt"
	"regexp"
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

// ParseSchedule reads "*/5 * * * *", "@daily" or "CRON_TZ=Europe/Paris 0 3 * * *".
func ParseSchedule(expr string) (Schedule, error) {
	expr = strings.TrimSpace(expr)
	s, err := parser.Parse(expr)
	if err != nil {
		return Schedule{}, fmt.Errorf("schedule %q: %v (use five cron fields like \"0 3 * * *\", optionally after CRON_TZ=Area/City)", expr, err)
	}
	return Schedule{expr: expr, sched: s}, nil
}

// Next is the first slot after t.
func (s Schedule) Next(t time.Time) time.Time { return s.sched.Next(t) }

// Due reports whether a slot fell in (last, now]: the job should run once,
// however many slots were missed.
func (s Schedule) Due(last, now time.Time) bool {
	next := s.sched.Next(last)
	return !next.IsZero() && !next.After(now)
}

// ArchivePrefix is the prefix of every archive of a job; prune is limited to it.
func ArchivePrefix(job string) string { return job + "@" }

// ArchiveName names a job's archive made at t.
func ArchiveName(job string, t time.Time) string {
	return ArchivePrefix(job) + t.UTC().Format("2006-01-02T15.04.05Z")
}

var within = regexp.MustCompile(`^[1-9][0-9]*[HdwmyY]$`)

// ValidWithin checks a --keep-within value ("48H", "7d", "2w", "6m", "1y").
func ValidWithin(s string) bool { return s == "" || within.MatchString(s) }
