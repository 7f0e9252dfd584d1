//go:build linux

package datadir

import (
	"io/fs"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// Every path of a layout is distinct and beneath its root.
func TestLayoutPaths(t *testing.T) {
	l := At("/srv/borgdesk")
	paths := map[string]string{
		"Database": l.Database(), "Lock": l.Lock(), "Socket": l.Socket(), "CA": l.CA(), "UpdateKey": l.UpdateKey(),
		"Keys": l.Keys(), "ReplicaKeys": l.ReplicaKeys(), "CoordinatorKey": l.CoordinatorKey(), "Repos": l.Repos(),
		"Catalog": l.Catalog(), "Mounts": l.Mounts(), "MountPoint": l.MountPoint(), "KnownHosts": l.KnownHosts(),
		"HostKey": l.HostKey(), "BorgHome": l.BorgHome(), "BorgServeHome": l.BorgServeHome(), "Inbox": l.Inbox(),
		"Flx": l.Flx(), "Drill": l.Drill("7"), "Outbox": l.Outbox(), "Sent": l.Sent(),
	}
	seen := map[string]string{}
	for name, p := range paths {
		if !strings.HasPrefix(p, "/srv/borgdesk/") {
			t.Errorf("%s = %s, not beneath the data dir", name, p)
		}
		if other, dup := seen[p]; dup {
			t.Errorf("%s and %s are both %s", name, other, p)
		}
		seen[p] = name
	}
	if got := l.Key("x.passphrase"); got != "/srv/borgdesk/keys/x.passphrase" {
		t.Errorf("Key = %s", got)
	}
}

// The names of files in the data dir are written once, here: no other
// package spells them (a second spelling is how two packages come to
// disagree about where a file lives). "known_hosts" is left out: it is
// also a field of the replication task's payload.
func TestLayoutNamesWrittenOnce(t *testing.T) {
	names := []string{`"` + CatalogFile + `"`, `"` + MountsFile + `"`, `"` + HostKeyFile + `"`,
		`"` + OutboxFile + `"`, `"` + SentFile + `"`, `"` + BorgServeDir + `"`, `"coordinator_ssh_ed25519"`,
		`"` + KitStagePrefix, `"` + KitImportPrefix, `"update.key"`, `"replicas"`, `"drills"`, `"inbox"`, `"borgdesk.db"`}
	checked := 0
	for _, top := range []string{"../../backend", "../../app"} {
		err := filepath.WalkDir(top, func(p string, d fs.DirEntry, err error) error {
			if err != nil {
				return err
			}
			if d.IsDir() || !strings.HasSuffix(p, ".go") || strings.HasSuffix(p, "_test.go") || strings.Contains(p, "/datadir/") || strings.Contains(p, "testhost") {
				return nil
			}
			raw, err := os.ReadFile(p)
			if err != nil {
				return err
			}
			checked++
			for _, n := range names {
				if strings.Contains(string(raw), n) {
					t.Errorf("%s spells %s: use datadir.Layout", p, n)
				}
			}
			return nil
		})
		if err != nil {
			t.Fatal(err)
		}
	}
	if checked < 100 {
		t.Fatalf("read only %d files; the test would prove nothing", checked)
	}
}
