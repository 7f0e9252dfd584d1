// Package drills runs restore drills: a job's latest archive restored on
// the coordinator into a scratch folder and compared, file by file, with
// the hashes borg recorded (a sample, or every file), on demand or on the
// job's drill schedule; and the daily reminder about servers whose backups
// no drill has verified lately.
//
// A drill never writes where a server's data lives (only its own scratch
// folder under the data dir, always removed), never holds a repository
// longer than its lock, and never talks to an agent.
package drills

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"math/rand/v2"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"sync"
	"time"

	"borgdesk/backend/datadir"
	"borgdesk/backend/diskspace"
	"borgdesk/backend/events"
	"borgdesk/backend/fault"
	"borgdesk/backend/jobs"
	"borgdesk/backend/repos"
	"borgdesk/backend/shared/agentapi"
	"borgdesk/backend/shared/borg"
	"borgdesk/backend/shared/units"
	"borgdesk/backend/store"
)

// Sample is how many files a sample drill extracts and hashes.
const Sample = 64

// Env is what a drill asks of the rest of the coordinator.
type Env interface {
	// ReadRepo opens a server's repository for reading, wherever it lives.
	ReadRepo(ctx context.Context, uuid string) (borg.Repo, error)
	// EnsureIndexed indexes an archive in the file catalog if it is not yet,
	// with an error the operator can act on.
	EnsureIndexed(ctx context.Context, sv store.Server, archive string) error
	// Files lists an indexed archive's regular files.
	Files(ctx context.Context, uuid, archive string, fn func(path string, size int64) error) error
	// ListServers lists the servers with their "verify stale" mark.
	ListServers(ctx context.Context) ([]store.Server, error)
	// Setting reads a setting (drill.stale_days).
	Setting(ctx context.Context, key string) (string, error)
	// Notify tells the operator.
	Notify(ctx context.Context, subject, msg string)
}

// Config is what Drills needs. Without a catalog (Enabled false) drills
// are unavailable.
type Config struct {
	Store        *store.Store
	Events       events.Log
	Now          func() time.Time
	Orchestrator *jobs.Orchestrator
	Layout       datadir.Layout
	Repos        *repos.Repos
	Env          Env
	Enabled      bool
	Logger       *slog.Logger
}

// Drills starts and runs restore drills, one per job at a time.
type Drills struct {
	st      *store.Store
	events  events.Log
	now     func() time.Time
	orch    *jobs.Orchestrator
	layout  datadir.Layout
	repos   *repos.Repos
	env     Env
	enabled bool
	log     *slog.Logger

	mu      sync.Mutex
	running map[int64]bool       // job ids
	alerted map[string]time.Time // server uuid → last stale reminder
}

// New returns the drills of cfg's coordinator.
func New(cfg Config) *Drills {
	if cfg.Logger == nil {
		cfg.Logger = slog.New(slog.DiscardHandler)
	}
	return &Drills{st: cfg.Store, events: cfg.Events, now: cfg.Now, orch: cfg.Orchestrator, layout: cfg.Layout, repos: cfg.Repos,
		env: cfg.Env, enabled: cfg.Enabled, log: cfg.Logger, running: map[int64]bool{}, alerted: map[string]time.Time{}}
}

