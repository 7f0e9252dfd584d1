//go:build linux

package app

import (
	"encoding/json"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"borgdesk/backend/shared/testenv"
)

// TestReplicaEndToEnd: with the real binary, an agent and real borg and
// rclone, a replica to a directory is copied after each backup by itself,
// stays "in sync", and is a repository borg lists; the CLI's other verbs
// and its refusals work.
func TestReplicaEndToEnd(t *testing.T) {
	t.Parallel() // its own coordinator, agents, ports and data dir
	testenv.NeedCommands(t, "rclone")
	f := startFleet(t)
	f.run(f.enroll("web1"))
	src := filepath.Join(t.TempDir(), "srv")
	generateTree(t, src, 40)
	dest := filepath.Join(t.TempDir(), "replicas")

	if r := f.cli("replica", "set", "web1", "--access-key-id", "AK"); r.code == 0 || !strings.Contains(r.stderr, "go with --s3") {
		t.Errorf("--access-key-id without --s3 = %+v", r)
	}
	if r := f.cli("replica", "set", "web1", "--sftp", "nobody@127.0.0.1:1/x"); r.code == 0 || !strings.Contains(r.stderr, "cannot reach 127.0.0.1:1") {
		t.Errorf("an SFTP target that does not answer = %+v", r)
	}
	var st map[string]any
	f.mustJSON(&st, "replica", "set", "web1", "--dir", dest)
	if st["summary"] != "never replicated" || st["after_backup"] != true {
		t.Fatalf("replica set = %v", st)
	}
	f.mustJSON(new(any), "job", "create", "--server", "web1", "--name", "site", "--paths", src)
	uuid := f.uuid("web1")
	for i, want := range []int{1, 2} {
		var run map[string]any
		f.mustJSON(&run, "job", "run", "site", "--wait")
		if run["status"] != "succeeded" {
			t.Fatalf("run %d = %v", i+1, run)
		}
		waitFor(t, 2*time.Minute, "the replica to follow the backup", func() bool {
			f.mustJSON(&st, "replica", "show", "web1")
			return st["running"] == false && st["summary"] == "in sync" && len(st["archives"].([]any)) == want
		})
	}
	out, err := f.borgLocal(uuid, "list", "--short", filepath.Join(dest, uuid))
	if err != nil || len(strings.Fields(out)) != 2 {
		t.Fatalf("borg list of the replica: %v %q", err, out)
	}

	r := f.cli("replica", "run", "web1", "--wait")
	if r.code != 0 || !strings.Contains(r.stdout, "in sync") || !strings.Contains(r.stdout, "sizes of") {
		t.Errorf("replica run --wait = %+v", r)
	}
	var all []map[string]any
	f.mustJSON(&all, "replica", "list")
	if len(all) != 1 || all[0]["server_name"] != "web1" {
		t.Errorf("replica list = %v", all)
	}
	raw, _ := json.Marshal(all)
	if strings.Contains(string(raw), "passphrase") {
		t.Errorf("replica list shows a secret: %s", raw)
	}
	if r := f.cli("replica", "remove", "web1"); r.code != 0 || !strings.Contains(r.stdout, "left as it is") {
		t.Errorf("replica remove = %+v", r)
	}
	if r := f.cli("replica", "show", "web1"); r.code == 0 || !strings.Contains(r.stderr, "has no replica") {
		t.Errorf("replica show after remove = %+v", r)
	}
}
