//go:build linux

package app

import (
	"bytes"
	"crypto/rand"
	"encoding/json"
	"os"
	"os/exec"
	"path/filepath"
	"sort"
	"strings"
	"testing"
	"time"

	"borgdesk/backend/shared/testenv"
)

func needFUSE(t *testing.T) {
	t.Helper()
	needRoot(t, "mount FUSE file systems")
	testenv.NeedFile(t, "/dev/fuse", "the FUSE device")
	// borg runs on the interpreter of its own shebang, not whatever python3
	// is first on PATH.
	py := "/usr/bin/python3"
	if bin, err := exec.LookPath("borg"); err == nil {
		if b, err := os.ReadFile(bin); err == nil && bytes.HasPrefix(b, []byte("#!")) {
			if f := strings.Fields(string(b[2:bytes.IndexByte(b, '\n')])); len(f) > 0 {
				py = f[0]
			}
		}
	}
	if exec.Command(py, "-c", "import pyfuse3").Run() != nil && exec.Command(py, "-c", "import llfuse").Run() != nil {
		testenv.Missing(t, "borg mount needs python3-pyfuse3 for %s, which is not installed", py)
	}
}

// The operator mounts an archive while a backup of the same server runs,
// reads a file identical to the source, and unmounts; mounting over a
// folder with files in it is refused.
func TestMountWhileABackupRuns(t *testing.T) {
	needFUSE(t)
	f := startFleet(t)
	web1 := f.enroll("web1")
	f.run(web1)
	src := filepath.Join(t.TempDir(), "srv")
	generateTree(t, src, 30)
	var job, run map[string]any
	f.mustJSON(&job, "job", "create", "--server", "web1", "--name", "site", "--paths", src)
	f.mustJSON(&run, "job", "run", "site", "--wait")
	archive := run["archive"].(string)

	// A second, big backup holds the repository's lock while we mount.
	big := filepath.Join(t.TempDir(), "big")
	os.MkdirAll(big, 0o755)
	buf := make([]byte, 200<<20)
	rand.Read(buf)
	os.WriteFile(filepath.Join(big, "blob"), buf, 0o600)
	f.mustJSON(&job, "job", "create", "--server", "web1", "--name", "bulk", "--paths", big)
	f.mustJSON(&run, "job", "run", "bulk")
	lock := filepath.Join(f.data, "repos", f.uuid("web1"), "lock.exclusive")
	waitFor(t, 60*time.Second, "the backup to hold the repository's lock", func() bool { _, err := os.Stat(lock); return err == nil })

	dir := filepath.Join(t.TempDir(), "mnt")
	r := f.cli("mount", "web1", archive, dir)
	if r.code != 0 {
		t.Fatalf("mount = %+v", r)
	}
	want, _ := os.ReadFile(filepath.Join(src, "d03", "e0", "f0003.bin"))
	got, err := exec.Command("cat", filepath.Join(dir, strings.TrimPrefix(src, "/"), "d03", "e0", "f0003.bin")).Output()
	if err != nil || !bytes.Equal(got, want) || len(want) == 0 {
		t.Fatalf("cat through the mount: %v, %d bytes; want %d identical bytes", err, len(got), len(want))
	}
	if _, err := os.Stat(lock); err != nil {
		t.Error("the backup's lock was gone while we read: the test did not overlap a running backup")
	}
	var mounts []map[string]any
	f.mustJSON(&mounts, "mounts")
	if len(mounts) != 1 || mounts[0]["dir"] != dir || mounts[0]["archive"] != archive {
		t.Fatalf("mounts = %v", mounts)
	}
	if r := f.cli("mount", "web1", archive, dir); r.code == 0 || !strings.Contains(r.stderr, "in use") {
		t.Errorf("mounting over a mount = %+v", r)
	}
	full := t.TempDir()
	os.WriteFile(filepath.Join(full, "x"), nil, 0o600)
	if r := f.cli("mount", "web1", archive, full); r.code == 0 || !strings.Contains(r.stderr, "not empty") {
		t.Errorf("mounting over files = %+v", r)
	}
	if r := f.cli("umount", dir); r.code != 0 {
		t.Fatalf("umount = %+v", r)
	}
	if mi, _ := os.ReadFile("/proc/self/mountinfo"); bytes.Contains(mi, []byte(dir)) {
		t.Error("still mounted after umount")
	}

	// A .flxx snapshot mounts read-only too.
	snap, _ := filepath.Abs("../backend/shared/flx/testdata/golden.flxx")
	flxDir := filepath.Join(t.TempDir(), "snap")
	if r := f.cli("mount", snap, flxDir); r.code != 0 {
		t.Fatalf("mount of a snapshot = %+v", r)
	}
	var files int
	filepath.WalkDir(flxDir, func(p string, d os.DirEntry, err error) error {
		if err == nil && !d.IsDir() {
			files++
		}
		return nil
	})
	if files == 0 {
		t.Error("the mounted snapshot shows no files")
	}
	if err := os.WriteFile(filepath.Join(flxDir, "new"), []byte("x"), 0o600); err == nil {
		t.Error("a mounted snapshot accepted a write")
	}
	if r := f.cli("umount", flxDir); r.code != 0 {
		t.Fatalf("umount of a snapshot = %+v", r)
	}
	waitFor(t, 120*time.Second, "the big backup", func() bool {
		var runs []map[string]any
		f.mustJSON(&runs, "job", "runs", "bulk")
		return len(runs) > 0 && runs[0]["status"] == "succeeded"
	})
}

