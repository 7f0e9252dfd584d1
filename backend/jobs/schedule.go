// Package jobs holds what the coordinator decides about its jobs and when:
// the orchestrator that runs everything later or in the background, a
// schedule described as data for the window, and the retention values it
// accepts. Reading a cron schedule and naming archives is in
// backend/shared/schedule, which the agent uses too; the names below
// forward to it so the coordinator's callers keep their spelling. The
// agent never imports this package. Nothing the orchestrator starts
// outlives it, and the run queue never talks to an agent (the fleet hands
// out tasks) nor touches a repository itself (its RunEnv does).
package jobs

import (
	"regexp"
	"time"

	"borgdesk/backend/shared/schedule"
)

// Schedule is a parsed cron expression (schedule.Schedule).
type Schedule = schedule.Schedule

// ParseSchedule is schedule.Parse.
func ParseSchedule(expr string) (Schedule, error) { return schedule.Parse(expr) }

// ArchivePrefix is schedule.ArchivePrefix: prune is limited to it.
func ArchivePrefix(job string) string { return schedule.ArchivePrefix(job) }

// ArchiveName is schedule.ArchiveName: a job's archive made at t.
func ArchiveName(job string, t time.Time) string { return schedule.ArchiveName(job, t) }

var within = regexp.MustCompile(`^[1-9][0-9]*[HdwmyY]$`)

// ValidWithin checks a --keep-within value ("48H", "7d", "2w", "6m", "1y").
func ValidWithin(s string) bool { return s == "" || within.MatchString(s) }
