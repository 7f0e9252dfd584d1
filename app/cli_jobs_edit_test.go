package app

import (
	"context"
	"encoding/json"
	"slices"
	"strings"
	"testing"

	"borgdesk/backend/service"
)

// TestJobLifecycleCLI edits, pauses, duplicates and deletes a job through
// `borgdesk serve`'s socket, and deletes a job with its archives from a
// repository real borg made: only that job's archives go, and one kept
// forever stays.
func TestJobLifecycleCLI(t *testing.T) {
	ctx := context.Background()
	const uuid = "7d1e2f3a-4b5c-4d6e-8f90-a1b2c3d4e5f6"
	made := []string{"etc@2026-01-01T10.00.00Z", "etc@2026-01-02T10.00.00Z", "etc@2026-01-03T10.00.00Z", "db@2026-01-01T10.00.00Z"}
	dir, _, inRepo := repoDataDir(t, uuid, made...)
	startServe(t, dir)
	cli := func(args ...string) result { return runCLI(ctx, nil, append([]string{"--data", dir}, args...)...) }
	must := func(args ...string) string {
		t.Helper()
		r := cli(args...)
		if r.code != exitOK {
			t.Fatalf("%v = %+v", args, r)
		}
		return r.stdout
	}
	show := func(job string) service.JobView {
		t.Helper()
		var v service.JobView
		if err := json.Unmarshal([]byte(must("job", "show", job, "--json")), &v); err != nil {
			t.Fatal(err)
		}
		return v
	}
	// Back up now for a server: every enabled job, the paused ones named.
	must("job", "create", "--server", "web1", "--name", "www", "--paths", "/var/www")
	must("job", "create", "--server", "web1", "--name", "home", "--paths", "/home")
	must("job", "disable", "home")
	var sb service.ServerBackup
	if err := json.Unmarshal([]byte(must("server", "backup", "web1", "--json")), &sb); err != nil {
		t.Fatal(err)
	}
	if len(sb.Runs) != 1 || sb.Runs[0].JobName != "www" || !slices.Equal(sb.Paused, []string{"home"}) {
		t.Errorf("server backup = %+v; want a run of www and home named paused", sb)
	}

	must("job", "create", "--server", "web1", "--name", "etc", "--paths", "/etc", "--schedule", "0 3 * * *", "--keep-daily", "7")
	before := show("web1/etc")

	// A preview says what would change and changes nothing.
	out := must("job", "edit", "etc", "--dry-run", "--exclude", "*.tmp", "--keep-daily", "9")
	if !strings.Contains(out, "would change (nothing was changed)") || !strings.Contains(out, "spec.excludes") || !strings.Contains(out, "keep.daily") {
		t.Errorf("job edit --dry-run said:\n%s", out)
	}
	if v := show("etc"); v.Spec != before.Spec || v.Keep != before.Keep {
		t.Errorf("a preview changed the job: %+v", v)
	}
	// The edit: only the fields given change, the others are kept.
	var ed service.JobEdit
	if err := json.Unmarshal([]byte(must("job", "edit", "etc", "--exclude", "*.tmp", "--keep-daily", "9", "--json")), &ed); err != nil {
		t.Fatal(err)
	}
	var fields []string
	for _, c := range ed.Changes {
		fields = append(fields, c.Field)
	}
	if !ed.Applied || !slices.Equal(fields, []string{"spec.excludes", "keep.daily"}) {
		t.Errorf("job edit = applied %v, changes %v; want spec.excludes and keep.daily applied", ed.Applied, fields)
	}
	in := show("etc")
	if !strings.Contains(in.Spec, `"paths":["/etc"]`) || !strings.Contains(in.Spec, `"excludes":["*.tmp"]`) || !strings.Contains(in.Keep, `"daily":9`) || in.Schedule != "0 3 * * *" {
		t.Errorf("after the edit: spec %s keep %s schedule %q", in.Spec, in.Keep, in.Schedule)
	}
	if out := must("job", "edit", "etc", "--keep-daily", "9"); !strings.Contains(out, "nothing to change") {
		t.Errorf("an edit that changes nothing said %q", out)
	}
	// Refused edits change nothing and say why.
	for _, tc := range []struct {
		args []string
		says string
	}{
		{[]string{"job", "edit", "etc", "--mysql", "all"}, "its kind cannot become"},
		{[]string{"job", "edit", "etc", "--schedule", "61 * * * *"}, "schedule"},
		{[]string{"job", "edit", "etc", "--paths", "relative/dir"}, "must be absolute"},
		{[]string{"job", "edit", "nosuch", "--keep-daily", "1"}, "nosuch"},
	} {
		if r := cli(tc.args...); r.code == exitOK || !strings.Contains(r.stderr, tc.says) {
			t.Errorf("%v = %+v; want a refusal saying %q", tc.args, r, tc.says)
		}
	}
	if v := show("etc"); v.Spec != in.Spec || v.Schedule != in.Schedule {
		t.Errorf("a refused edit changed the job: %+v", v)
	}

	// Paused: no next run, kept as it is; resumed: a next run again.
	must("job", "disable", "etc")
	if v := show("etc"); v.Enabled || v.NextRun != nil {
		t.Errorf("a paused job: enabled %v, next run %v", v.Enabled, v.NextRun)
	}
	must("job", "duplicate", "etc", "etc2")
	if v := show("web1/etc2"); v.Enabled || v.Spec != in.Spec || v.Keep != in.Keep {
		t.Errorf("the copy of a paused job: %+v", v)
	}
	must("job", "enable", "etc")
	if v := show("etc"); !v.Enabled || v.NextRun == nil {
		t.Errorf("a resumed job: enabled %v, next run %v", v.Enabled, v.NextRun)
	}

	// Deleted without its archives: they stay.
	must("job", "delete", "etc2")
	if r := cli("job", "show", "etc2"); r.code == exitOK {
		t.Errorf("a deleted job still shows: %+v", r)
	}
	// With its archives: only after its name is typed; only its archives
	// go, and one kept forever stays.
	for _, args := range [][]string{{"job", "delete", "etc", "--with-archives"}, {"job", "delete", "etc", "--with-archives", "--confirm", "etc2"}} {
		if r := cli(args...); r.code == exitOK || !strings.Contains(r.stderr, "--confirm etc") {
			t.Errorf("%v = %+v; want a refusal asking for --confirm etc", args, r)
		}
	}
	if got := inRepo(); !slices.Equal(got, made) {
		t.Fatalf("refused deletes changed the repository: %v", got)
	}
	must("archive", "keep", "web1", made[0])
	var del service.JobDeleted
	if err := json.Unmarshal([]byte(must("job", "delete", "etc", "--with-archives", "--confirm", "etc", "--json")), &del); err != nil {
		t.Fatal(err)
	}
	if !slices.Equal(del.ArchivesDeleted, made[1:3]) {
		t.Errorf("deleted archives %v; want %v", del.ArchivesDeleted, made[1:3])
	}
	if got, want := inRepo(), []string{made[0], made[3]}; !slices.Equal(got, want) {
		t.Errorf("after the delete the repository holds %v; want %v", got, want)
	}
	if r := cli("job", "show", "etc"); r.code == exitOK {
		t.Errorf("the job deleted with its archives still shows: %+v", r)
	}
}