// Start starts a restore drill of a job's latest archive on the
// coordinator and returns it running. A sample drill reads every chunk
// (borg extract --dry-run) and restores and hashes a sample of files; a
// full drill restores and hashes every file.
func (dr *Drills) Start(ctx context.Context, j store.Job, full bool) (store.Drill, error) {
	if !dr.enabled {
		return store.Drill{}, fmt.Errorf("%w: this coordinator keeps no file catalog", fault.ErrUnavailable)
	}
	if j.Kind == agentapi.KindFlx {
		return store.Drill{}, fmt.Errorf("%w: job %s/%s makes .flx snapshots, not archives to drill: every upload is verified (each hash) when it arrives; check one with borgdesk flx verify FILE", fault.ErrInvalid, j.ServerName, j.Name)
	}
	repo, err := dr.env.ReadRepo(ctx, j.ServerUUID)
	if errors.Is(err, repos.ErrCreating) {
		return store.Drill{}, fmt.Errorf("%w: job %s/%s has no archive yet (its repository is still being created): run a backup first", fault.ErrInvalid, j.ServerName, j.Name)
	}
	if err != nil {
		return store.Drill{}, fmt.Errorf("%w: %s has no repository yet: run a backup first", fault.ErrInvalid, j.ServerName)
	}
	list, err := dr.repos.Borg.Reader().List(ctx, repo)
	if errors.Is(err, borg.ErrNoRepository) { // not even created yet
		return store.Drill{}, fmt.Errorf("%w: job %s/%s has no archive yet: run a backup first", fault.ErrInvalid, j.ServerName, j.Name)
	}
	if err != nil {
		return store.Drill{}, err
	}
	latest := ""
	var latestT time.Time
	for _, a := range list {
		if strings.HasPrefix(a.Name, jobs.ArchivePrefix(j.Name)) && !strings.HasSuffix(a.Name, ".checkpoint") {
			if t := borg.ArchiveTime(a.Start); latest == "" || !t.Before(latestT) {
				latest, latestT = a.Name, t
			}
		}
	}
	if latest == "" {
		return store.Drill{}, fmt.Errorf("%w: job %s/%s has no archive yet: run a backup first", fault.ErrInvalid, j.ServerName, j.Name)
	}
	dr.mu.Lock()
	if dr.running[j.ID] {
		dr.mu.Unlock()
		return store.Drill{}, fmt.Errorf("%w: a drill of %s/%s is already running", fault.ErrConflict, j.ServerName, j.Name)
	}
	dr.running[j.ID] = true
	dr.mu.Unlock()
	mode := "sample"
	if full {
		mode = "full"
	}
	d, err := dr.st.StartDrill(ctx, j, latest, mode)
	if err != nil {
		dr.done(j.ID)
		return d, err
	}
	dr.events.Publish(ctx, events.DrillChanged, j.ServerUUID, fmt.Sprintf("restore drill %d of %s/%s started (%s, archive %s)", d.ID, j.ServerName, j.Name, mode, latest),
		map[string]any{"id": d.ID, "job_id": j.ID, "status": d.Status})
	dr.orch.Go("restore drill", func(ctx context.Context) { dr.run(ctx, j, repo, d) })
	return d, nil
}

func (dr *Drills) done(jobID int64) {
	dr.mu.Lock()
	delete(dr.running, jobID)
	dr.mu.Unlock()
}

func (dr *Drills) run(ctx context.Context, j store.Job, repo borg.Repo, d store.Drill) {
	defer dr.done(j.ID)
	err := dr.repos.Locked(j.ServerUUID, func() error { return dr.verify(ctx, j, repo, &d) })
	d.Status = store.DrillPassed
	if err != nil {
		d.Status, d.Error = store.DrillFailed, err.Error()
	} else if d.Mismatches > 0 {
		d.Status = store.DrillFailed
		if d.Error == "" {
			d.Error = fmt.Sprintf("%d of %d checked files differ from the archive", d.Mismatches, d.Checked)
		}
	}
	done, ferr := dr.st.FinishDrill(ctx, d)
	if ferr != nil {
		dr.log.Error("drill: cannot record the outcome", "drill", d.ID, "err", ferr)
		return
	}
	msg := fmt.Sprintf("restore drill %d of %s/%s %s: archive %s, %d files checked", done.ID, j.ServerName, j.Name, done.Status, done.Archive, done.Checked)
	if done.Error != "" {
		msg += ": " + done.Error
	}
	dr.events.Publish(ctx, events.DrillChanged, j.ServerUUID, msg, map[string]any{"id": done.ID, "job_id": j.ID, "status": done.Status})
	// the server's "last verified restorable" changed
	dr.events.Announce(events.ServerChanged, j.ServerUUID, map[string]any{"id": j.ServerID, "verified": done.Status == store.DrillPassed})
	if done.Status == store.DrillFailed {
		dr.env.Notify(ctx, j.ServerUUID, msg)
	}
}

