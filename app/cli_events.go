package app

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"time"

	"borgdesk/backend/events"
	"borgdesk/backend/store"
)

// cmdEvents prints the event history, newest last like a log, or follows
// the live events.
func cmdEvents(ctx context.Context, g *globals, args []string, e env) error {
	cl := newCmdline("events", g, e, "print JSON (one object per line with --follow)")
	follow := cl.Bool("follow", false, "keep printing new events as they happen")
	limit := cl.Int("limit", 50, "how many events at most (the newest)")
	var q events.Query
	cl.StringVar(&q.Server, "server", "", "only the events of this server (name, id or uuid)")
	cl.StringVar(&q.Job, "job", "", "only the events of this job (id, name or SERVER/JOB)")
	kinds := cl.String("kind", "", "only these kinds, comma-separated (run:progress, server:changed, notification, …)")
	cl.StringVar(&q.Severity, "severity", "", "the mildest severity shown: info, warning or error")
	since := cl.String("since", "", "only events since a time ago (24h, 90m) or a time (2025-03-01, 2025-03-01T14:00:00Z)")
	until := cl.String("until", "", "only events before a time ago or a time")
	cl.StringVar(&q.Search, "search", "", "only events whose message or subject holds this text")
	asCSV := cl.Bool("csv", false, "print CSV (a header line, then one event a line, newest first)")
	c, err := cl.open(args, 0, 0, "")
	if err != nil {
		return err
	}
	if *follow {
		if q.Server != "" || q.Job != "" || *kinds != "" || q.Severity != "" || *since != "" || *until != "" || q.Search != "" || *asCSV {
			return usageError{"--follow prints every live event; the filters and --csv are for the history (leave out --follow)"}
		}
		return followEvents(ctx, cl, e)
	}
	if *asCSV && cl.json() {
		return usageError{"--csv and --json: choose one"}
	}
	if *limit < 1 {
		return usageError{fmt.Sprintf("--limit %d: give 1 or more", *limit)}
	}
	if *kinds != "" {
		for _, k := range strings.Split(*kinds, ",") {
			if k = strings.TrimSpace(k); k != "" {
				q.Kinds = append(q.Kinds, k)
			}
		}
	}
	now := time.Now()
	if q.From, err = timeFlag("--since", *since, now); err != nil {
		return err
	}
	if q.Until, err = timeFlag("--until", *until, now); err != nil {
		return err
	}
	var evs []store.Event
	for len(evs) < *limit {
		q.Limit = min(*limit-len(evs), events.MaxPage)
		p, err := c.QueryEvents(ctx, q)
		if err != nil {
			return err
		}
		evs = append(evs, p.Events...)
		if p.Next == 0 {
			break
		}
		q.Before = p.Next
	}
	if *asCSV {
		return events.WriteCSV(e.stdout, evs)
	}
	return cl.print(evs, nil, func() error {
		if len(evs) == 0 {
			fmt.Fprintln(e.stdout, "No events match.")
			return nil
		}
		rows := make([][]string, 0, len(evs))
		for i := len(evs) - 1; i >= 0; i-- { // oldest first, like a log
			ev := evs[i]
			rows = append(rows, []string{fmtTime(ev.At), ev.Severity, ev.Kind, orDash(ev.ServerName), strings.ReplaceAll(ev.Message, "\n", " ")})
		}
		return printTable(e.stdout, []string{"TIME", "SEVERITY", "KIND", "SERVER", "MESSAGE"}, rows)
	})
}

func followEvents(ctx context.Context, cl *cmdline, e env) error {
	c, err := cl.client()
	if err != nil {
		return err
	}
	err = c.StreamEvents(ctx, func(ev store.Event) error {
		if cl.json() {
			return printJSONLine(e.stdout, ev)
		}
		_, err := fmt.Fprintf(e.stdout, "%s  %-18s %s\n", fmtTime(ev.At), ev.Kind, ev.Message)
		return err
	})
	if errors.Is(err, context.Canceled) {
		return nil
	}
	return err
}

// timeFlag reads --since or --until: a duration back from now ("24h"), or
// a time the coordinator reads (RFC 3339 or a date), passed on as it is.
func timeFlag(name, v string, now time.Time) (string, error) {
	v = strings.TrimSpace(v)
	if v == "" {
		return "", nil
	}
	if d, err := time.ParseDuration(v); err == nil {
		if d < 0 {
			return "", usageError{fmt.Sprintf("%s %s: a duration back from now is positive (24h)", name, v)}
		}
		return now.Add(-d).UTC().Format(time.RFC3339), nil
	}
	if days, ok := strings.CutSuffix(v, "d"); ok {
		var n int
		if _, err := fmt.Sscanf(days, "%d", &n); err == nil && n > 0 && fmt.Sprint(n) == days {
			return now.AddDate(0, 0, -n).UTC().Format(time.RFC3339), nil
		}
	}
	return v, nil
}

func orDash(s string) string {
	if s == "" {
		return "-"
	}
	return s
}
