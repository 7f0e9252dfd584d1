package app

import (
	"context"
	"encoding/json"
	"slices"
	"strings"
	"testing"

	"borgdesk/backend/service"
)

// TestArchiveCommandsCLI keeps, renames and deletes archives real borg
// made in the coordinator's data dir, through `borgdesk serve`'s socket,
// and checks each against `borg list` and `archive list`.
func TestArchiveCommandsCLI(t *testing.T) {
	ctx := context.Background()
	const uuid = "3c9a1e5f-7b2d-4a86-9e0f-1d2c3b4a5968"
	names := []string{"etc@2026-01-01T10.00.00Z", "etc@2026-01-02T10.00.00Z"}
	dir, _, inRepo := repoDataDir(t, uuid, names...)
	startServe(t, dir)
	cli := func(args ...string) result { return runCLI(ctx, nil, append([]string{"--data", dir}, args...)...) }

	// Mistakes said before anything is asked, each with what to do.
	for _, tc := range []struct {
		args []string
		says string
	}{
		{[]string{"archive", "delete", "web1", names[0]}, "repeat its name to confirm: borgdesk archive delete web1 " + names[0] + " --confirm " + names[0]},
		{[]string{"archive", "delete", "web1", names[0], "--confirm", names[1]}, "repeat its name to confirm"},
		{[]string{"archive", "rename", "web1", names[0], "etc@a b"}, "has a space"},
		{[]string{"archive", "rename", "web1", names[0]}, "usage: borgdesk archive rename SERVER ARCHIVE NEWNAME"},
	} {
		if r := cli(tc.args...); r.code != exitUsage || !strings.Contains(r.stderr, tc.says) {
			t.Errorf("%v = %+v; want exit %d saying %q", tc.args, r, exitUsage, tc.says)
		}
	}
	if r := cli("archive", "delete", "web1", "etc@nope", "--confirm", "etc@nope"); r.code != exitError || !strings.Contains(r.stderr, "web1 has no archive etc@nope") {
		t.Errorf("archive delete of an unknown archive = %+v", r)
	}
	if r := cli("archive", "rename", "web1", names[0], names[1]); r.code != exitError || !strings.Contains(r.stderr, "web1 already has an archive named "+names[1]+"; pick another name") {
		t.Errorf("archive rename onto a taken name = %+v", r)
	}

	if r := cli("archive", "keep", "web1", names[0]); r.code != 0 || !strings.Contains(r.stdout, "kept forever") {
		t.Fatalf("archive keep = %+v", r)
	}
	if r := cli("archive", "delete", "web1", names[0], "--confirm", names[0]); r.code != exitError || !strings.Contains(r.stderr, "borgdesk archive unkeep web1 "+names[0]) {
		t.Errorf("archive delete of a kept archive = %+v; want it refused, naming unkeep", r)
	}
	const renamed = "etc@before-upgrade"
	if r := cli("archive", "rename", "web1", names[0], renamed, "--comment", "before the upgrade"); r.code != 0 || !strings.Contains(r.stdout, "renamed "+renamed) {
		t.Fatalf("archive rename = %+v", r)
	}
	r := cli("archive", "list", "web1", "--json")
	var list []service.ArchiveInfo
	if r.code != 0 || json.Unmarshal([]byte(r.stdout), &list) != nil || len(list) != 2 {
		t.Fatalf("archive list --json = %+v", r)
	}
	if list[0].Name != renamed || !list[0].KeepForever || list[0].Comment != "before the upgrade" || list[1].KeepForever {
		t.Errorf("archive list after keep and rename = %+v", list)
	}
	if r := cli("archive", "list", "web1"); !strings.Contains(r.stdout, "forever") || !strings.Contains(r.stdout, "before the upgrade") {
		t.Errorf("archive list shows no KEPT or COMMENT: %s", r.stdout)
	}

	r = cli("archive", "delete", "web1", names[1], "--confirm", names[1])
	if r.code != 0 || !strings.Contains(r.stdout, "archive "+names[1]+" of web1 deleted; the compact freed") {
		t.Fatalf("archive delete = %+v", r)
	}
	if got := inRepo(); !slices.Equal(got, []string{renamed}) {
		t.Errorf("borg list after the delete = %v; want only %s", got, renamed)
	}
	if r := cli("archive", "unkeep", "web1", renamed); r.code != 0 || !strings.Contains(r.stdout, "retention again") {
		t.Errorf("archive unkeep = %+v", r)
	}
	if r := cli("help"); r.code != 0 || !strings.Contains(r.stdout, "archive delete SERVER ARCHIVE --confirm ARCHIVE") || !strings.Contains(r.stdout, "archive keep SERVER ARCHIVE") || !strings.Contains(r.stdout, "archive unkeep SERVER ARCHIVE") || !strings.Contains(r.stdout, "archive rename SERVER ARCHIVE NEWNAME [--comment TEXT]") {
		t.Errorf("help = %+v; want the archive commands listed", r)
	}
}
