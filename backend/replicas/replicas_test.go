package replicas

import (
	"context"
	"encoding/json"
	"errors"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"borgdesk/backend/datadir"
	"borgdesk/backend/events"
	"borgdesk/backend/fault"
	"borgdesk/backend/jobs"
	"borgdesk/backend/repos"
	"borgdesk/backend/shared/borg"
	"borgdesk/backend/shared/replicate"
	"borgdesk/backend/store"
)

// testEnv is the rest of the coordinator as replication sees it: servers
// from the real store, a storage node that answers with a set result, and
// the alerts it raised.
type testEnv struct {
	st  *store.Store
	bus *events.Bus

	mu      sync.Mutex
	alerts  []Alert
	node    []replicate.Target // the targets handed to the storage node
	nodeRes replicate.Result
	paused  bool
}

func (e *testEnv) Server(ctx context.Context, ref string) (store.Server, error) {
	return e.st.FindServer(ctx, ref)
}

func (e *testEnv) NodeReplicate(ctx context.Context, node store.Target, uuid string, t replicate.Target) (replicate.Result, error) {
	e.mu.Lock()
	defer e.mu.Unlock()
	e.node = append(e.node, t)
	return e.nodeRes, nil
}

func (e *testEnv) Alert(ctx context.Context, a Alert) {
	e.mu.Lock()
	defer e.mu.Unlock()
	e.alerts = append(e.alerts, a)
}

func (e *testEnv) SchedulesPaused(context.Context) bool { return e.paused }

func (e *testEnv) WaitUntil(ctx context.Context, done func() (bool, error)) error {
	sub := e.bus.Subscribe(256)
	defer sub.Close()
	for {
		if ok, err := done(); ok || err != nil {
			return err
		}
		select {
		case <-sub.C:
		case <-ctx.Done():
			return ctx.Err()
		}
	}
}

type fixture struct {
	rs   *Replicas
	st   *store.Store
	env  *testEnv
	web1 store.Server
}

// newFixture is replication over a real store and repository directory,
// with one server (web1) that has no repository yet.
func newFixture(t *testing.T, withRepos bool) *fixture {
	t.Helper()
	ctx := context.Background()
	dir := t.TempDir()
	st, err := store.Open(ctx, filepath.Join(dir, "db"), store.Options{})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { st.Close() })
	bus := events.NewBus()
	orch := jobs.New(nil, time.Now)
	t.Cleanup(orch.Close)
	env := &testEnv{st: st, bus: bus}
	cfg := Config{Store: st, Events: events.Log{Store: st, Bus: bus, Now: time.Now}, Layout: datadir.At(dir), Orchestrator: orch, Env: env}
	if withRepos {
		cfg.Repos = repos.New(dir, &borg.Borg{BaseDir: filepath.Join(dir, "borg")})
	}
	f := &fixture{rs: New(cfg), st: st, env: env}
	if f.web1, err = st.CreateServer(ctx, store.Server{UUID: "0a1b2c3d-1111-2222-3333-444455556666", Name: "web1"}); err != nil {
		t.Fatal(err)
	}
	return f
}

// messages are the events logged about the server, oldest first.
func (f *fixture) messages(t *testing.T) []string {
	t.Helper()
	evs, err := f.st.ListEvents(context.Background(), 100)
	if err != nil {
		t.Fatal(err)
	}
	var out []string
	for i := len(evs) - 1; i >= 0; i-- {
		if evs[i].Kind == events.ReplicaChanged {
			out = append(out, evs[i].Message)
		}
	}
	return out
}

