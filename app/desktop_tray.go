//go:build desktop || bindings || dev

package app

import (
	"context"
	"log/slog"
	"strings"
	"sync/atomic"

	"github.com/wailsapp/wails/v2/pkg/runtime"

	"borgdesk/backend/events"
	"borgdesk/backend/notify"
	"borgdesk/backend/service"
	"borgdesk/backend/tray"
)

// navigateEvent asks the window to show a page (a vue-router path); the
// frontend's app store listens for it.
const navigateEvent = "app:navigate"

// trayShell ties the window to the tray and to desktop notifications:
// clicking either shows the window on a page, closing the window hides it
// to the tray while there is one, and only Quit (or a signal) ends the app.
type trayShell struct {
	svc    *service.Service
	logger *slog.Logger
	wctx   context.Context
	tray   *tray.Tray
	// notes is the desktop notifier once start made it; alert reads it
	// from the service's alert loop.
	notes    atomic.Pointer[notify.Notifier]
	quitting atomic.Bool
}

// start runs the tray and the notifier under ctx; wctx is Wails' context.
// Neither can fail the app: without a session bus they log and stay quiet.
func (s *trayShell) start(ctx, wctx context.Context) {
	s.wctx = wctx
	notes, err := notify.New(notify.Options{AppName: "Borgdesk", Icon: "borgdesk", DesktopEntry: "borgdesk", Open: s.open, Logger: s.logger})
	if err != nil {
		s.logger.Warn("desktop notifications are off", "err", err)
	} else {
		// From now on the service's alerts reach the desktop (alert);
		// quiet hours follow the setting.
		quiet := func() {
			if v, err := s.svc.Setting(ctx, "notify.quiet_hours"); err == nil {
				if err := notes.SetQuietHours(v); err != nil {
					s.logger.Warn("quiet hours not applied", "err", err)
				}
			}
		}
		quiet()
		s.notes.Store(notes)
		go func() {
			sub := s.svc.Subscribe(16)
			defer func() { sub.Close() }()
			for {
				select {
				case <-ctx.Done():
					return
				case ev, ok := <-sub.C:
					if !ok { // fell behind a burst: subscribe again, re-read the setting
						sub = s.svc.Subscribe(16)
						quiet()
						continue
					}
					if ev.Kind == events.SettingsChanged && ev.Subject == "notify.quiet_hours" {
						quiet()
					}
				}
			}
		}()
	}
	t, err := tray.Start(ctx, tray.Options{Source: s.svc, Open: s.open, Quit: s.quit, Logger: s.logger})
	if err != nil {
		s.logger.Warn("no tray icon", "err", err)
		return
	}
	s.tray = t
}

// stop removes the tray icon and stops the notifier.
func (s *trayShell) stop() {
	if s.tray != nil {
		s.tray.Stop()
	}
	if notes := s.notes.Load(); notes != nil {
		notes.Close()
	}
}

// Notifier is where alerts go to reach the desktop (nil before start or
// when notifications are off).
func (s *trayShell) Notifier() *notify.Notifier { return s.notes.Load() }

// alert is the service's desktop channel (coordinator.Options.Desktop): it
// shows an alert through the notifier, and drops it before start made one
// or when notifications are off, as the service did before it had one.
func (s *trayShell) alert(a service.Alert) {
	if notes := s.notes.Load(); notes != nil {
		notes.Send(notify.Alert{Kind: a.Kind, Key: a.Key, Title: a.Title, Body: a.Body, Route: strings.TrimPrefix(a.Route, "#")})
	}
}

// open shows the window and, when route is not empty, that page.
func (s *trayShell) open(route string) {
	runtime.WindowShow(s.wctx)
	runtime.WindowUnminimise(s.wctx)
	if route != "" {
		runtime.EventsEmit(s.wctx, navigateEvent, route)
	}
}

// quit ends the app for real, past beforeClose.
func (s *trayShell) quit() {
	s.quitting.Store(true)
	runtime.Quit(s.wctx)
}

// beforeClose is Wails' OnBeforeClose: it hides the window instead of
// closing it when ui.close_to_tray is on and a tray icon is there to bring
// it back, and tells the operator so the first time.
func (s *trayShell) beforeClose(ctx context.Context) (prevent bool) {
	if s.quitting.Load() || s.tray == nil || !s.tray.Available() {
		return false
	}
	if v, err := s.svc.Setting(ctx, "ui.close_to_tray"); err != nil || v != "true" {
		return false
	}
	runtime.WindowHide(s.wctx)
	s.hintOnce(ctx)
	return true
}

// hintOnce tells the operator, the first time the window hides, that
// Borgdesk still runs (remembered in ui.tray_hint_shown).
func (s *trayShell) hintOnce(ctx context.Context) {
	notes := s.notes.Load()
	if notes == nil {
		return
	}
	if v, err := s.svc.Setting(ctx, "ui.tray_hint_shown"); err != nil || v == "true" {
		return
	}
	notes.Tell(notify.Alert{Kind: "tray_hint", Key: "tray_hint",
		Title: "Borgdesk keeps running in the tray",
		Body:  "Backups, schedules and agents are still served. Open the window again from the tray icon; choose Quit there to stop Borgdesk.",
	})
	if err := s.svc.SetSetting(ctx, "ui.tray_hint_shown", "true"); err != nil {
		s.logger.Warn("remember the tray hint", "err", err)
	}
}
