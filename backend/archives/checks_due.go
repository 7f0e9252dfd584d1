package archives

import (
	"context"
	"sync"
	"time"

	"borgdesk/backend/jobs"
	"borgdesk/backend/store"
)

// DueChecks keeps the schedules of the repository checks: `borg check`
// (setting check.schedule) and, on a slower one, `--verify-data`
// (check.verify_data_schedule), counted from the coordinator's start.
type DueChecks struct {
	mu                 sync.Mutex
	lastCheck, lastVer time.Time
}

// Due says whether checks are due at now, and with --verify-data; a due
// check counts as started.
func (d *DueChecks) Due(ctx context.Context, setting func(context.Context, string) (string, error), now time.Time) (check, verify bool) {
	d.mu.Lock()
	defer d.mu.Unlock()
	if d.lastCheck.IsZero() {
		d.lastCheck, d.lastVer = now, now // count from start-up
	}
	due := func(key string, last time.Time) bool {
		expr, err := setting(ctx, key)
		if err != nil || expr == "" {
			return false
		}
		sched, err := jobs.ParseSchedule(expr)
		return err == nil && sched.Due(last, now)
	}
	verify = due("check.verify_data_schedule", d.lastVer)
	check = verify || due("check.schedule", d.lastCheck)
	if verify {
		d.lastVer = now
	}
	if check {
		d.lastCheck = now
	}
	return check, verify
}

// CheckAll checks every server's repository, one after another, until
// ctx ends (the scheduled checks; failures are told by Check's events).
func (a *Archives) CheckAll(ctx context.Context, verifyData bool) {
	if a.repos == nil {
		return
	}
	servers, err := a.st.ListServers(ctx)
	if err != nil {
		return
	}
	for _, sv := range servers {
		if sv.Status == store.ServerRevoked || ctx.Err() != nil {
			continue
		}
		if _, err := a.repos.Repo(sv.UUID); err != nil {
			continue // no repository yet
		}
		a.Check(ctx, sv.UUID, verifyData)
	}
}