func TestSetRefusesBadInput(t *testing.T) {
	f := newFixture(t, true)
	ctx := context.Background()
	tests := []struct {
		name string
		in   Input
		want string
	}{
		{"no target", Input{Server: "web1"}, "give one target"},
		{"two targets", Input{Server: "web1", Dir: "/srv/r", SFTP: "a@b"}, "give one target"},
		{"relative directory", Input{Server: "web1", Dir: "relative/dir"}, "absolute directory"},
		{"bad schedule", Input{Server: "web1", Dir: "/srv/r", Schedule: "every tuesday"}, ""},
		{"S3 without its secret", Input{Server: "web1", S3: &S3Input{Endpoint: "https://s3.example", Bucket: "b", AccessKeyID: "AK"}}, "--secret-key-stdin"},
		{"S3 endpoint without a scheme", Input{Server: "web1", S3: &S3Input{Endpoint: "s3.example", Bucket: "b", AccessKeyID: "AK", SecretKey: "x"}}, "https://"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := f.rs.Set(ctx, tt.in)
			if !errors.Is(err, fault.ErrInvalid) || !strings.Contains(err.Error(), tt.want) {
				t.Errorf("Set = %v; want ErrInvalid saying %q", err, tt.want)
			}
		})
	}
	if _, err := f.rs.Get(ctx, "web1"); !errors.Is(err, fault.ErrNotFound) || !strings.Contains(err.Error(), "borgdesk replica set web1") {
		t.Errorf("after refused input: Get = %v; want ErrNotFound saying how to set one", err)
	}

	hosted, err := f.st.CreateTarget(ctx, store.Target{Name: "rsync.net", Kind: store.TargetHosted, Host: "example.net", Port: 22, User: "u"})
	if err == nil {
		err = f.st.SetRepoTarget(ctx, f.web1.ID, hosted.ID)
	}
	if err != nil {
		t.Fatal(err)
	}
	if _, err := f.rs.Set(ctx, Input{Server: "web1", Dir: "/srv/r"}); !errors.Is(err, fault.ErrInvalid) || !strings.Contains(err.Error(), "hosted service rsync.net") {
		t.Errorf("a repository on a hosted service: %v; want it refused", err)
	}
	if _, err := newFixture(t, false).rs.Set(ctx, Input{Server: "web1", Dir: "/srv/r"}); !errors.Is(err, fault.ErrUnavailable) {
		t.Errorf("without repositories: %v; want ErrUnavailable", err)
	}
}

// TestS3SecretStaysInItsFile: the secret key is written 0600 and kept when
// the target is changed without one; the status never carries it.
func TestS3SecretStaysInItsFile(t *testing.T) {
	f := newFixture(t, true)
	ctx := context.Background()
	in := Input{Server: "web1", S3: &S3Input{Endpoint: "https://s3.example/", Bucket: "b", Prefix: "/p/", AccessKeyID: "AK", SecretKey: "s3cr3t-key"}}
	st, err := f.rs.Set(ctx, in)
	if err != nil {
		t.Fatal(err)
	}
	file := f.rs.Files(f.web1.UUID).Secret
	if b, err := os.ReadFile(file); err != nil || strings.TrimSpace(string(b)) != "s3cr3t-key" {
		t.Fatalf("secret file = %q, %v", b, err)
	}
	if fi, _ := os.Stat(file); fi.Mode().Perm() != 0o600 {
		t.Errorf("secret file mode %v; want 0600", fi.Mode().Perm())
	}
	raw, _ := json.Marshal(st)
	if !st.SecretSet || strings.Contains(string(raw), "s3cr3t-key") || st.State != StateNever || st.Target.Endpoint != "https://s3.example" || st.Target.Path != "p" {
		t.Errorf("status = %s; want the secret set but not shown, the endpoint and prefix trimmed", raw)
	}
	in.S3.SecretKey, in.S3.Bucket = "", "other"
	if st, err = f.rs.Set(ctx, in); err != nil || !st.SecretSet || st.Target.Bucket != "other" {
		t.Errorf("changed without a secret: %+v, %v; want the stored secret kept", st, err)
	}
	if _, err := f.rs.Remove(ctx, "web1"); err != nil {
		t.Fatal(err)
	}
	if _, err := os.Stat(file); !errors.Is(err, os.ErrNotExist) {
		t.Errorf("after Remove the secret file is still there: %v", err)
	}
	want := []string{"replication of web1 set to s3://b/p (https://s3.example)", "replication of web1 set to s3://other/p (https://s3.example)",
		"replication of web1 removed; the replica at s3://other/p/" + f.web1.UUID + " was left as it is"}
	if got := f.messages(t); strings.Join(got, "\n") != strings.Join(want, "\n") {
		t.Errorf("events:\n%s\nwant:\n%s", strings.Join(got, "\n"), strings.Join(want, "\n"))
	}
}

// TestRunFailsWithoutRepository: a server with no repository yet fails its
// replication with a reason and one alert, and the status says so.
func TestRunFailsWithoutRepository(t *testing.T) {
	f := newFixture(t, true)
	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	defer cancel()
	if _, err := f.rs.Set(ctx, Input{Server: "web1", Dir: t.TempDir()}); err != nil {
		t.Fatal(err)
	}
	if _, err := f.rs.Run(ctx, "web1"); err != nil {
		t.Fatal(err)
	}
	st, err := f.rs.Wait(ctx, "web1")
	if err != nil {
		t.Fatal(err)
	}
	if st.State != StateFailing || st.Summary != "failing: no repository" || !strings.Contains(st.Error, "no backup made") {
		t.Errorf("status = %s %q %q; want failing: no repository", st.State, st.Summary, st.Error)
	}
	f.env.mu.Lock()
	alerts := f.env.alerts
	f.env.mu.Unlock()
	if len(alerts) != 1 || alerts[0].Key != "replica_failed:"+f.web1.UUID || alerts[0].Title != "Replication of web1 failed: no repository" || alerts[0].Route != "#/servers/"+f.web1.UUID {
		t.Errorf("alerts = %+v; want one replica_failed for web1", alerts)
	}
	got := f.messages(t)
	if len(got) != 3 || got[1] != "replication of web1 started (by hand)" || !strings.HasPrefix(got[2], "replication of web1 failed: web1 has no repository yet") {
		t.Errorf("events = %q", got)
	}
}

