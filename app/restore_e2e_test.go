package app

import (
	"crypto/rand"
	"encoding/json"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"
)

// restoreFleet is a coordinator with two agents (web1, web2) and two
// archives of a tree on web1: the second made after one file changed.
type restoreFleet struct {
	*fleet
	web1, web2 string
	src, rel   string
	a1, a2     string
}

func startRestoreFleet(t *testing.T) *restoreFleet {
	t.Helper()
	f := &restoreFleet{fleet: startFleet(t)}
	f.web1, f.web2 = f.enroll("web1"), f.enroll("web2")
	f.run(f.web1)
	f.run(f.web2)
	f.src = filepath.Join(t.TempDir(), "srv")
	f.rel = strings.TrimPrefix(f.src, "/")
	generateTree(t, f.src, 40)
	os.MkdirAll(filepath.Join(f.src, "etc", "nginx"), 0o750)
	os.WriteFile(filepath.Join(f.src, "etc", "nginx", "nginx.conf"), []byte("worker_processes 1;\n"), 0o640)
	var job, run map[string]any
	f.mustJSON(&job, "job", "create", "--server", "web1", "--name", "site", "--paths", f.src)
	f.mustJSON(&run, "job", "run", "site", "--wait")
	f.a1 = run["archive"].(string)
	os.WriteFile(filepath.Join(f.src, "etc", "nginx", "nginx.conf"), []byte("worker_processes 4;\nevents {}\n"), 0o640)
	time.Sleep(1100 * time.Millisecond) // archive names carry the second
	f.mustJSON(&run, "job", "run", "site", "--wait")
	f.a2 = run["archive"].(string)
	return f
}

type hit struct {
	ServerName string `json:"server_name"`
	Path       string `json:"path"`
	Versions   []struct {
		Archive string `json:"archive"`
		Size    int64  `json:"size"`
	} `json:"versions"`
}