// verifyArchive does the drill's work into a scratch directory, always removed.
func (dr *Drills) verify(ctx context.Context, j store.Job, repo borg.Repo, d *store.Drill) error {
	sv, err := dr.st.Server(ctx, j.ServerID)
	if err != nil {
		return err
	}
	if err := dr.env.EnsureIndexed(ctx, sv, d.Archive); err != nil {
		return err
	}
	type file struct {
		path string
		size int64
	}
	var all []file
	if err := dr.env.Files(ctx, sv.UUID, d.Archive, func(p string, size int64) error {
		all = append(all, file{p, size})
		return nil
	}); err != nil {
		return err
	}
	d.Files = int64(len(all))
	for _, f := range all {
		d.Bytes += f.size
	}
	pick := all
	if d.Mode != "full" && len(all) > Sample {
		r := rand.New(rand.NewPCG(uint64(d.ID), uint64(len(all))))
		r.Shuffle(len(all), func(a, b int) { all[a], all[b] = all[b], all[a] })
		pick = all[:Sample]
	}
	var need int64
	paths := make([]string, 0, len(pick))
	for _, f := range pick {
		need += f.size
		paths = append(paths, f.path)
	}
	scratch := dr.layout.Drill(strconv.FormatInt(d.ID, 10))
	os.RemoveAll(scratch)
	if err := os.MkdirAll(scratch, 0o700); err != nil {
		return fmt.Errorf("cannot create the drill's scratch directory: %w", err)
	}
	defer os.RemoveAll(scratch)
	if u, err := diskspace.Of(scratch); err == nil {
		if free := int64(u.Avail); free < need+(64<<20) {
			return fmt.Errorf("the coordinator has %s free and this drill needs %s: free space or run a sample drill", units.Bytes(free), units.Bytes(need))
		}
	}
	b := dr.repos.Borg.Reader()
	if d.Mode != "full" {
		// Every chunk of the archive read, decrypted and checked.
		if err := b.VerifyExtract(ctx, repo, d.Archive); err != nil {
			return fmt.Errorf("borg extract --dry-run: %w", err)
		}
		if len(paths) == 0 {
			return nil
		}
		if err := b.Extract(ctx, repo, d.Archive, scratch, paths...); err != nil {
			return err
		}
	} else if err := b.Extract(ctx, repo, d.Archive, scratch); err != nil {
		return err
	}
	want := map[string]string{}
	hashPaths := paths
	if d.Mode == "full" {
		hashPaths = nil // all
	}
	if err := b.Hashes(ctx, repo, d.Archive, hashPaths, func(p string, _ int64, sum string) error {
		want[p] = sum
		return nil
	}); err != nil {
		return err
	}
	var firstBad []string
	for _, f := range pick {
		d.Checked++
		got, size, err := hashFile(filepath.Join(scratch, f.path))
		switch {
		case err != nil, size != f.size, want[f.path] == "", got != want[f.path]:
			d.Mismatches++
			if len(firstBad) < 3 {
				firstBad = append(firstBad, f.path)
			}
		}
	}
	if d.Mismatches > 0 {
		d.Error = fmt.Sprintf("%d of %d checked files differ from the archive (first: %s)", d.Mismatches, d.Checked, strings.Join(firstBad, ", "))
	}
	return nil
}

func hashFile(p string) (string, int64, error) {
	f, err := os.Open(p)
	if err != nil {
		return "", 0, err
	}
	defer f.Close()
	h := sha256.New()
	n, err := io.Copy(h, f)
	return hex.EncodeToString(h.Sum(nil)), n, err
}

// RunDue starts scheduled drills and alerts, once a day per server,
// about servers whose backups no drill has verified lately.
func (dr *Drills) RunDue(ctx context.Context) {
	if !dr.enabled {
		return
	}
	now := dr.now()
	all, err := dr.st.ListJobs(ctx)
	if err != nil {
		return
	}
	for _, j := range all {
		if j.DrillSchedule == "" {
			continue
		}
		sched, err := jobs.ParseSchedule(j.DrillSchedule)
		if err != nil {
			continue
		}
		last := j.CreatedAt
		if j.LastDrillAt != nil {
			last = *j.LastDrillAt
		}
		if sched.Due(last, now) {
			if _, err := dr.Start(ctx, j, false); err != nil {
				dr.log.Warn("scheduled drill did not start", "job", j.Name, "err", err)
			}
		}
	}
	servers, err := dr.env.ListServers(ctx)
	if err != nil {
		return
	}
	dr.mu.Lock()
	defer dr.mu.Unlock()
	for _, sv := range servers {
		if !sv.VerifyStale || now.Sub(dr.alerted[sv.UUID]) < 24*time.Hour {
			continue
		}
		dr.alerted[sv.UUID] = now
		when := "no restore drill has ever verified its backups"
		if sv.LastVerifiedAt != nil {
			when = "its backups were last verified restorable on " + sv.LastVerifiedAt.Local().Format("2006-01-02")
		}
		msg := fmt.Sprintf("%s: %s; run a test restore (borgdesk drill run JOB)", sv.Name, when)
		dr.orch.Go("notify", func(ctx context.Context) { dr.env.Notify(ctx, sv.UUID, msg) })
	}
}
