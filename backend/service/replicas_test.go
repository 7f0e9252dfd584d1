//go:build linux

package service

import (
	"context"
	"crypto/rand"
	"errors"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"borgdesk/backend/repos"
	"borgdesk/backend/rollout/testhost"
	"borgdesk/backend/shared/agentapi"
	"borgdesk/backend/shared/borg"
	"borgdesk/backend/shared/testenv"
	"borgdesk/backend/store"
)

// replicaFixture is a coordinator service with one server whose
// repository is real, backups recorded as runs, and the alerts it shows on
// the desktop kept.
type replicaFixture struct {
	svc  *Service
	st   *store.Store
	rp   *repos.Repos
	job  store.Job
	uuid string
	data string

	mu      sync.Mutex
	desktop []Alert
}

func newReplicaFixture(t *testing.T) *replicaFixture {
	t.Helper()
	testenv.NeedCommands(t, "borg", "rclone")
	ctx := context.Background()
	dir := t.TempDir()
	st, err := store.Open(ctx, filepath.Join(dir, "db"), store.Options{})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { st.Close() })
	f := &replicaFixture{st: st, uuid: "0a1b2c3d-1111-2222-3333-444455556666", data: t.TempDir()}
	f.rp = repos.New(dir, &borg.Borg{BaseDir: filepath.Join(dir, "borg"), LockWait: 10})
	f.svc = New(Config{Store: st, DataDir: dir, Repos: f.rp,
		Desktop: func(a Alert) { f.mu.Lock(); f.desktop = append(f.desktop, a); f.mu.Unlock() }})
	if _, err := st.CreateServer(ctx, store.Server{UUID: f.uuid, Name: "web1"}); err != nil {
		t.Fatal(err)
	}
	if f.job, err = f.svc.CreateJob(ctx, JobInput{Server: "web1", Name: "etc", Spec: agentapi.BackupSpec{Kind: agentapi.KindFiles, Paths: []string{"/etc"}}}); err != nil {
		t.Fatal(err)
	}
	if _, err := f.rp.Ensure(ctx, f.uuid); err != nil {
		t.Fatal(err)
	}
	return f
}

// backup makes an archive in the repository and records its run.
func (f *replicaFixture) backup(t *testing.T, name string) {
	t.Helper()
	ctx := context.Background()
	buf := make([]byte, 256<<10)
	rand.Read(buf)
	os.WriteFile(filepath.Join(f.data, name), buf, 0o600)
	repo, _ := f.rp.Repo(f.uuid)
	if _, err := f.rp.Borg.Create(ctx, repo, borg.CreateOptions{Archive: name, Paths: []string{f.data}}, nil); err != nil {
		t.Fatal(err)
	}
	r, err := f.st.QueueRun(ctx, f.job.ID, "test", 1)
	if err == nil {
		_, err = f.st.MarkRunRunning(ctx, r.ID, 0, name)
	}
	if err == nil {
		_, err = f.st.FinishRun(ctx, r.ID, store.RunOutcome{Status: store.RunSucceeded, Archive: name})
	}
	if err != nil {
		t.Fatal(err)
	}
}

func (f *replicaFixture) replicate(t *testing.T) ReplicaStatus {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 3*time.Minute)
	defer cancel()
	if _, err := f.svc.RunReplica(ctx, "web1"); err != nil {
		t.Fatal(err)
	}
	st, err := f.svc.WaitReplica(ctx, "web1")
	if err != nil {
		t.Fatal(err)
	}
	return st
}

