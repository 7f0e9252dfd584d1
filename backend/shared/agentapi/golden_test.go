package agentapi

import (
	"bytes"
	"encoding/json"
	"flag"
	"os"
	"path/filepath"
	"reflect"
	"testing"
	"time"
)

var update = flag.Bool("update", false, "rewrite testdata/wire-v2/*.json")

// wireSamples are messages whose types carried domain types (flx, borg)
// until agentapi had its own: their JSON must stay byte for byte what a
// version 2 peer sends and expects.
func wireSamples() map[string]any {
	scheduled := time.Date(2025, 3, 1, 3, 0, 0, 0, time.UTC)
	return map[string]any{
		"flx-restore-result": FlxRestoreResult{
			Counts:   map[string]int{"create": 1, "overwrite": 1},
			Changes:  []FlxChange{{Path: "etc/app.conf", Action: "create", Size: 42}, {Path: "etc/hosts", Action: "overwrite", Size: 7}},
			Rollback: "/var/lib/borgdesk-agent/flx-rollback/20250301T030000Z.flx", DryRun: true,
			Placeholders: []string{"etc/app.conf"},
		},
		"flx-diff-result": FlxDiffResult{Entries: []FlxDiffEntry{{Path: "etc/app.conf", Status: "changed"}, {Path: "etc/new", Status: "only in target"}}},
		"flx-backup-result": FlxBackupResult{Name: "web1-etc.flx", Size: 1234, FileCount: 3,
			Redactions: []FlxRedaction{{File: "etc/app.conf", Rule: "password", Count: 2}}, Stored: "/data/flx/web1/web1-etc.flx"},
		"storage-repo-payload": StorageRepoPayload{Op: RepoPrune, Server: "6f1c2a9e-0000-4000-8000-000000000001", Passphrase: "secret",
			Keep: Keep{Within: "2d", Daily: 7, Weekly: 4, Monthly: 6, Yearly: 1}, Prefix: "home@", VerifyData: true, Known: []string{"home@2025-03-01T03.00.00Z"}},
		"storage-repo-payload-no-keep": StorageRepoPayload{Op: RepoInit, Server: "6f1c2a9e-0000-4000-8000-000000000001"},
		"schedule-bundle": ScheduleBundle{Agent: "6f1c2a9e-0000-4000-8000-000000000001", IssuedAt: scheduled, Serial: "abc123", Settings: OfflineConfig{After: 600},
			Jobs: []OfflineJob{
				{ID: 1, Name: "home", Schedule: "0 3 * * *", Spec: BackupSpec{Kind: KindFiles, Paths: []string{"/home"}}, Repo: "ssh://borgdesk@node:2222/./1", HostKey: "ssh-ed25519 AAAA",
					LockWait: 60, Keep: Keep{Daily: 7, Weekly: 4}, LastScheduledAt: &scheduled},
				{ID: 2, Name: "etc", Schedule: "@daily", Spec: BackupSpec{Kind: KindFiles, Paths: []string{"/etc"}}, Repo: "ssh://borgdesk@node:2222/./1", HostKey: "ssh-ed25519 AAAA"},
			}},
	}
}

// TestWireV2Golden: the golden files were written by the types of
// protocol version 2 before agentapi had wire types of its own (flx.Change,
// flx.DiffEntry, flx.Redaction, borg.Keep; commit 73e27f1). Both ways must
// hold: what this build sends is byte for byte what a version 2 peer sent,
// and what such a peer sends decodes whole (no field unknown or lost).
// Never regenerate them to make this test pass: a difference is a change
// of the wire, which needs a new ProtocolVersion.
func TestWireV2Golden(t *testing.T) {
	for name, v := range wireSamples() {
		t.Run(name, func(t *testing.T) {
			got, err := json.MarshalIndent(v, "", "  ")
			if err != nil {
				t.Fatal(err)
			}
			got = append(got, '\n')
			path := filepath.Join("testdata", "wire-v2", name+".json")
			if *update {
				os.MkdirAll(filepath.Dir(path), 0o755)
				if err := os.WriteFile(path, got, 0o644); err != nil {
					t.Fatal(err)
				}
			}
			want, err := os.ReadFile(path)
			if err != nil {
				t.Fatal(err)
			}
			if !bytes.Equal(got, want) {
				t.Errorf("%s encodes as\n%s\nwant (version 2's)\n%s", name, got, want)
			}
			decoded := reflect.New(reflect.TypeOf(v))
			dec := json.NewDecoder(bytes.NewReader(want))
			dec.DisallowUnknownFields()
			if err := dec.Decode(decoded.Interface()); err != nil {
				t.Fatalf("decode version 2's %s: %v", name, err)
			}
			if !reflect.DeepEqual(decoded.Elem().Interface(), v) {
				t.Errorf("version 2's %s decodes as\n%+v\nwant\n%+v", name, decoded.Elem().Interface(), v)
			}
		})
	}
}
