package app

import (
	"context"
	"encoding/csv"
	"encoding/json"
	"strings"
	"testing"
)

// TestEventsHistory asks a running coordinator for its history with the
// filters of `borgdesk events`: settings changes and enrollment tokens
// make the events.
func TestEventsHistory(t *testing.T) {
	dir := t.TempDir()
	startServe(t, dir)
	ctx := context.Background()
	cli := func(args ...string) result { return runCLI(ctx, nil, append([]string{"--data", dir}, args...)...) }
	for _, args := range [][]string{
		{"settings", "set", "rpo.default", "48h"},
		{"settings", "set", "drill.stale_days", "40"},
		{"token", "create", "--name", "web1"},
	} {
		if r := cli(args...); r.code != 0 {
			t.Fatalf("%v = %+v", args, r)
		}
	}
	var evs []struct {
		Kind, Message, Severity string
	}
	r := cli("events", "--kind", "settings:changed", "--json")
	if r.code != 0 || json.Unmarshal([]byte(r.stdout), &evs) != nil || len(evs) != 2 || evs[0].Message != "drill.stale_days changed" || evs[0].Severity != "info" {
		t.Fatalf("events --kind settings:changed --json = %+v; want the two changes, newest first", r)
	}
	if r := cli("events", "--search", "RPO.DEFAULT"); r.code != 0 || !strings.Contains(r.stdout, "rpo.default changed") || strings.Contains(r.stdout, "drill.stale_days") {
		t.Errorf("events --search = %+v", r)
	}
	if r := cli("events", "--search", "web1", "--since", "1h", "--kind", "server:changed,settings:changed"); r.code != 0 || !strings.Contains(r.stdout, "enrollment token") {
		t.Errorf("events --search web1 --since 1h = %+v", r)
	}
	if r := cli("events", "--until", "2000-01-01"); r.code != 0 || !strings.Contains(r.stdout, "No events match.") {
		t.Errorf("events --until 2000-01-01 = %+v", r)
	}
	r = cli("events", "--csv", "--limit", "2")
	rows, err := csv.NewReader(strings.NewReader(r.stdout)).ReadAll()
	if r.code != 0 || err != nil || len(rows) != 3 || rows[0][0] != "id" || !strings.Contains(rows[1][7], "enrollment token") {
		t.Errorf("events --csv --limit 2 = %+v (%v); want a header and the two newest", r, err)
	}
	for _, c := range []struct {
		args []string
		code int
		says string
	}{
		{[]string{"events", "--severity", "loud"}, exitError, "use info, warning or error"},
		{[]string{"events", "--server", "nope"}, exitError, `server "nope"`},
		{[]string{"events", "--since", "last tuesday"}, exitError, "2025-03-01"},
		{[]string{"events", "--csv", "--json"}, exitUsage, "choose one"},
		{[]string{"events", "--limit", "0"}, exitUsage, "give 1 or more"},
		{[]string{"events", "--follow", "--severity", "error"}, exitUsage, "leave out --follow"},
	} {
		if r := cli(c.args...); r.code != c.code || !strings.Contains(r.stderr, c.says) {
			t.Errorf("%v = %+v; want exit %d saying %q", c.args, r, c.code, c.says)
		}
	}
}