// TestReplicaSFTP: set a replica on a real sshd (the host key must be
// confirmed), replicate, verify with borg, fall behind by one backup,
// catch up; then a changed host key fails the run and raises an alert.
func TestReplicaSFTP(t *testing.T) {
	f := newReplicaFixture(t)
	ctx := context.Background()
	f.backup(t, "etc-1")
	h := testhost.NewNetwork(t).AddHost(t, testhost.Options{})
	target := "root@" + h.IP + ":22/srv/replicas"

	_, err := f.svc.SetReplica(ctx, ReplicaInput{Server: "web1", SFTP: target, AfterBackup: true})
	hk, perr := f.svc.ProbeReplicaHost(ctx, "web1", target)
	if perr != nil {
		t.Fatal(perr)
	}
	if !errors.Is(err, ErrInvalid) || !strings.Contains(err.Error(), "--accept-host-key "+hk.Fingerprint) {
		t.Fatalf("set without a confirmed host key: %v; want it refused with the fingerprint %s", err, hk.Fingerprint)
	}
	st, err := f.svc.SetReplica(ctx, ReplicaInput{Server: "web1", SFTP: target, AcceptHostKey: hk.Fingerprint, AfterBackup: true})
	if err != nil {
		t.Fatal(err)
	}
	if st.Summary != "never replicated" || !strings.HasPrefix(st.PublicKey, "restrict ssh-ed25519 ") || st.HostKeyFingerprint != hk.Fingerprint {
		t.Fatalf("after set: %+v", st)
	}
	key, _ := os.ReadFile(f.svc.replicaFiles(f.uuid).Key)
	if fi, _ := os.Stat(f.svc.replicaFiles(f.uuid).Key); len(key) == 0 || fi.Mode().Perm() != 0o600 {
		t.Errorf("private key missing or not 0600")
	}
	h.AuthorizeKey(t, "root", st.PublicKey)

	if st = f.replicate(t); st.Summary != "in sync" || len(st.Archives) != 1 || st.LastSuccessAt == nil || st.Bytes == 0 {
		t.Fatalf("after the first replication: %s (%s) %+v", st.Summary, st.Error, st.Replica)
	}
	replica := filepath.Join(h.Root, "srv/replicas", f.uuid)
	if got := f.replicaArchives(t, replica); !slices.Equal(got, []string{"etc-1"}) {
		t.Errorf("borg list of the replica = %v", got)
	}

	f.backup(t, "etc-2")
	if st, _ = f.svc.GetReplica(ctx, "web1"); st.Summary != "behind by 1 archive" || st.State != ReplicaStateBehind {
		t.Errorf("after one more backup: %q; want behind by 1 archive", st.Summary)
	}
	if st = f.replicate(t); st.Summary != "in sync" {
		t.Fatalf("after replicating again: %s (%s)", st.Summary, st.Error)
	}
	if got := f.replicaArchives(t, replica); !slices.Equal(got, []string{"etc-1", "etc-2"}) {
		t.Errorf("borg list of the replica = %v", got)
	}

	f.mu.Lock()
	if len(f.desktop) != 0 {
		t.Errorf("alerts before the host key changed: %+v", f.desktop)
	}
	f.mu.Unlock()
	h.RegenerateHostKeys(t)
	f.backup(t, "etc-3")
	st = f.replicate(t)
	if st.Summary != "failing: host key changed" || !strings.Contains(st.Error, "nothing was sent") || st.Behind != 1 || st.LastSuccessAt == nil {
		t.Errorf("after the host key changed: %q %q behind %d", st.Summary, st.Error, st.Behind)
	}
	f.mu.Lock()
	defer f.mu.Unlock()
	if len(f.desktop) != 1 || f.desktop[0].Kind != AlertReplicaFailed || !strings.Contains(f.desktop[0].Title, "host key changed") {
		t.Errorf("alerts = %+v; want one replica_failed", f.desktop)
	}
}

// replicaArchives checks a replica with a borg of its own (fresh cache and
// security dir, as on a machine restoring from it) and lists it.
func (f *replicaFixture) replicaArchives(t *testing.T, dir string) []string {
	t.Helper()
	src, _ := f.rp.Repo(f.uuid)
	b := &borg.Borg{BaseDir: t.TempDir(), LockWait: 10}
	r := borg.Repo{Location: dir, Passphrase: src.Passphrase}
	if err := b.Check(context.Background(), r, false); err != nil {
		t.Fatalf("borg check of the replica: %v", err)
	}
	list, err := b.List(context.Background(), r)
	if err != nil {
		t.Fatal(err)
	}
	var names []string
	for _, a := range list {
		names = append(names, a.Name)
	}
	return names
}

