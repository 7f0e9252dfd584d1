// Package tray puts Borgdesk in the desktop's system tray (StatusNotifierItem
// over D-Bus on Linux, the notification area on Windows and the menu bar on
// macOS, through fyne.io/systray): an icon in the fleet's colour, the
// status line as its tooltip, and a menu to open the window, back a server
// up now, pause the schedules, open the last failures and quit.
//
// It reads and acts through Source only and is fed by the service's events;
// it never polls faster than once a minute (health ages with the clock).
// On Linux, without a session bus or a tray host it logs once and does
// nothing more: the app runs on without it.
package tray

import (
	"context"
	"errors"
	"log/slog"
	"sync"
	"sync/atomic"
	"time"

	"github.com/godbus/dbus/v5"

	"borgdesk/backend/events"
	"borgdesk/backend/service"
	"borgdesk/backend/store"
)

// Source is the part of the service the tray uses.
type Source interface {
	Health(ctx context.Context) (service.FleetHealth, error)
	ListJobs(ctx context.Context) ([]store.Job, error)
	RunJob(ctx context.Context, ref, trigger string) (store.Run, error)
	ListRuns(ctx context.Context, limit int) ([]store.Run, error)
	SchedulesPaused(ctx context.Context) bool
	PauseSchedules(ctx context.Context, paused bool) error
	Subscribe(buf int) *events.Subscription
}

// Options configure a Tray.
type Options struct {
	Source Source
	// Open shows the window; route is the page to show ("" keeps the
	// page it was on).
	Open func(route string)
	// Quit ends the app.
	Quit   func()
	Logger *slog.Logger
	// Coalesce is the pause after an event before the menu is rebuilt, so
	// a burst costs one rebuild (default 300 ms).
	Coalesce time.Duration
	// Every is how often health is re-read without events, because a
	// backup ages past its RPO with no event (default 1 min).
	Every time.Duration
}

// ErrRunning says a tray is already running in this process: the system
// tray library keeps one global tray per process.
var ErrRunning = errors.New("a tray is already running in this process")

var claimed atomic.Bool

// Tray is the app's tray icon and menu.
type Tray struct {
	opts   Options
	ctx    context.Context
	cancel context.CancelFunc
	wg     sync.WaitGroup
	poke   chan struct{}
	ready  chan struct{}
	menu   *menu

	mu        sync.Mutex
	end       func()
	probe     *dbus.Conn
	available atomic.Bool
}

// Start shows the tray icon (once a tray host is on the session bus) and
// keeps it up to date until Stop. It fails only when a tray already runs
// in this process; a missing bus or host is logged, not returned.
func Start(ctx context.Context, opts Options) (*Tray, error) {
	if opts.Source == nil {
		return nil, errors.New("tray: no source")
	}
	if !claimed.CompareAndSwap(false, true) {
		return nil, ErrRunning
	}
	if opts.Logger == nil {
		opts.Logger = slog.New(slog.DiscardHandler)
	}
	if opts.Open == nil {
		opts.Open = func(string) {}
	}
	if opts.Quit == nil {
		opts.Quit = func() {}
	}
	if opts.Coalesce <= 0 {
		opts.Coalesce = 300 * time.Millisecond
	}
	if opts.Every <= 0 {
		opts.Every = time.Minute
	}
	ctx, cancel := context.WithCancel(ctx)
	t := &Tray{opts: opts, ctx: ctx, cancel: cancel, poke: make(chan struct{}, 1), ready: make(chan struct{})}
	t.wg.Add(1)
	go func() {
		defer t.wg.Done()
		if t.waitForHost(ctx) {
			t.show()
			t.update(ctx)
		}
	}()
	return t, nil
}

// Available reports whether the icon is in a tray host, so that hiding
// the window leaves the operator a way back to it.
func (t *Tray) Available() bool { return t.available.Load() }

// Stop removes the icon and waits for the tray's goroutines.
func (t *Tray) Stop() {
	t.cancel()
	t.wg.Wait()
	t.mu.Lock()
	end, probe := t.end, t.probe
	t.end, t.probe = nil, nil
	t.mu.Unlock()
	if end != nil {
		func() {
			// fyne.io/systray's end panics when it never reached the bus.
			defer func() { recover() }()
			end()
		}()
	}
	if probe != nil {
		probe.Close()
	}
}

// refresh asks for a rebuild soon (coalesced with other requests).
func (t *Tray) refresh() {
	select {
	case t.poke <- struct{}{}:
	default:
	}
}

// update rebuilds the menu after events, coalesced, until ctx ends.
func (t *Tray) update(ctx context.Context) {
	sub := t.opts.Source.Subscribe(256)
	defer func() { sub.Close() }()
	timer := time.NewTimer(0) // the first build right away
	defer timer.Stop()
	pending := true
	every := time.NewTicker(t.opts.Every)
	defer every.Stop()
	soon := func() {
		if !pending {
			pending = true
			timer.Reset(t.opts.Coalesce)
		}
	}
	for {
		select {
		case <-ctx.Done():
			return
		case ev, ok := <-sub.C:
			if !ok { // fell behind: read everything again
				sub = t.opts.Source.Subscribe(256)
				soon()
			} else if relevant(ev) {
				soon()
			}
		case <-t.poke:
			soon()
		case <-every.C:
			soon()
		case <-timer.C:
			pending = false
			t.menu.apply(read(ctx, t.opts.Source))
		}
	}
}

// relevant says whether an event can change what the tray shows. Live
// progress (records without an id) and heartbeats cannot.
func relevant(ev store.Event) bool {
	switch ev.Kind {
	case events.RunProgress:
		return ev.ID != 0
	case events.ServerChanged, events.JobChanged, events.SettingsChanged, events.DrillChanged:
		return true
	}
	return false
}
