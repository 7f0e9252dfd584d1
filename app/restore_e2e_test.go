//go:build linux

package app

import (
	"archive/tar"
	"bytes"
	"crypto/rand"
	"crypto/tls"
	"crypto/x509"
	"encoding/json"
	"fmt"
	"io"
	"io/fs"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
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

// A restore onto another server streams: the coordinator reads its copy
// of the source repository and sends the files over the gateway; the
// target agent places them as it places its own, and never receives the
// source's passphrase, repository or any SSH grant.
func TestRestoreOntoAnotherServer(t *testing.T) {
	t.Parallel() // its own coordinator, agents, ports and data dir
	f := startRestoreFleet(t)
	web1 := f.uuid("web1")
	pass, err := os.ReadFile(filepath.Join(f.data, "keys", web1+".passphrase"))
	if err != nil || len(pass) == 0 {
		t.Fatalf("web1's passphrase: %v", err)
	}
	secrets := map[string]string{"web1's passphrase": strings.TrimSpace(string(pass)), "web1's repository": filepath.Join(f.data, "repos", web1),
		"an SSH grant": "grant-"}

	to := t.TempDir()
	var task crossTask
	f.mustJSON(&task, "restore", "web1", f.a2, "--path", f.rel+"/d02", "--to", to, "--target-server", "web2", "--wait")
	if task.Status != "succeeded" || task.Server != "web2" || !task.Payload.Stream || task.Payload.Repo != "" {
		t.Fatalf("cross-server restore = %+v", task)
	}
	if task.Progress.Phase != "done" || task.Progress.Percent != 100 || task.Progress.Bytes == 0 || task.Result.Files == 0 {
		t.Errorf("progress %+v, result %+v; want done at 100%%", task.Progress, task.Result)
	}
	compareTrees(t, filepath.Join(f.src, "d02"), filepath.Join(to, f.rel, "d02"))
	if leftovers, _ := filepath.Glob(filepath.Join(to, ".borgdesk-restore-*")); len(leftovers) > 0 {
		t.Errorf("staging left behind: %v", leftovers)
	}

	// The policies apply as on the same server.
	conf := filepath.Join(to, f.rel, "etc", "nginx", "nginx.conf")
	os.MkdirAll(filepath.Dir(conf), 0o755)
	os.WriteFile(conf, []byte("mine\n"), 0o600)
	cross := func(policy string) crossTask {
		var tk crossTask
		f.mustJSON(&tk, "restore", "web1", f.a1, "--path", f.rel+"/etc/nginx/nginx.conf", "--to", to, "--target-server", "web2", "--policy", policy, "--wait")
		return tk
	}
	kept, _ := filepath.Glob(conf + ".restored-*")
	if tk := cross("keep-both"); tk.Result.Renamed != 1 || read(t, conf) != "mine\n" {
		t.Fatalf("keep-both: %+v", tk)
	}
	if kept2, _ := filepath.Glob(conf + ".restored-*"); len(kept2) != len(kept)+1 || read(t, kept2[len(kept2)-1]) != "worker_processes 1;\n" {
		t.Fatalf("keep-both left %v", kept2)
	}
	if tk := cross("skip"); tk.Result.Skipped != 1 || tk.Result.Files != 0 || read(t, conf) != "mine\n" {
		t.Fatalf("skip: %+v", tk)
	}
	if tk := cross("overwrite"); tk.Result.Overwritten != 1 || read(t, conf) != "worker_processes 1;\n" {
		t.Fatalf("overwrite: %+v", tk)
	}

	// What web2's agent kept: nothing of web1's repository, on disk or in
	// its memory.
	// web2's own UUID is the control: a scan that cannot find it proves nothing.
	web2 := f.uuid("web2")
	scanDir(t, filepath.Dir(f.web2), web2, secrets)
	scanMemory(t, f.agents[f.web2].Process.Pid, web2, secrets)

	// Play web2 for one more task, with its own certificate, to see exactly
	// what the gateway hands out, and who may read the stream.
	f.kill(f.web2)
	f.mustJSON(&task, "restore", "web1", f.a2, "--path", f.rel+"/d03", "--to", to, "--target-server", "web2")
	as2, as1 := agentClient(t, f.web2), agentClient(t, f.web1)
	raw := as2.claim(t)
	for what, s := range secrets {
		if strings.Contains(raw, s) {
			t.Errorf("the task handed to web2 carries %s: %s", what, raw)
		}
	}
	if !strings.Contains(raw, `"stream":true`) || strings.Contains(raw, "passphrase") || strings.Contains(raw, "ssh://") || strings.Contains(raw, `"repo"`) {
		t.Errorf("the task handed to web2 = %s", raw)
	}
	stream := fmt.Sprintf("/api/agent/tasks/%d/stream", task.ID)
	if code, _ := as2.get(t, stream); code != http.StatusConflict {
		t.Errorf("stream of a task not started: HTTP %d; want 409", code)
	}
	as2.post(t, fmt.Sprintf("/api/agent/tasks/%d/start", task.ID), `{}`)
	if code, body := as1.get(t, stream); code != http.StatusNotFound {
		t.Errorf("web1's certificate read web2's stream: HTTP %d %.200s", code, body)
	}
	code, body := as2.get(t, stream)
	if code != http.StatusOK || !tarHas(body, f.rel+"/d03/") {
		t.Fatalf("web2's stream: HTTP %d, %d bytes", code, len(body))
	}
	as2.post(t, fmt.Sprintf("/api/agent/tasks/%d/complete", task.ID), `{"status":"failed","error":"test"}`)
	if code, _ := as2.get(t, stream); code != http.StatusConflict {
		t.Errorf("stream of a finished task: HTTP %d; want 409", code)
	}
}

type crossTask struct {
	ID      int64  `json:"id"`
	Status  string `json:"status"`
	Server  string `json:"server_name"`
	Payload struct {
		Repo   string `json:"repo"`
		Stream bool   `json:"stream"`
	} `json:"payload"`
	Progress struct {
		Phase   string  `json:"phase"`
		Percent float64 `json:"percent"`
		Bytes   int64   `json:"bytes"`
	} `json:"progress"`
	Result struct {
		Files, Overwritten, Skipped, Renamed int64
	} `json:"result"`
}

// scanDir fails if any file under dir holds one of secrets, or if none
// holds control.
func scanDir(t *testing.T, dir, control string, secrets map[string]string) {
	t.Helper()
	found := false
	filepath.WalkDir(dir, func(p string, d fs.DirEntry, err error) error {
		if err != nil || !d.Type().IsRegular() {
			return nil
		}
		b, _ := os.ReadFile(p)
		found = found || bytes.Contains(b, []byte(control))
		for what, s := range secrets {
			if bytes.Contains(b, []byte(s)) {
				t.Errorf("%s holds %s", p, what)
			}
		}
		return nil
	})
	if !found {
		t.Errorf("the scan of %s did not even find %s", dir, control)
	}
}

// scanMemory fails if the writable memory of process pid holds one of
// secrets (what an agent received stays in its heap long after use), or
// if it does not hold control.
func scanMemory(t *testing.T, pid int, control string, secrets map[string]string) {
	t.Helper()
	maps, err := os.ReadFile(fmt.Sprintf("/proc/%d/maps", pid))
	if err != nil {
		t.Fatalf("reading the agent's memory map: %v", err)
	}
	mem, err := os.Open(fmt.Sprintf("/proc/%d/mem", pid))
	if err != nil {
		t.Fatalf("reading the agent's memory: %v", err)
	}
	defer mem.Close()
	found := false
	for _, line := range strings.Split(string(maps), "\n") {
		var lo, hi uint64
		var perms string
		if _, err := fmt.Sscanf(line, "%x-%x %s", &lo, &hi, &perms); err != nil || !strings.HasPrefix(perms, "rw") || hi-lo > 1<<30 {
			continue
		}
		buf := make([]byte, hi-lo)
		n, _ := mem.ReadAt(buf, int64(lo))
		found = found || bytes.Contains(buf[:n], []byte(control))
		for what, s := range secrets {
			if bytes.Contains(buf[:n], []byte(s)) {
				t.Errorf("web2's agent holds %s in its memory", what)
			}
		}
	}
	if !found {
		t.Errorf("the scan of the agent's memory did not even find %s", control)
	}
}

// mtlsAgent calls the gateway as an agent, with its own certificate.
type mtlsAgent struct {
	url string
	hc  *http.Client
}

func agentClient(t *testing.T, cfg string) *mtlsAgent {
	t.Helper()
	dir := filepath.Dir(cfg)
	cert, err := tls.LoadX509KeyPair(filepath.Join(dir, "agent.crt"), filepath.Join(dir, "agent.key"))
	if err != nil {
		t.Fatal(err)
	}
	pool := x509.NewCertPool()
	pool.AppendCertsFromPEM([]byte(read(t, filepath.Join(dir, "ca.crt"))))
	m := regexp.MustCompile(`(?m)^\s*url:\s*"?([^"\s]+)`).FindStringSubmatch(read(t, cfg))
	if m == nil {
		t.Fatalf("no server URL in %s", cfg)
	}
	return &mtlsAgent{url: m[1], hc: &http.Client{Timeout: time.Minute, Transport: &http.Transport{
		TLSClientConfig: &tls.Config{Certificates: []tls.Certificate{cert}, RootCAs: pool}}}}
}

func (a *mtlsAgent) do(t *testing.T, method, path, body string) (int, []byte) {
	t.Helper()
	req, _ := http.NewRequest(method, a.url+path, strings.NewReader(body))
	req.Header.Set("Borgdesk-Protocol", "2")
	if body != "" {
		req.Header.Set("Content-Type", "application/json")
	}
	resp, err := a.hc.Do(req)
	if err != nil {
		t.Fatalf("%s %s: %v", method, path, err)
	}
	defer resp.Body.Close()
	b, err := io.ReadAll(resp.Body)
	if err != nil {
		t.Fatalf("%s %s: %v", method, path, err)
	}
	return resp.StatusCode, b
}

func (a *mtlsAgent) get(t *testing.T, path string) (int, []byte) { return a.do(t, "GET", path, "") }

func (a *mtlsAgent) post(t *testing.T, path, body string) {
	t.Helper()
	if code, b := a.do(t, "POST", path, body); code != http.StatusOK {
		t.Fatalf("POST %s: HTTP %d %s", path, code, b)
	}
}

// claim long-polls for one task and returns the raw reply.
func (a *mtlsAgent) claim(t *testing.T) string {
	t.Helper()
	for i := 0; i < 5; i++ {
		code, b := a.get(t, "/api/agent/tasks?max=1&wait=10")
		if code != http.StatusOK {
			t.Fatalf("GET tasks: HTTP %d %s", code, b)
		}
		if strings.Contains(string(b), `"id"`) {
			return string(b)
		}
	}
	t.Fatal("no task handed out")
	return ""
}

// tarHas says whether the tar stream b has an entry under prefix.
func tarHas(b []byte, prefix string) bool {
	tr := tar.NewReader(bytes.NewReader(b))
	for {
		h, err := tr.Next()
		if err != nil {
			return false
		}
		if strings.HasPrefix(h.Name, prefix) {
			return true
		}
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
