package tray

import (
	"context"
	"encoding/json"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"borgdesk/backend/dbustest"
	"borgdesk/backend/service"
	"borgdesk/backend/shared/agentapi"
	"borgdesk/backend/store"
)

// rpoChildEnv marks the process that runs TestTrayRedPastRPO's tray: the
// tray library keeps one tray per process, and TestTrayOnSessionBus holds
// this test binary's.
const rpoChildEnv = "BORGDESK_TRAY_RPO_CHILD"

// testClock is the service's and the store's clock, moved by the test.
type testClock struct {
	mu sync.Mutex
	t  time.Time
}

func (c *testClock) Now() time.Time {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.t
}

func (c *testClock) Add(d time.Duration) {
	c.mu.Lock()
	c.t = c.t.Add(d)
	c.mu.Unlock()
}

// TestTrayRedPastRPO drives the tray with the real service over a real
// SQLite store: green after a recent backup, amber and then red as the
// injected clock passes three quarters of the RPO and then the RPO, with
// no event at all (only the tray's periodic re-read can notice), and green
// again once the agent reports a new successful backup.
func TestTrayRedPastRPO(t *testing.T) {
	if os.Getenv(rpoChildEnv) == "" {
		d := dbustest.Require(t)
		cmd := exec.Command(os.Args[0], "-test.run=^TestTrayRedPastRPO$", "-test.v", "-test.count=1")
		cmd.Env = append(os.Environ(), rpoChildEnv+"=1", "DBUS_SESSION_BUS_ADDRESS="+d.Addr)
		out, err := cmd.CombinedOutput()
		if err != nil {
			t.Fatalf("the tray's process failed: %v\n%s", err, out)
		}
		if !strings.Contains(string(out), "--- PASS: TestTrayRedPastRPO") {
			t.Fatalf("the tray's process did not run the test:\n%s", out)
		}
		return
	}
	ctx := context.Background()
	clock := &testClock{t: time.Date(2026, 11, 30, 12, 0, 0, 0, time.UTC)}
	st, err := store.Open(ctx, filepath.Join(t.TempDir(), "borgdesk.db"), store.Options{Now: clock.Now})
	if err != nil {
		t.Fatal(err)
	}
	defer st.Close()
	svc := service.New(service.Config{Store: st, Now: clock.Now, DataDir: t.TempDir(), Version: "test"})
	if err := svc.SetSetting(ctx, "rpo.default", "26h"); err != nil {
		t.Fatal(err)
	}
	web1, job := enrolledServer(t, st)
	if err := svc.LoadAgents(ctx); err != nil {
		t.Fatal(err)
	}
	// A backup that finished an hour ago, and a restore drill that verified it.
	clock.Add(-time.Hour)
	run, err := st.StartRun(ctx, job.ID)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := st.FinishRun(ctx, run.ID, store.RunOutcome{Status: store.RunSucceeded, Archive: "etc@1"}); err != nil {
		t.Fatal(err)
	}
	drill, err := st.StartDrill(ctx, job, "etc@1", "sample")
	if err != nil {
		t.Fatal(err)
	}
	drill.Status = store.DrillPassed
	if _, err := st.FinishDrill(ctx, drill); err != nil {
		t.Fatal(err)
	}
	clock.Add(time.Hour)

	w, err := dbustest.NewWatcher(os.Getenv("DBUS_SESSION_BUS_ADDRESS"))
	if err != nil {
		t.Fatal(err)
	}
	defer w.Close()
	tr, err := Start(ctx, Options{Source: svc, Coalesce: 10 * time.Millisecond, Every: 100 * time.Millisecond})
	if err != nil {
		t.Fatal(err)
	}
	defer tr.Stop()
	eventually(t, "the item to register", func() bool { return len(w.Items()) == 1 })
	h := host{t: t, conn: w.Conn(), item: w.Items()[0].Sender}
	shows := func(state, status string) func() bool {
		return func() bool { return h.iconColour() == argb(state) && h.layout().Children[0].Label == status }
	}
	eventually(t, "a green icon after a backup an hour ago", shows("green", "1 healthy"))

	clock.Add(20 * time.Hour) // 21 h old: past three quarters of 26 h
	eventually(t, "amber close to the RPO", shows("amber", "1 need attention, 0 healthy · web1: job etc: last backup 21h ago, close to its 26h RPO"))

	clock.Add(6 * time.Hour) // 27 h old: past the RPO
	eventually(t, "red past the RPO", shows("red", "1 at risk, 0 healthy · web1: job etc: last backup 27h ago, past its 26h RPO"))

	// The agent backs up again: the run is dispatched and completed through
	// the service, as the gateway does it.
	if err := backUp(ctx, st, svc, web1, job); err != nil {
		t.Fatal(err)
	}
	eventually(t, "green after the new backup", shows("green", "1 healthy"))
}

// enrolledServer enrolls web1 with one job and records its agent's
// heartbeat, so it is online.
func enrolledServer(t *testing.T, st *store.Store) (store.Server, store.Job) {
	t.Helper()
	ctx := context.Background()
	if _, err := st.CreateToken(ctx, "web1", "token-hash", time.Date(2030, 1, 1, 0, 0, 0, 0, time.UTC)); err != nil {
		t.Fatal(err)
	}
	sv, err := st.Enroll(ctx, store.Enrollment{TokenHash: "token-hash", Name: "web1", UUID: "6f1c1a52-3d4e-4b7a-9c1e-2a5b6c7d8e9f",
		CertSerial: "1", CertNotAfter: time.Date(2030, 1, 1, 0, 0, 0, 0, time.UTC), SSHPublicKey: "ssh-ed25519 AAAA", Protocol: agentapi.ProtocolVersion})
	if err != nil {
		t.Fatal(err)
	}
	if sv, _, err = st.RecordHeartbeat(ctx, sv.UUID, store.Heartbeat{Protocol: agentapi.ProtocolVersion}); err != nil {
		t.Fatal(err)
	}
	job, err := st.CreateJob(ctx, store.Job{ServerID: sv.ID, Name: "etc", Kind: "files", Enabled: true})
	if err != nil {
		t.Fatal(err)
	}
	return sv, job
}

// backUp queues a run of job with its task, as the dispatcher does, and
// has the agent start and complete it through the service.
func backUp(ctx context.Context, st *store.Store, svc *service.Service, sv store.Server, job store.Job) error {
	run, err := st.QueueRun(ctx, job.ID, "manual", 1)
	if err != nil {
		return err
	}
	payload, _ := json.Marshal(agentapi.BackupPayload{JobID: job.ID, RunID: run.ID, Archive: "etc@2"})
	task, err := st.CreateTask(ctx, sv.ID, agentapi.TaskBackup, payload)
	if err != nil {
		return err
	}
	if _, err := st.MarkRunRunning(ctx, run.ID, task.ID, "etc@2"); err != nil {
		return err
	}
	if err := svc.StartTask(ctx, sv.UUID, task.ID); err != nil {
		return err
	}
	result, _ := json.Marshal(agentapi.BackupResult{Archive: "etc@2", Files: 10, Bytes: 1 << 20, Verified: true})
	return svc.CompleteTask(ctx, sv.UUID, task.ID, agentapi.TaskComplete{Status: store.TaskSucceeded, Result: result})
}