// TestReplicaScheduleAndAfterBackup: a due schedule starts a replication;
// a backup starts one only when the replica asks for it.
func TestReplicaScheduleAndAfterBackup(t *testing.T) {
	f := newReplicaFixture(t)
	ctx := context.Background()
	f.backup(t, "etc-1")
	dir := t.TempDir()
	st, err := f.svc.SetReplica(ctx, ReplicaInput{Server: "web1", Dir: dir, Schedule: "0 * * * *"})
	if err != nil {
		t.Fatal(err)
	}
	f.svc.runDueReplicas(ctx)
	if st, _ = f.svc.GetReplica(ctx, "web1"); st.Running || st.LastAttemptAt != nil {
		t.Fatalf("a replica set just now ran before its first slot: %+v", st)
	}
	f.st.SetReplicaScheduled(ctx, st.ServerID, time.Now().Add(-2*time.Hour))
	f.svc.runDueReplicas(ctx)
	if st, err = f.svc.WaitReplica(ctx, "web1"); err != nil || st.Summary != "in sync" || st.LastAttemptAt == nil {
		t.Fatalf("after the slot: %+v, %v", st, err)
	}
	if got := f.replicaArchives(t, filepath.Join(dir, f.uuid)); !slices.Equal(got, []string{"etc-1"}) {
		t.Errorf("replica archives = %v", got)
	}

	f.backup(t, "etc-2")
	f.svc.replicateAfterBackup(ctx, st.ServerID, true)
	if st, _ = f.svc.GetReplica(ctx, "web1"); st.Running || st.Summary != "behind by 1 archive" {
		t.Errorf("after a backup, with after_backup off: %q running %v", st.Summary, st.Running)
	}
	if _, err := f.svc.SetReplica(ctx, ReplicaInput{Server: "web1", Dir: dir, AfterBackup: true, Schedule: "0 * * * *"}); err != nil {
		t.Fatal(err)
	}
	f.svc.replicateAfterBackup(ctx, st.ServerID, true)
	if st, err = f.svc.WaitReplica(ctx, "web1"); err != nil || st.Summary != "in sync" || len(st.Archives) != 2 {
		t.Errorf("after a backup, with after_backup on: %q %v (%v)", st.Summary, st.Archives, err)
	}
	// A slot that falls during a backup waits for it to end, even a failed one.
	run, _ := f.st.QueueRun(ctx, f.job.ID, "test", 1)
	f.st.MarkRunRunning(ctx, run.ID, 0, "etc-3")
	f.st.SetReplicaScheduled(ctx, st.ServerID, time.Now().Add(-2*time.Hour))
	f.svc.runDueReplicas(ctx)
	if st, _ = f.svc.GetReplica(ctx, "web1"); st.Running || st.LastScheduledAt == nil || time.Since(*st.LastScheduledAt) > time.Minute {
		t.Errorf("a slot during a backup: running %v, slot %v; want it held", st.Running, st.LastScheduledAt)
	}
	attempt := *st.LastAttemptAt
	f.st.FinishRun(ctx, run.ID, store.RunOutcome{Status: store.RunFailed, Error: "connection reset"})
	f.svc.replicateAfterBackup(ctx, st.ServerID, false)
	if st, err = f.svc.WaitReplica(ctx, "web1"); err != nil || !st.LastAttemptAt.After(attempt) || st.Summary != "in sync" {
		t.Errorf("after the backup it waited for: %q, attempt %v (before %v), %v", st.Summary, st.LastAttemptAt, attempt, err)
	}

	if _, err := f.svc.SetReplica(ctx, ReplicaInput{Server: "web1", Dir: "relative/dir"}); !errors.Is(err, ErrInvalid) {
		t.Errorf("a relative directory: %v; want ErrInvalid", err)
	}
	if _, err := f.svc.SetReplica(ctx, ReplicaInput{Server: "web1", Dir: dir, SFTP: "a@b"}); !errors.Is(err, ErrInvalid) {
		t.Errorf("two targets: %v; want ErrInvalid", err)
	}
}
