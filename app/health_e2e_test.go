//go:build linux

package app

import (
	"path/filepath"
	"strings"
	"testing"
)

// A server with one job that succeeds and one that has never succeeded is
// not healthy: it is amber at once, the failing job is named, the
// succeeding job is green (paused jobs: TestRateServer).
func TestHealthIsPerJob(t *testing.T) {
	t.Parallel() // its own coordinator, agent, ports and data dir
	f := startFleet(t)
	f.run(f.enroll("web1"))
	src := t.TempDir()
	generateTree(t, src, 5)
	var job map[string]any
	f.mustJSON(&job, "job", "create", "--server", "web1", "--name", "good", "--paths", src)
	f.mustJSON(&job, "job", "create", "--server", "web1", "--name", "broken", "--paths", filepath.Join(src, "does-not-exist"))
	if r := f.cli("job", "run", "good", "--wait"); r.code != 0 {
		t.Fatalf("job run good: %+v", r)
	}
	if r := f.cli("job", "run", "broken", "--wait"); r.code == 0 {
		t.Fatalf("the job over a missing path succeeded: %+v", r)
	}

	type health struct {
		State   string
		Servers []struct {
			Name    string
			State   string
			Reasons []string
			PastRPO bool `json:"past_rpo"`
			Issues  []struct {
				Code, State, Job string
			}
			Jobs []struct {
				Name, State string
			}
		}
	}
	var h health
	f.mustJSON(&h, "health")
	if len(h.Servers) != 1 {
		t.Fatalf("health = %+v; want one server", h)
	}
	sv := h.Servers[0]
	if h.State != "amber" || sv.State != "amber" || sv.PastRPO {
		t.Errorf("fleet %s, web1 %s (past RPO %v); want amber, amber, not past its RPO", h.State, sv.State, sv.PastRPO)
	}
	jobs := map[string]string{}
	for _, j := range sv.Jobs {
		jobs[j.Name] = j.State
	}
	if jobs["good"] != "green" || jobs["broken"] != "amber" {
		t.Errorf("job states = %v; want good green, broken amber", jobs)
	}
	codes := map[string]bool{}
	for _, is := range sv.Issues {
		if is.Job == "broken" {
			codes[is.Code] = true
		}
		if is.Job == "good" {
			t.Errorf("an issue about the succeeding job: %+v", is)
		}
	}
	if !codes["never_succeeded"] || !codes["last_run_failed"] {
		t.Errorf("issues of the broken job = %v; want never_succeeded and last_run_failed", codes)
	}
	if len(sv.Reasons) == 0 || !strings.HasPrefix(sv.Reasons[0], "job broken: ") {
		t.Errorf("reasons = %q; want the broken job named first", sv.Reasons)
	}
	r := f.cli("health")
	if !strings.Contains(r.stdout, "fleet amber") || !strings.Contains(r.stdout, "job broken: has not succeeded yet") {
		t.Errorf("borgdesk health =\n%s\nwant amber naming the broken job", r.stdout)
	}
}
