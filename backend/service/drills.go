package service

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"io"
	"math/rand/v2"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"sync"
	"syscall"
	"time"

	"borgdesk/backend/events"
	"borgdesk/backend/jobs"
	"borgdesk/backend/repos"
	"borgdesk/backend/shared/borg"
	"borgdesk/backend/store"
)

// DrillSample is how many files a sample drill extracts and hashes.
const DrillSample = 64

// drillState tracks running drills and the stale alerts already sent.
type drillState struct {
	mu      sync.Mutex
	running map[int64]bool // job ids
	alerted map[string]time.Time
}

// RunDrill starts a restore drill of a job's latest archive on the
// coordinator and returns it running. A sample drill reads every chunk
// (borg extract --dry-run) and restores and hashes a sample of files; a
// full drill restores and hashes every file.
func (s *Service) RunDrill(ctx context.Context, jobRef string, full bool) (store.Drill, error) {
	j, err := s.st.FindJob(ctx, jobRef)
	if err != nil {
		return store.Drill{}, err
	}
	if err := s.needCatalog(); err != nil {
		return store.Drill{}, err
	}
	repo, err := s.readRepo(ctx, j.ServerUUID)
	if errors.Is(err, repos.ErrCreating) {
		return store.Drill{}, fmt.Errorf("%w: job %s/%s has no archive yet (its repository is still being created): run a backup first", ErrInvalid, j.ServerName, j.Name)
	}
	if err != nil {
		return store.Drill{}, fmt.Errorf("%w: %s has no repository yet: run a backup first", ErrInvalid, j.ServerName)
	}
	list, err := s.reader().List(ctx, repo)
	if errors.Is(err, borg.ErrNoRepository) { // not even created yet
		return store.Drill{}, fmt.Errorf("%w: job %s/%s has no archive yet: run a backup first", ErrInvalid, j.ServerName, j.Name)
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
		return store.Drill{}, fmt.Errorf("%w: job %s/%s has no archive yet: run a backup first", ErrInvalid, j.ServerName, j.Name)
	}
	s.drills.mu.Lock()
	if s.drills.running == nil {
		s.drills.running = map[int64]bool{}
	}
	if s.drills.running[j.ID] {
		s.drills.mu.Unlock()
		return store.Drill{}, fmt.Errorf("%w: a drill of %s/%s is already running", ErrConflict, j.ServerName, j.Name)
	}
	s.drills.running[j.ID] = true
	s.drills.mu.Unlock()
	mode := "sample"
	if full {
		mode = "full"
	}
	d, err := s.st.StartDrill(ctx, j, latest, mode)
	if err != nil {
		s.drillDone(j.ID)
		return d, err
	}
	s.publish(ctx, events.DrillChanged, j.ServerUUID, fmt.Sprintf("restore drill %d of %s/%s started (%s, archive %s)", d.ID, j.ServerName, j.Name, mode, latest),
		map[string]any{"id": d.ID, "status": d.Status})
	s.orch.Go("restore drill", func(ctx context.Context) { s.drill(ctx, j, repo, d) })
	return d, nil
}

func (s *Service) drillDone(jobID int64) {
	s.drills.mu.Lock()
	delete(s.drills.running, jobID)
	s.drills.mu.Unlock()
}

func (s *Service) drill(ctx context.Context, j store.Job, repo borg.Repo, d store.Drill) {
	defer s.drillDone(j.ID)
	err := s.repos.Locked(j.ServerUUID, func() error { return s.verifyArchive(ctx, j, repo, &d) })
	d.Status = store.DrillPassed
	if err != nil {
		d.Status, d.Error = store.DrillFailed, err.Error()
	} else if d.Mismatches > 0 {
		d.Status = store.DrillFailed
		if d.Error == "" {
			d.Error = fmt.Sprintf("%d of %d checked files differ from the archive", d.Mismatches, d.Checked)
		}
	}
	done, ferr := s.st.FinishDrill(ctx, d)
	if ferr != nil {
		s.log().Error("drill: cannot record the outcome", "drill", d.ID, "err", ferr)
		return
	}
	msg := fmt.Sprintf("restore drill %d of %s/%s %s: archive %s, %d files checked", done.ID, j.ServerName, j.Name, done.Status, done.Archive, done.Checked)
	if done.Error != "" {
		msg += ": " + done.Error
	}
	s.publish(ctx, events.DrillChanged, j.ServerUUID, msg, map[string]any{"id": done.ID, "status": done.Status})
	// the server's "last verified restorable" changed
	s.announce(events.ServerChanged, j.ServerUUID, map[string]any{"id": j.ServerID, "verified": done.Status == store.DrillPassed})
	if done.Status == store.DrillFailed {
		s.notify(ctx, j.ServerUUID, msg)
	}
}