func TestCatalogBrowseFindAndRestore(t *testing.T) {
	t.Parallel() // its own coordinator, agents, ports and data dir
	f := startRestoreFleet(t)

	// Each backup is indexed; find lists every version, newest first.
	var hits []hit
	waitFor(t, 30*time.Second, "both archives in the catalog", func() bool {
		r := f.cli("find", "nginx.conf", "--json")
		return r.code == 0 && json.Unmarshal([]byte(r.stdout), &hits) == nil && len(hits) == 1 && len(hits[0].Versions) == 2
	})
	if h := hits[0]; h.ServerName != "web1" || h.Path != f.rel+"/etc/nginx/nginx.conf" || h.Versions[0].Archive != f.a2 || h.Versions[0].Size != 30 || h.Versions[1].Size != 20 {
		t.Fatalf("find nginx.conf = %+v", hits)
	}
	if r := f.cli("find", "nginx.conf", "--server", "web2", "--json"); r.code != 0 || strings.TrimSpace(r.stdout) != "[]" {
		t.Fatalf("find on web2 = %+v", r)
	}
	// A second server with its own nginx.conf: find lists both servers.
	other := filepath.Join(t.TempDir(), "other")
	os.MkdirAll(filepath.Join(other, "nginx"), 0o755)
	os.WriteFile(filepath.Join(other, "nginx", "nginx.conf"), []byte("user www;\n"), 0o644)
	var job, run map[string]any
	f.mustJSON(&job, "job", "create", "--server", "web2", "--name", "conf", "--paths", other)
	f.mustJSON(&run, "job", "run", "conf", "--wait")
	waitFor(t, 30*time.Second, "web2's archive in the catalog", func() bool {
		r := f.cli("find", "nginx.conf", "--json")
		return r.code == 0 && json.Unmarshal([]byte(r.stdout), &hits) == nil && len(hits) == 2
	})
	servers := map[string]int{}
	for _, h := range hits {
		servers[h.ServerName] = len(h.Versions)
	}
	if servers["web1"] != 2 || servers["web2"] != 1 {
		t.Fatalf("find across servers = %+v", hits)
	}

	// The archive list carries the catalog's figures; ls opens a folder.
	var archives []map[string]any
	f.mustJSON(&archives, "archive", "list", "web1")
	if len(archives) != 2 || archives[1]["indexed"] != true || archives[1]["files"].(float64) != 41 || archives[1]["deduplicated"].(float64) <= 0 {
		t.Fatalf("archive list = %v", archives)
	}
	var listing struct {
		Entries []struct {
			Name, Type string
			Size       int64
		} `json:"entries"`
	}
	f.mustJSON(&listing, "archive", "ls", "web1", f.a2, f.rel)
	var names []string
	for _, e := range listing.Entries {
		names = append(names, e.Name+e.Type)
	}
	if got := strings.Join(names, " "); got != "d00d d01d d02d d03d d04d d05d d06d etcd linkl" {
		t.Fatalf("ls = %s", got)
	}
	if r := f.cli("archive", "ls", "web1", f.a2, f.rel+"/nope"); r.code == 0 || !strings.Contains(r.stderr, "not in archive") {
		t.Fatalf("ls of a missing folder = %+v", r)
	}

	// Restore a folder to another directory on the same server: identical.
	to := t.TempDir()
	r := f.cli("restore", "web1", f.a2, "--path", f.rel+"/d01", "--to", to, "--wait")
	if r.code != 0 || !strings.Contains(r.stdout, "restore succeeded on web1") {
		t.Fatalf("restore = %+v", r)
	}
	compareTrees(t, filepath.Join(f.src, "d01"), filepath.Join(to, f.rel, "d01"))
	if leftovers, _ := filepath.Glob(filepath.Join(to, ".borgdesk-restore-*")); len(leftovers) > 0 {
		t.Errorf("staging left behind: %v", leftovers)
	}

	// Policies over an existing file: keep-both puts the archive's copy
	// beside it, skip leaves it, overwrite replaces it.
	conf := filepath.Join(to, f.rel, "etc", "nginx", "nginx.conf")
	os.MkdirAll(filepath.Dir(conf), 0o755)
	os.WriteFile(conf, []byte("mine\n"), 0o600)
	var task struct {
		Status string `json:"status"`
		Result struct {
			Files, Overwritten, Skipped, Renamed int64
			Written                              []string
		} `json:"result"`
	}
	f.mustJSON(&task, "restore", "web1", f.a1, "--path", f.rel+"/etc/nginx/nginx.conf", "--to", to, "--policy", "keep-both", "--wait")
	kept, _ := filepath.Glob(conf + ".restored-*")
	if task.Result.Renamed != 1 || len(kept) != 1 || read(t, conf) != "mine\n" || read(t, kept[0]) != "worker_processes 1;\n" {
		t.Fatalf("keep-both: %+v, beside: %v", task, kept)
	}
	f.mustJSON(&task, "restore", "web1", f.a1, "--path", f.rel+"/etc/nginx/nginx.conf", "--to", to, "--policy", "skip", "--wait")
	if task.Result.Skipped != 1 || task.Result.Files != 0 || read(t, conf) != "mine\n" {
		t.Fatalf("skip: %+v", task)
	}
	f.mustJSON(&task, "restore", "web1", f.a1, "--path", f.rel+"/etc/nginx/nginx.conf", "--to", to, "--policy", "overwrite", "--wait")
	if fi, _ := os.Stat(conf); task.Result.Overwritten != 1 || read(t, conf) != "worker_processes 1;\n" || fi.Mode().Perm() != 0o640 {
		t.Fatalf("overwrite: %+v (mode %v)", task, fi.Mode())
	}

	// Bad input: a path not in the archive, a destination that is a file.
	if r := f.cli("restore", "web1", f.a2, "--path", "no/such/thing", "--to", to, "--wait"); r.code == 0 || !strings.Contains(r.stderr, "no/such/thing is not in archive") {
		t.Errorf("restore of a missing path = %+v", r)
	}
	notDir := filepath.Join(t.TempDir(), "file")
	os.WriteFile(notDir, nil, 0o600)
	if r := f.cli("restore", "web1", f.a2, "--path", f.rel+"/d02", "--to", notDir, "--wait"); r.code == 0 || !strings.Contains(r.stderr, "cannot create the destination") {
		t.Errorf("restore into a file = %+v", r)
	}
}

func read(t *testing.T, p string) string {
	t.Helper()
	b, err := os.ReadFile(p)
	if err != nil {
		t.Fatal(err)
	}
	return string(b)
}

// A restore onto another server reads the source repository under a grant
// that exists for that task only.
func TestRestoreOntoAnotherServer(t *testing.T) {
	t.Parallel() // its own coordinator, agents, ports and data dir
	f := startRestoreFleet(t)
	to := t.TempDir()
	var task struct {
		ID      int64  `json:"id"`
		Status  string `json:"status"`
		Server  string `json:"server_name"`
		Payload struct {
			Repo string `json:"repo"`
		} `json:"payload"`
	}
	f.mustJSON(&task, "restore", "web1", f.a2, "--path", f.rel+"/d02", "--to", to, "--target-server", "web2", "--wait")
	if task.Status != "succeeded" || task.Server != "web2" || !strings.Contains(task.Payload.Repo, "ssh://grant-") {
		t.Fatalf("cross-server restore = %+v", task)
	}
	compareTrees(t, filepath.Join(f.src, "d02"), filepath.Join(to, f.rel, "d02"))

	// The grant ended with the task: web2's key no longer opens web1's
	// repository, even with the passphrase.
	pass, _ := os.ReadFile(filepath.Join(f.data, "keys", f.uuid("web1")+".passphrase"))
	list := exec.Command("borg", "list", task.Payload.Repo)
	list.Env = append(os.Environ(), "BORG_PASSPHRASE="+string(pass), "BORG_BASE_DIR="+t.TempDir(),
		"BORG_RSH="+f.agentBin+" ssh --config "+f.web2, "BORG_RELOCATED_REPO_ACCESS_IS_OK=yes")
	if out, err := list.CombinedOutput(); err == nil {
		t.Errorf("web2 listed web1's repository after the restore ended:\n%s", out)
	}
	if strings.Contains(string(pass), "grant") || len(pass) == 0 {
		t.Fatal("no passphrase read")
	}
}

