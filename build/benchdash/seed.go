package main

import (
	"context"
	"crypto/ed25519"
	"crypto/rand"
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"time"

	"golang.org/x/crypto/ssh"

	"borgdesk/backend/shared/agentapi"
	"borgdesk/backend/store"
)

// markerFile tells `borgdesk --self-test-bench` that this data dir is a
// generated bench fleet it may write fake progress and settings into. The
// name is the one app/selftest_bench.go looks for.
const markerFile = "selftest-bench-fleet"

// fleet is the shape of a seeded fleet, as the report states it.
type fleet struct {
	Servers, Jobs, Runs, Running, SizePoints, Drills, Events int
	// Red, Amber are the servers the seed made red or amber.
	Red, Amber int
	dir        string
	uuids      []string
	offline    map[string]bool
}

// clocked is a store whose clock the seeder sets before each write, so
// every row carries the time it would have had.
type clocked struct {
	*store.Store
	at time.Time
}

func openClocked(ctx context.Context, dir string) (*clocked, error) {
	c := &clocked{}
	st, err := store.Open(ctx, filepath.Join(dir, "borgdesk.db"), store.Options{Now: func() time.Time { return c.at }})
	c.Store = st
	return c, err
}

// seed writes a fleet of n servers, each with one daily backup job and
// runsPerJob runs, through backend/store (the same calls the service makes,
// with the clock set to when each thing happened): enrolled agents, runs
// with their finish times, a repository size after each backup (the last
// 90 days are what the dashboard's storage card reads), restore drills,
// recent events, and runs in progress with their agents' tasks.
//
// Shape: every 50th server's newest backup is 30 h old (red, past the 26 h
// RPO), every 7th's 21 h (amber, close to it), every 11th has no recent
// drill (amber), every 97th agent is offline (amber); the others backed up
// 1–12 h ago. Every 25th server has a backup running now. One run in ten
// failed, never the newest.
func seed(ctx context.Context, dir string, n, runsPerJob int) (*fleet, error) {
	if err := os.MkdirAll(dir, 0o700); err != nil {
		return nil, err
	}
	now := time.Now().UTC()
	st, err := openClocked(ctx, dir)
	if err != nil {
		return nil, err
	}
	defer st.Close()
	st.at = now
	// No scheduled backup may start on the bench fleet; the settings are
	// the ones an operator would make.
	for k, v := range map[string]string{"schedules.paused": "true", "rpo.default": "26h"} {
		if err := st.SetSetting(ctx, k, v); err != nil {
			return nil, err
		}
	}
	f := &fleet{dir: dir, offline: map[string]bool{}}
	for i := range n {
		if err := seedServer(ctx, st, f, now, i, runsPerJob); err != nil {
			return nil, fmt.Errorf("server %d: %w", i+1, err)
		}
	}
	// The event log's newest entries, as the service writes them.
	st.at = now.Add(-time.Hour)
	runs, err := st.ListRuns(ctx, 200)
	if err != nil {
		return nil, err
	}
	for _, r := range runs {
		data, _ := json.Marshal(map[string]any{"run_id": r.ID, "status": r.Status})
		if _, err := st.AppendEvent(ctx, store.Event{At: r.StartedAt, Kind: "run:progress", Subject: r.ServerName,
			Message: fmt.Sprintf("run %d of %s/%s %s", r.ID, r.ServerName, r.JobName, r.Status), Data: data}); err != nil {
			return nil, err
		}
		f.Events++
	}
	// The offline agents were last heard from two hours ago.
	st.at = now.Add(-2 * time.Hour)
	for uuid := range f.offline {
		if _, _, err := st.RecordHeartbeat(ctx, uuid, store.Heartbeat{AgentVersion: "bench", Protocol: agentapi.ProtocolVersion}); err != nil {
			return nil, err
		}
	}
	st.at = now
	if _, err := st.MarkOffline(ctx, now.Add(-time.Hour)); err != nil {
		return nil, err
	}
	if err := heartbeat(ctx, f); err != nil {
		return nil, err
	}
	note := "made by build/benchdash: a generated fleet that `borgdesk --self-test --self-test-bench` may write fake progress and settings into\n"
	return f, os.WriteFile(filepath.Join(dir, markerFile), []byte(note), 0o600)
}