// TestRunOnStorageNode: a repository on a storage node is replicated by
// the node, handed the paths of the secrets (never their contents).
func TestRunOnStorageNode(t *testing.T) {
	f := newFixture(t, true)
	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	defer cancel()
	nodeSrv, err := f.st.CreateServer(ctx, store.Server{UUID: "9f8e7d6c-1111-2222-3333-444455556666", Name: "nas"})
	if err != nil {
		t.Fatal(err)
	}
	node, err := f.st.CreateTarget(ctx, store.Target{Name: "nas-store", Kind: store.TargetNode, ServerID: nodeSrv.ID, Host: "10.0.0.5", Port: 2222})
	if err == nil {
		err = f.st.SetRepoTarget(ctx, f.web1.ID, node.ID)
	}
	if err != nil {
		t.Fatal(err)
	}
	f.env.nodeRes = replicate.Result{Archives: []string{"etc-1"}, Files: 7, Bytes: 4096, Transferred: 4096, Verified: "etc-1"}
	dir := t.TempDir()
	if _, err := f.rs.Set(ctx, Input{Server: "web1", Dir: dir}); err != nil {
		t.Fatal(err)
	}
	f.rs.Run(ctx, "web1")
	st, err := f.rs.Wait(ctx, "web1")
	if err != nil {
		t.Fatal(err)
	}
	if st.State != StateInSync || len(st.Archives) != 1 || st.Files != 7 {
		t.Errorf("status = %s %q, archives %v; want in sync with etc-1", st.State, st.Summary, st.Archives)
	}
	f.env.mu.Lock()
	defer f.env.mu.Unlock()
	files := f.rs.Files(f.web1.UUID)
	if len(f.env.node) != 1 || f.env.node[0].Path != dir || f.env.node[0].KeyFile != files.Key || f.env.node[0].SecretFile != files.Secret {
		t.Errorf("targets handed to the node = %+v; want one, with the secrets' paths", f.env.node)
	}
}

// TestRunsOncePerRepository: a request while a replication runs makes it
// run once more, never twice at once.
func TestRunsOncePerRepository(t *testing.T) {
	var r runs
	if !r.start("a") || r.start("a") || r.start("a") || !r.start("b") {
		t.Fatal("start: want a and b started once, a's repeats noted")
	}
	if !r.end("a") || !r.isRunning("a") {
		t.Error("end after repeats: want one more run of a")
	}
	if r.end("a") || r.isRunning("a") {
		t.Error("end after the extra run: want a stopped")
	}
	r.wait("b")
	if !r.takeWaiting("b") || r.takeWaiting("b") {
		t.Error("takeWaiting: want b's held replication once")
	}
}

// TestRunDueHonoursPause: a due schedule starts nothing while schedules
// are paused, and waits for a running backup.
func TestRunDueHonoursPause(t *testing.T) {
	f := newFixture(t, true)
	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	defer cancel()
	st, err := f.rs.Set(ctx, Input{Server: "web1", Dir: t.TempDir(), Schedule: "0 * * * *"})
	if err != nil {
		t.Fatal(err)
	}
	f.env.paused = true
	f.st.SetReplicaScheduled(ctx, st.ServerID, time.Now().Add(-2*time.Hour))
	f.rs.RunDue(ctx)
	if st, _ = f.rs.Get(ctx, "web1"); st.Running || st.LastAttemptAt != nil {
		t.Errorf("paused: running %v, attempt %v; want nothing started", st.Running, st.LastAttemptAt)
	}
	f.env.paused = false
	f.st.SetReplicaScheduled(ctx, st.ServerID, time.Now().Add(-2*time.Hour))
	f.rs.RunDue(ctx)
	if st, err = f.rs.Wait(ctx, "web1"); err != nil || st.LastAttemptAt == nil {
		t.Errorf("unpaused: attempt %v, %v; want a replication run", st.LastAttemptAt, err)
	}
}
