package app

import (
	"context"
	"sync"

	"borgdesk/backend/service"
	"borgdesk/backend/store"
)

// Desk is the service the window calls: Wails binds every exported method
// (frontend/wailsjs/go/app/Desk.js). Each method only adapts to
// backend/service; only the frontend's Pinia stores call these.
type Desk struct {
	svc *service.Service

	mu  sync.Mutex
	ctx context.Context
}

func newDesk(svc *service.Service) *Desk {
	return &Desk{svc: svc, ctx: context.Background()}
}

// setContext gives the desk the root context once the window exists.
func (d *Desk) setContext(ctx context.Context) {
	d.mu.Lock()
	d.ctx = ctx
	d.mu.Unlock()
}

func (d *Desk) context() context.Context {
	d.mu.Lock()
	defer d.mu.Unlock()
	return d.ctx
}

// Status reports version, data dir and fleet counts.
func (d *Desk) Status() (service.Status, error) { return d.svc.Status(d.context()) }

// ListServers returns every server.
func (d *Desk) ListServers() ([]store.Server, error) { return d.svc.ListServers(d.context()) }

// ListJobs returns every job.
func (d *Desk) ListJobs() ([]store.Job, error) { return d.svc.ListJobs(d.context()) }

// ListRuns returns the newest runs.
func (d *Desk) ListRuns(limit int) ([]store.Run, error) { return d.svc.ListRuns(d.context(), limit) }

// ListEvents returns the newest events.
func (d *Desk) ListEvents(limit int) ([]store.Event, error) {
	return d.svc.ListEvents(d.context(), limit)
}

// GetSettings returns every setting.
func (d *Desk) GetSettings() (map[string]string, error) { return d.svc.Settings(d.context()) }

// SetSetting changes one setting.
func (d *Desk) SetSetting(key, value string) error { return d.svc.SetSetting(d.context(), key, value) }

// Ping answers the self-test's round trip.
func (d *Desk) Ping(nonce string) string { return pingReply(nonce) }

func pingReply(nonce string) string { return "pong:" + nonce }
