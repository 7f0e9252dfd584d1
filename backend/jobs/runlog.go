package jobs

import (
	"fmt"
	"strings"
	"time"

	"borgdesk/backend/shared/agentapi"
	"borgdesk/backend/shared/units"
	"borgdesk/backend/store"
)

// RunLog is what a backup run's log shows: the agent's lines, then what
// borg reported (the archive and its statistics), its warnings in full and
// the error in full. The run's error column keeps its one-line summary for
// lists and notifications; the log is where the operator reads the rest.
func RunLog(res agentapi.BackupResult, status, warnings, errText string) string {
	var b strings.Builder
	b.WriteString(strings.TrimRight(res.Log, "\n"))
	section := func(title string) {
		if b.Len() > 0 {
			b.WriteString("\n\n")
		}
		b.WriteString("== " + title + " ==\n")
	}
	if status != store.RunFailed && status != store.RunCancelled && res.Archive != "" {
		section("borg create")
		row := func(k, v string) { fmt.Fprintf(&b, "%-14s %s\n", k, v) }
		id := res.ArchiveID
		if len(id) > 16 {
			id = id[:16] + "…"
		}
		row("archive", strings.TrimSpace(res.Archive+" "+id))
		row("files", fmt.Sprint(res.Files))
		row("original", units.Bytes(res.Bytes))
		row("compressed", units.Bytes(res.Compressed))
		row("deduplicated", units.Bytes(res.Deduplicated))
		if res.DurationSec > 0 {
			row("duration", (time.Duration(res.DurationSec * float64(time.Second))).Round(time.Second).String())
		}
		if res.Verified {
			row("verified", "the archive is listed in the repository")
		}
	}
	if warnings != "" {
		section("warnings")
		b.WriteString(strings.TrimRight(warnings, "\n") + "\n")
	}
	if errText != "" && status == store.RunFailed {
		section("error")
		b.WriteString(strings.TrimRight(errText, "\n") + "\n")
	}
	return strings.TrimLeft(b.String(), "\n")
}

// Timeline is where a run's time went, appended to its log: queued,
// handed to the agent, borg started and done (the agent's clock), the
// agent's report, the coordinator's confirmation of the archive. Each step
// is shown with the time since the one before, so the operator (and make
// bench) sees the fixed cost around borg.
func Timeline(r store.Run, t store.Task, res agentapi.BackupResult, verified *time.Time) string {
	type step struct {
		name string
		at   *time.Time
	}
	queued := r.StartedAt
	steps := []step{{"queued", &queued}, {"dispatched", t.DispatchedAt}, {"agent started", t.StartedAt},
		{"borg started", res.BorgStarted}, {"borg done", res.BorgDone}, {"reported", t.FinishedAt}, {"verified", verified}}
	var b strings.Builder
	b.WriteString("\n== timeline ==\n")
	var prev *time.Time
	n := 0
	for _, s := range steps {
		if s.at == nil || s.at.IsZero() {
			continue
		}
		n++
		since := ""
		if prev != nil {
			since = "+" + s.at.Sub(*prev).Round(time.Millisecond).String()
		}
		fmt.Fprintf(&b, "%-14s %s %s\n", s.name, s.at.UTC().Format("15:04:05.000"), since)
		prev = s.at
	}
	if n == 0 {
		return ""
	}
	return b.String()
}