// verifyArchive does the drill's work into a scratch directory, always removed.
func (s *Service) verifyArchive(ctx context.Context, j store.Job, repo borg.Repo, d *store.Drill) error {
	sv, err := s.st.Server(ctx, j.ServerID)
	if err != nil {
		return err
	}
	if err := s.ensureIndexed(ctx, sv, d.Archive); err != nil {
		return catalogErr(err)
	}
	type file struct {
		path string
		size int64
	}
	var all []file
	if err := s.cat.Files(ctx, sv.UUID, d.Archive, func(p string, size int64) error {
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
	if d.Mode != "full" && len(all) > DrillSample {
		r := rand.New(rand.NewPCG(uint64(d.ID), uint64(len(all))))
		r.Shuffle(len(all), func(a, b int) { all[a], all[b] = all[b], all[a] })
		pick = all[:DrillSample]
	}
	var need int64
	paths := make([]string, 0, len(pick))
	for _, f := range pick {
		need += f.size
		paths = append(paths, f.path)
	}
	scratch := s.layout.Drill(strconv.FormatInt(d.ID, 10))
	os.RemoveAll(scratch)
	if err := os.MkdirAll(scratch, 0o700); err != nil {
		return fmt.Errorf("cannot create the drill's scratch directory: %w", err)
	}
	defer os.RemoveAll(scratch)
	var st syscall.Statfs_t
	if syscall.Statfs(scratch, &st) == nil {
		if free := int64(st.Bavail) * int64(st.Bsize); free < need+(64<<20) {
			return fmt.Errorf("the coordinator has %s free and this drill needs %s: free space or run a sample drill", humanBytes(free), humanBytes(need))
		}
	}
	b := s.reader()
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

// ListDrills lists the newest drills, of one server when serverRef is set.
func (s *Service) ListDrills(ctx context.Context, serverRef string, limit int) ([]store.Drill, error) {
	var id int64
	if serverRef != "" {
		sv, err := s.Server(ctx, serverRef)
		if err != nil {
			return nil, err
		}
		id = sv.ID
	}
	return s.st.ListDrills(ctx, id, clampLimit(limit))
}

// WaitDrill returns a drill once it has finished.
func (s *Service) WaitDrill(ctx context.Context, id int64) (store.Drill, error) {
	var d store.Drill
	err := s.waitUntil(ctx, func() (bool, error) {
		var err error
		d, err = s.st.Drill(ctx, id)
		return err != nil || d.Status != store.DrillRunning, err
	})
	return d, err
}

// SetJobDrillSchedule sets when a job's restore drill runs ("" never).
func (s *Service) SetJobDrillSchedule(ctx context.Context, jobRef, schedule string) (store.Job, error) {
	j, err := s.st.FindJob(ctx, jobRef)
	if err != nil {
		return j, err
	}
	schedule = strings.TrimSpace(schedule)
	if schedule != "" {
		if _, err := jobs.ParseSchedule(schedule); err != nil {
			return j, fmt.Errorf("%w: drill schedule: %v", ErrInvalid, err)
		}
	}
	j, err = s.st.SetDrillSchedule(ctx, j.ID, schedule)
	if err != nil {
		return j, err
	}
	s.publish(ctx, events.JobChanged, j.ServerUUID, fmt.Sprintf("restore drill schedule of %s/%s: %q", j.ServerName, j.Name, schedule), map[string]any{"job_id": j.ID})
	return j, nil
}

// runDueDrills starts scheduled drills and alerts, once a day per server,
// about servers whose backups no drill has verified lately.
func (s *Service) runDueDrills(ctx context.Context) {
	if s.cat == nil {
		return
	}
	now := s.now()
	all, err := s.st.ListJobs(ctx)
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
			if _, err := s.RunDrill(ctx, strconv.FormatInt(j.ID, 10), false); err != nil {
				s.log().Warn("scheduled drill did not start", "job", j.Name, "err", err)
			}
		}
	}
	servers, err := s.ListServers(ctx)
	if err != nil {
		return
	}
	s.drills.mu.Lock()
	defer s.drills.mu.Unlock()
	if s.drills.alerted == nil {
		s.drills.alerted = map[string]time.Time{}
	}
	for _, sv := range servers {
		if !sv.VerifyStale || now.Sub(s.drills.alerted[sv.UUID]) < 24*time.Hour {
			continue
		}
		s.drills.alerted[sv.UUID] = now
		when := "no restore drill has ever verified its backups"
		if sv.LastVerifiedAt != nil {
			when = "its backups were last verified restorable on " + sv.LastVerifiedAt.Local().Format("2006-01-02")
		}
		msg := fmt.Sprintf("%s: %s; run a test restore (borgdesk drill run JOB)", sv.Name, when)
		s.orch.Go("notify", func(ctx context.Context) { s.notify(ctx, sv.UUID, msg) })
	}
}

// staleDays is the drill.stale_days setting.
func (s *Service) staleDays(ctx context.Context) int {
	v, _ := s.Setting(ctx, "drill.stale_days")
	n, err := strconv.Atoi(v)
	if err != nil || n < 1 {
		return 8
	}
	return n
}

// markStale sets VerifyStale on servers that have backups no drill verified
// within drill.stale_days.
func (s *Service) markStale(ctx context.Context, servers []store.Server) {
	limit := s.now().Add(-time.Duration(s.staleDays(ctx)) * 24 * time.Hour)
	var backed map[int64]time.Time
	for i := range servers {
		sv := &servers[i]
		if sv.LastVerifiedAt != nil && sv.LastVerifiedAt.After(limit) {
			continue
		}
		if backed == nil {
			var err error
			if backed, err = s.st.LastBackups(ctx); err != nil {
				return
			}
		}
		if _, ok := backed[sv.ID]; ok {
			sv.VerifyStale = true
		}
	}
}
