// Package service holds Borgdesk's use cases: the one API behind the Wails
// bindings, the admin socket and the tests.
//
// It validates input, talks to the store and announces what changed. It never
// imports Wails or net/http: front doors adapt to it, not the other way round.
// Every change is written to the store before it is announced.
package service

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"time"

	"borgdesk/backend/events"
	"borgdesk/backend/store"
)

var (
	// ErrNotFound is returned when a named thing does not exist.
	ErrNotFound = store.ErrNotFound
	// ErrConflict is returned when a name is already taken.
	ErrConflict = store.ErrConflict
	// ErrInvalid is returned for input the service refuses.
	ErrInvalid = errors.New("invalid input")
)

// Config is what a Service needs.
type Config struct {
	Store   *store.Store
	Bus     *events.Bus
	Now     func() time.Time
	DataDir string
	Version string
}

// Service is the coordinator's use cases.
type Service struct {
	st      *store.Store
	bus     *events.Bus
	now     func() time.Time
	dataDir string
	version string
	started time.Time
}

// New returns a service over cfg's store and bus.
func New(cfg Config) *Service {
	if cfg.Now == nil {
		cfg.Now = time.Now
	}
	if cfg.Bus == nil {
		cfg.Bus = events.NewBus()
	}
	return &Service{st: cfg.Store, bus: cfg.Bus, now: cfg.Now, dataDir: cfg.DataDir, version: cfg.Version, started: cfg.Now()}
}

// Status is a summary of the coordinator.
type Status struct {
	Version     string    `json:"version"`
	DataDir     string    `json:"data_dir"`
	Schema      int       `json:"schema"`
	StartedAt   time.Time `json:"started_at" ts_type:"string"`
	Servers     int       `json:"servers"`
	Jobs        int       `json:"jobs"`
	RunsRunning int       `json:"runs_running"`
}

// Status reports the coordinator's version, data dir and counts.
func (s *Service) Status(ctx context.Context) (Status, error) {
	st := Status{Version: s.version, DataDir: s.dataDir, StartedAt: s.started.UTC()}
	var err error
	if st.Schema, err = s.st.SchemaVersion(ctx); err != nil {
		return Status{}, fmt.Errorf("status: %w", err)
	}
	if st.Servers, err = s.st.CountServers(ctx); err != nil {
		return Status{}, fmt.Errorf("status: %w", err)
	}
	if st.Jobs, err = s.st.CountJobs(ctx); err != nil {
		return Status{}, fmt.Errorf("status: %w", err)
	}
	if st.RunsRunning, err = s.st.CountRunning(ctx); err != nil {
		return Status{}, fmt.Errorf("status: %w", err)
	}
	return st, nil
}

// Subscribe returns a live feed of events; see events.Bus.
func (s *Service) Subscribe(buf int) *events.Subscription { return s.bus.Subscribe(buf) }

// ListEvents returns the newest events first; limit is clamped to 1..1000.
func (s *Service) ListEvents(ctx context.Context, limit int) ([]store.Event, error) {
	return s.st.ListEvents(ctx, clampLimit(limit))
}

// publish persists an event, then announces it.
func (s *Service) publish(ctx context.Context, kind, subject, message string, data any) error {
	ev := store.Event{Kind: kind, Subject: subject, Message: message}
	if data != nil {
		raw, err := json.Marshal(data)
		if err != nil {
			return fmt.Errorf("encode %s event: %w", kind, err)
		}
		ev.Data = raw
	}
	saved, err := s.st.AppendEvent(ctx, ev)
	if err != nil {
		return err
	}
	s.bus.Publish(saved)
	return nil
}

func clampLimit(n int) int {
	switch {
	case n <= 0:
		return 50
	case n > 1000:
		return 1000
	}
	return n
}
