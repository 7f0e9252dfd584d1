package service

import (
	"context"
	"fmt"
	"strings"

	"borgdesk/backend/drills"
	"borgdesk/backend/events"
	"borgdesk/backend/jobs"
	"borgdesk/backend/shared/borg"
	"borgdesk/backend/store"
)

// DrillSample is how many files a sample drill extracts and hashes.
const DrillSample = drills.Sample

// RunDrill starts a restore drill of a job's latest archive on the
// coordinator and returns it running. A sample drill reads every chunk
// (borg extract --dry-run) and restores and hashes a sample of files; a
// full drill restores and hashes every file.
func (s *Service) RunDrill(ctx context.Context, jobRef string, full bool) (store.Drill, error) {
	j, err := s.st.FindJob(ctx, jobRef)
	if err != nil {
		return store.Drill{}, err
	}
	return s.drills.Start(ctx, j, full)
}

// runDueDrills starts scheduled drills and the stale reminders.
func (s *Service) runDueDrills(ctx context.Context) { s.drills.RunDue(ctx) }

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

// drillEnv is what drills ask of the service.
type drillEnv struct{ s *Service }

func (e drillEnv) ReadRepo(ctx context.Context, uuid string) (borg.Repo, error) {
	return e.s.readRepo(ctx, uuid)
}

func (e drillEnv) EnsureIndexed(ctx context.Context, sv store.Server, archive string) error {
	return catalogErr(e.s.ensureIndexed(ctx, sv, archive))
}

func (e drillEnv) Files(ctx context.Context, uuid, archive string, fn func(string, int64) error) error {
	return e.s.cat.Files(ctx, uuid, archive, fn)
}

func (e drillEnv) ListServers(ctx context.Context) ([]store.Server, error) {
	return e.s.ListServers(ctx)
}

func (e drillEnv) Setting(ctx context.Context, key string) (string, error) {
	return e.s.Setting(ctx, key)
}

func (e drillEnv) Notify(ctx context.Context, subject, msg string) { e.s.notify(ctx, subject, msg) }