// seedServer enrolls server i with its job, its history and, for some, a
// backup running now, and counts them in f.
func seedServer(ctx context.Context, st *clocked, f *fleet, now time.Time, i, runsPerJob int) error {
	name := fmt.Sprintf("srv%03d", i+1)
	uuid := newUUID()
	st.at = now.Add(-time.Duration(runsPerJob+10) * 24 * time.Hour)
	hash := "bench-token-" + uuid
	if _, err := st.CreateToken(ctx, name, hash, st.at.Add(time.Hour)); err != nil {
		return err
	}
	pub, _, _ := ed25519.GenerateKey(rand.Reader)
	sshPub, _ := ssh.NewPublicKey(pub)
	sv, err := st.Enroll(ctx, store.Enrollment{TokenHash: hash, Name: name, UUID: uuid, Hostname: name + ".bench.lan",
		CertSerial: fmt.Sprint(1000 + i), CertNotAfter: now.Add(300 * 24 * time.Hour),
		SSHPublicKey: strings.TrimSpace(string(ssh.MarshalAuthorizedKey(sshPub))), AgentVersion: "bench", Protocol: agentapi.ProtocolVersion})
	if err != nil {
		return fmt.Errorf("enroll %s: %w", name, err)
	}
	f.uuids = append(f.uuids, uuid)
	spec, _ := json.Marshal(agentapi.BackupSpec{Kind: "files", Paths: []string{"/etc", "/srv/www"}})
	job, err := st.CreateJob(ctx, store.Job{ServerID: sv.ID, Name: "files-" + name, Kind: "files", Spec: string(spec),
		Schedule: "0 3 * * *", Enabled: true, Keep: `{"daily":7,"weekly":4}`})
	if err != nil {
		return err
	}
	f.Servers++
	f.Jobs++
	age := time.Duration(1+i%12) * time.Hour
	switch {
	case i%50 == 49:
		age = 30 * time.Hour
		f.Red++
	case i%7 == 6:
		age = 21 * time.Hour
		f.Amber++
	case i%11 == 10, i%97 == 96:
		f.Amber++
	}
	if i%97 == 96 {
		f.offline[uuid] = true
	}
	var size int64 = 2 << 30
	var last store.Run
	for k := range runsPerJob {
		finished := now.Add(-age - time.Duration(runsPerJob-1-k)*24*time.Hour)
		st.at = finished.Add(-time.Duration(2+(i+k)%18) * time.Minute)
		r, err := st.StartRun(ctx, job.ID)
		if err != nil {
			return err
		}
		st.at = finished
		o := store.RunOutcome{Status: store.RunSucceeded, Files: 40000 + int64(k), Bytes: size, Deduplicated: 30 << 20,
			Archive: fmt.Sprintf("files-%s@%s", name, finished.Format("2006-01-02T15.04.05Z"))}
		if (i+k)%10 == 3 && k != runsPerJob-1 {
			o = store.RunOutcome{Status: store.RunFailed, Error: "borg: Connection closed by remote host", Log: "Remote: Connection closed by remote host\n"}
		}
		if last, err = st.FinishRun(ctx, r.ID, o); err != nil {
			return err
		}
		f.Runs++
		if o.Status == store.RunSucceeded {
			size += 30 << 20
			if err := st.AddRepoSize(ctx, sv.ID, finished, size); err != nil {
				return err
			}
			f.SizePoints++
		}
	}
	if i%11 != 10 { // a passed drill two days ago
		st.at = now.Add(-48 * time.Hour)
		d, err := st.StartDrill(ctx, job, last.Archive, "sample")
		if err != nil {
			return err
		}
		st.at = st.at.Add(4 * time.Minute)
		d.Status, d.Files, d.Checked = store.DrillPassed, 40000, 64
		if _, err := st.FinishDrill(ctx, d); err != nil {
			return err
		}
		f.Drills++
	}
	if i%25 == 0 {
		if err := startRun(ctx, st, now, sv, job); err != nil {
			return err
		}
		f.Running++
	}
	return nil
}

// startRun leaves a backup of job running: queued, its task dispatched to
// the agent and started, as the service and the agent do it.
func startRun(ctx context.Context, st *clocked, now time.Time, sv store.Server, job store.Job) error {
	st.at = now.Add(-10 * time.Minute)
	r, err := st.QueueRun(ctx, job.ID, "schedule", 1)
	if err != nil {
		return err
	}
	archive := fmt.Sprintf("%s@%s", job.Name, st.at.Format("2006-01-02T15.04.05Z"))
	payload, _ := json.Marshal(agentapi.BackupPayload{JobID: job.ID, RunID: r.ID, Archive: archive})
	t, err := st.CreateTask(ctx, sv.ID, agentapi.TaskBackup, payload)
	if err != nil {
		return err
	}
	if _, err := st.ClaimTasks(ctx, sv.ID, 1, st.at.Add(-time.Hour)); err != nil {
		return err
	}
	if _, err := st.MarkRunRunning(ctx, r.ID, t.ID, archive); err != nil {
		return err
	}
	_, err = st.StartTask(ctx, sv.ID, t.ID)
	return err
}

// heartbeat records a heartbeat of every agent but the offline ones, now:
// run before each window, so no agent goes offline during a round.
func heartbeat(ctx context.Context, f *fleet) error {
	st, err := store.Open(ctx, filepath.Join(f.dir, "borgdesk.db"), store.Options{})
	if err != nil {
		return err
	}
	defer st.Close()
	metrics := []byte(`{"cpu_percent":12.5,"load1":0.4,"mem_total":8589934592,"mem_used":3221225472}`)
	for _, uuid := range f.uuids {
		if f.offline[uuid] {
			continue
		}
		if _, _, err := st.RecordHeartbeat(ctx, uuid, store.Heartbeat{AgentVersion: "bench", Protocol: agentapi.ProtocolVersion, Metrics: metrics}); err != nil {
			return err
		}
	}
	return nil
}

func newUUID() string {
	b := make([]byte, 16)
	rand.Read(b)
	b[6] = b[6]&0x0f | 0x40
	b[8] = b[8]&0x3f | 0x80
	return fmt.Sprintf("%x-%x-%x-%x-%x", b[0:4], b[4:6], b[6:8], b[8:10], b[10:])
}