// A restore into a directory too small fails before writing anything; a
// cancelled restore reports that nothing was written.
func TestRestoreFullAndCancelled(t *testing.T) {
	needRoot(t, "mount a small tmpfs as the restore target")
	f := startFleet(t)
	web1 := f.enroll("web1")
	f.run(web1)
	src := filepath.Join(t.TempDir(), "big")
	os.MkdirAll(src, 0o755)
	for i := 0; i < 4; i++ {
		buf := make([]byte, 48<<20)
		rand.Read(buf)
		os.WriteFile(filepath.Join(src, fmt.Sprintf("blob%d", i)), buf, 0o600)
	}
	var run map[string]any
	f.mustJSON(&run, "job", "create", "--server", "web1", "--name", "big", "--paths", src)
	f.mustJSON(&run, "job", "run", "big", "--wait")
	archive := run["archive"].(string)

	small := t.TempDir()
	if out, err := exec.Command("mount", "-t", "tmpfs", "-o", "size=16m", "tmpfs", small).CombinedOutput(); err != nil {
		t.Fatalf("mount tmpfs: %v %s", err, out)
	}
	defer exec.Command("umount", small).Run()
	r := f.cli("restore", "web1", archive, "--to", small, "--wait")
	if r.code == 0 || !strings.Contains(r.stderr, "free and the restore needs") {
		t.Fatalf("restore into a full disk = %+v", r)
	}
	if entries, _ := os.ReadDir(small); len(entries) != 0 {
		t.Errorf("a refused restore wrote %d entries", len(entries))
	}

	// Cancel once the restore reports progress.
	to := t.TempDir()
	var task struct {
		ID int64 `json:"id"`
	}
	f.mustJSON(&task, "restore", "web1", archive, "--to", to)
	waitFor(t, 60*time.Second, "restore progress", func() bool {
		var tasks []struct {
			ID       int64           `json:"id"`
			Progress json.RawMessage `json:"progress"`
		}
		f.mustJSON(&tasks, "task", "list", "--server", "web1")
		for _, tk := range tasks {
			if tk.ID == task.ID && len(tk.Progress) > 4 {
				return true
			}
		}
		return false
	})
	if r := f.cli("task", "cancel", fmt.Sprint(task.ID)); r.code != 0 || !strings.Contains(r.stdout, "cancelled") {
		t.Fatalf("task cancel = %+v", r)
	}
	waitFor(t, 30*time.Second, "the agent to stop and clean up", func() bool {
		entries, _ := os.ReadDir(to)
		return len(entries) == 0
	})

	// The agent is killed mid-restore: when it comes back, the staging
	// folder is removed and the task is reported as interrupted.
	to2 := t.TempDir()
	f.mustJSON(&task, "restore", "web1", archive, "--to", to2)
	waitFor(t, 60*time.Second, "the restore to be extracting", func() bool {
		staged, _ := filepath.Glob(filepath.Join(to2, ".borgdesk-restore-*", "*"))
		return len(staged) > 0
	})
	f.kill(web1)
	if staged, _ := filepath.Glob(filepath.Join(to2, ".borgdesk-restore-*")); len(staged) != 1 {
		t.Fatalf("after the kill: %v", staged)
	}
	f.run(web1)
	waitFor(t, 60*time.Second, "the restarted agent to remove the staging folder", func() bool {
		entries, _ := os.ReadDir(to2)
		return len(entries) == 0
	})
	waitFor(t, 60*time.Second, "the task to be reported interrupted", func() bool {
		var tasks []struct {
			ID     int64  `json:"id"`
			Status string `json:"status"`
			Error  string `json:"error"`
		}
		f.mustJSON(&tasks, "task", "list", "--server", "web1")
		for _, tk := range tasks {
			if tk.ID == task.ID {
				return tk.Status == "failed" && tk.Error != ""
			}
		}
		return false
	})
}
