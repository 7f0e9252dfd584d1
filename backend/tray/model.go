package tray

import (
	"context"
	"fmt"
	"runtime"
	"slices"
	"strconv"
	"strings"

	"borgdesk/backend/service"
	"borgdesk/backend/store"
)

// maxFailures is how many failed runs "Last failures" lists.
const maxFailures = 5

// recentRuns is how far back "Last failures" looks for them.
const recentRuns = 200

// view is what the menu shows, read from the Source in one go.
type view struct {
	state   string // green, amber, red; "" unknown
	status  string
	paused  bool
	servers []serverEntry
	fails   []failure
}

type serverEntry struct {
	label string
	jobs  []string // job ids, as RunJob takes them
}

type failure struct {
	label string
	route string
}

// read builds the view. A source that cannot answer gives a grey icon and
// says why, instead of a stale green.
func read(ctx context.Context, src Source) view {
	h, err := src.Health(ctx)
	if err != nil {
		return view{status: "Status unknown: " + err.Error(), paused: src.SchedulesPaused(ctx)}
	}
	v := view{state: h.State, status: h.Summary + worstReason(h), paused: src.SchedulesPaused(ctx)}
	if len(h.Servers) == 0 {
		v.state, v.status = "", "No servers yet"
	}
	jobs, err := src.ListJobs(ctx)
	if err != nil {
		jobs = nil
	}
	v.servers = servers(h.Servers, jobs)
	if runs, err := src.ListRuns(ctx, recentRuns); err == nil {
		v.fails = failures(runs)
	}
	return v
}

func servers(hs []service.ServerHealth, jobs []store.Job) []serverEntry {
	byServer := map[int64][]string{}
	for _, j := range jobs {
		if j.Enabled {
			byServer[j.ServerID] = append(byServer[j.ServerID], strconv.FormatInt(j.ID, 10))
		}
	}
	out := make([]serverEntry, 0, len(hs))
	for _, s := range hs {
		e := serverEntry{label: s.Name, jobs: byServer[s.ID]}
		if len(e.jobs) == 0 {
			e.label += " (no backup job)"
		}
		out = append(out, e)
	}
	slices.SortStableFunc(out, func(a, b serverEntry) int { return strings.Compare(a.label, b.label) })
	return out
}

func failures(runs []store.Run) []failure {
	var out []failure
	for _, r := range runs {
		if r.Status != store.RunFailed {
			continue
		}
		label := fmt.Sprintf("%s/%s, %s", r.ServerName, r.JobName, r.StartedAt.Local().Format("Jan 2 15:04"))
		if r.Error != "" {
			label += ": " + shorten(r.Error, 60)
		}
		out = append(out, failure{label: label, route: RunRoute(r.JobID, r.ID)})
		if len(out) == maxFailures {
			break
		}
	}
	return out
}

// RunRoute is the window's page that shows a run's log.
func RunRoute(jobID, runID int64) string {
	return fmt.Sprintf("/jobs/%d?run=%d", jobID, runID)
}

func shorten(s string, n int) string {
	s = strings.Join(strings.Fields(s), " ")
	if r := []rune(s); len(r) > n {
		return string(r[:n-1]) + "…"
	}
	return s
}

// statusLine is the menu's first line and the tooltip.
// worstReason names the first reason of the first server in the fleet's
// state ("· web1: job db: last run failed"), so the tray says which job.
func worstReason(h service.FleetHealth) string {
	if h.State == service.HealthGreen {
		return ""
	}
	for _, s := range h.Servers {
		if s.State == h.State && len(s.Reasons) > 0 {
			return " · " + s.Name + ": " + s.Reasons[0]
		}
	}
	return ""
}

func (v view) statusLine() string {
	if v.paused {
		return v.status + " · schedules paused"
	}
	return v.status
}

// label escapes a menu label: dbusmenu (Linux and the BSDs) reads "_" as a
// mnemonic marker.
func label(s string) string {
	if runtime.GOOS == "windows" || runtime.GOOS == "darwin" {
		return s
	}
	return strings.ReplaceAll(s, "_", "__")
}
