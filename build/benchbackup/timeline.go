package main

import (
	"fmt"
	"os"
	"slices"
	"strings"
	"time"
)

// timelineSteps are the steps of a run's timeline (jobs.Timeline), in order.
var timelineSteps = []string{"queued", "dispatched", "agent started", "borg started", "borg done", "reported", "verified"}

// timeline reads the "== timeline ==" section of a run's log: each step's
// time since the one before.
func timeline(log string) map[string]time.Duration {
	out := map[string]time.Duration{}
	_, sec, ok := strings.Cut(log, "== timeline ==\n")
	if !ok {
		return out
	}
	for _, line := range strings.Split(sec, "\n") {
		for _, step := range timelineSteps {
			rest, ok := strings.CutPrefix(line, step+" ")
			if !ok {
				continue
			}
			f := strings.Fields(rest)
			if len(f) == 2 {
				if d, err := time.ParseDuration(strings.TrimPrefix(f[1], "+")); err == nil {
					out[step] = d
				}
			}
		}
	}
	return out
}

// printTimeline prints the median of each step's share over the rounds.
func printTimeline(tls []map[string]time.Duration) {
	if len(tls) == 0 || len(tls[0]) == 0 {
		fmt.Println("the job's timeline: none in its run log")
		return
	}
	fmt.Println("the job's timeline (run log; median time since the step before):")
	for _, step := range timelineSteps[1:] {
		var ds []time.Duration
		for _, tl := range tls {
			if d, ok := tl[step]; ok {
				ds = append(ds, d)
			}
		}
		if len(ds) == 0 {
			continue
		}
		slices.Sort(ds)
		fmt.Printf("  → %-14s %8.3f s\n", step, ds[len(ds)/2].Seconds())
	}
}

// loadavg is the machine's 1-minute load average.
func loadavg() string {
	raw, _ := os.ReadFile("/proc/loadavg")
	if f := strings.Fields(string(raw)); len(f) > 0 {
		return f[0]
	}
	return "?"
}