// Restore drills: a sample drill and a full one pass and make the server
// verified; a damaged repository fails the drill and alerts the operator.
func TestRestoreDrills(t *testing.T) {
	t.Parallel() // its own coordinator, agents, ports and data dir
	f := startFleet(t)
	web1 := f.enroll("web1")
	f.run(web1)
	src := filepath.Join(t.TempDir(), "srv")
	generateTree(t, src, 90)
	var job, run map[string]any
	f.mustJSON(&job, "job", "create", "--server", "web1", "--name", "site", "--paths", src)

	var sv map[string]any
	f.mustJSON(&sv, "server", "show", "web1")
	if sv["verify_stale"] != false || sv["last_verified_at"] != nil {
		t.Fatalf("a server without backups: %v", sv)
	}
	if r := f.cli("drill", "run", "site", "--wait"); r.code == 0 || !strings.Contains(r.stderr, "no archive yet") {
		t.Fatalf("drill before any backup = %+v", r)
	}
	f.mustJSON(&run, "job", "run", "site", "--wait")
	f.mustJSON(&sv, "server", "show", "web1")
	if sv["verify_stale"] != true {
		t.Fatalf("a server with unverified backups is not flagged: %v", sv)
	}

	type drill struct {
		Status     string `json:"status"`
		Mode       string `json:"mode"`
		Files      int64  `json:"files"`
		Checked    int64  `json:"checked"`
		Mismatches int64  `json:"mismatches"`
		Error      string `json:"error"`
	}
	var d drill
	f.mustJSON(&d, "drill", "run", "site", "--wait")
	if d.Status != "passed" || d.Mode != "sample" || d.Files != 90 || d.Checked != 64 || d.Mismatches != 0 {
		t.Fatalf("sample drill = %+v", d)
	}
	f.mustJSON(&d, "drill", "run", "site", "--full", "--wait")
	if d.Status != "passed" || d.Checked != 90 {
		t.Fatalf("full drill = %+v", d)
	}
	f.mustJSON(&sv, "server", "show", "web1")
	if sv["verify_stale"] != false || sv["last_verified_at"] == nil {
		t.Fatalf("after a passing drill: %v", sv)
	}
	if entries, _ := os.ReadDir(filepath.Join(f.data, "drills")); len(entries) != 0 {
		t.Errorf("drill scratch left behind: %d entries", len(entries))
	}

	// Damage the repository: flip bytes in the middle of its biggest segment.
	segs, _ := filepath.Glob(filepath.Join(f.data, "repos", f.uuid("web1"), "data", "*", "*"))
	sort.Slice(segs, func(i, j int) bool { return size(segs[i]) > size(segs[j]) })
	seg, err := os.OpenFile(segs[0], os.O_RDWR, 0)
	if err != nil {
		t.Fatal(err)
	}
	mid := size(segs[0]) / 2
	junk := make([]byte, 4096)
	rand.Read(junk)
	seg.WriteAt(junk, mid)
	seg.Close()
	r := f.cli("drill", "run", "site", "--full", "--wait", "--json")
	if r.code == 0 {
		t.Fatalf("a drill of a damaged repository passed: %+v", r)
	}
	json.Unmarshal([]byte(r.stdout), &d)
	if d.Status != "failed" || d.Error == "" {
		t.Fatalf("drill of a damaged repository = %+v (%s)", d, r.stderr)
	}
	var evs []map[string]any
	f.mustJSON(&evs, "events", "--limit", "30")
	alerted := false
	for _, ev := range evs {
		alerted = alerted || (ev["kind"] == "notification" && strings.Contains(ev["message"].(string), "restore drill"))
	}
	if !alerted {
		t.Error("a failed drill did not notify the operator")
	}
	var list []drill
	f.mustJSON(&list, "drill", "list", "web1")
	if len(list) != 3 || list[0].Status != "failed" || list[2].Status != "passed" {
		t.Errorf("drill list = %+v", list)
	}
}

func size(p string) int64 {
	fi, err := os.Stat(p)
	if err != nil {
		return 0
	}
	return fi.Size()
}
