package service

import (
	"context"
	"path/filepath"
	"strings"
	"testing"

	"borgdesk/backend/repos"
	"borgdesk/backend/shared/agentapi"
	"borgdesk/backend/shared/borg"
	"borgdesk/backend/store"
)

// A run whose repository lives on an offline storage node stays queued (it
// is not failed, nothing is handed to the agent) and the operator is told
// once; a server cannot be put on a target that is itself, nor moved off a
// repository that has archives by `storage use`.
func TestRunWaitsForOfflineStorageNode(t *testing.T) {
	ctx := context.Background()
	dir := t.TempDir()
	st, err := store.Open(ctx, filepath.Join(dir, "db"), store.Options{})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { st.Close() })
	svc := New(Config{Store: st, DataDir: dir, Repos: repos.New(dir, &borg.Borg{BaseDir: filepath.Join(dir, "borg")}),
		BorgSSH: BorgSSH{Host: "127.0.0.1", Port: 2222, HostKey: "ssh-ed25519 AAAA"}})
	web, err := st.CreateServer(ctx, store.Server{UUID: "0a1b2c3d-1111-2222-3333-444455556666", Name: "web1"})
	if err != nil {
		t.Fatal(err)
	}
	nas, err := st.CreateServer(ctx, store.Server{UUID: "0a1b2c3d-1111-2222-3333-777788889999", Name: "nas1"})
	if err != nil {
		t.Fatal(err)
	}
	tgt, err := st.CreateTarget(ctx, store.Target{Name: "nas1", Kind: store.TargetNode, ServerID: nas.ID, Host: "10.0.0.9", Port: 2222, Path: "/srv/borg", Listen: ":2222",
		HostKey: "ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAIB0v3EAl5Q5aJkZ3cUeLw5DJn3mJ7F0e7m7bq1o1q2qx"})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := svc.SetRepoTarget(ctx, "nas1", "nas1"); err == nil || !strings.Contains(err.Error(), "on itself") {
		t.Errorf("a node storing its own backups: %v", err)
	}
	if _, err := svc.SetRepoTarget(ctx, "web1", "nas1"); err != nil {
		t.Fatal(err)
	}
	if got, on, _ := st.RepoTarget(ctx, web.ID); !on || got.ID != tgt.ID {
		t.Fatalf("web1's target = %+v %v", got, on)
	}
	job, err := svc.CreateJob(ctx, JobInput{Server: "web1", Name: "etc", Spec: agentapi.BackupSpec{Kind: agentapi.KindFiles, Paths: []string{"/etc"}}})
	if err != nil {
		t.Fatal(err)
	}
	for range 2 {
		svc.dispatchNext(ctx, web.ID)
	}
	r, err := svc.RunJob(ctx, job.Name, "manual")
	if err != nil {
		t.Fatal(err)
	}
	svc.dispatchNext(ctx, web.ID) // again: told once
	if r, _ = st.Run(ctx, r.ID); r.Status != store.RunQueued {
		t.Errorf("run while the node is offline = %s (%s), want queued", r.Status, r.Error)
	}
	tasks, _ := st.ListTasks(ctx, web.ID, 10)
	if len(tasks) != 0 {
		t.Errorf("tasks handed out while the node is offline: %v", tasks)
	}
	evs, _ := st.ListEvents(ctx, 50)
	told := 0
	for _, ev := range evs {
		if strings.Contains(ev.Message, "storage node nas1") && strings.Contains(ev.Message, "offline") {
			told++
		}
	}
	if told != 1 {
		t.Errorf("the operator was told %d times that the run waits, want once", told)
	}
}
