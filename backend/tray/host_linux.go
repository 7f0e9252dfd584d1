//go:build linux

package tray

import (
	"context"
	"sync"

	"github.com/godbus/dbus/v5"
)

const watcherName = "org.kde.StatusNotifierWatcher"

// waitForHost returns true once a tray host (a StatusNotifierWatcher) is
// on the session bus, and false when there is no session bus or ctx ends
// first. It keeps Available up to date while the tray runs.
func (t *Tray) waitForHost(ctx context.Context) bool {
	conn, err := connectSession()
	if err != nil {
		t.opts.Logger.Warn("no session bus: no tray icon; close the window to quit", "err", err)
		return false
	}
	t.mu.Lock()
	t.probe = conn
	t.mu.Unlock()
	appeared := make(chan struct{})
	t.wg.Add(1)
	go func() {
		defer t.wg.Done()
		t.watchHost(ctx, conn, appeared)
	}()
	select {
	case <-appeared:
		return true
	case <-ctx.Done():
		return false
	}
}

// connectSession connects to the session bus the environment names,
// without launching one (godbus would otherwise start a dbus-daemon).
func connectSession() (*dbus.Conn, error) {
	conn, err := dbus.SessionBusPrivateNoAutoStartup()
	if err != nil {
		return nil, err
	}
	if err := conn.Auth(nil); err != nil {
		conn.Close()
		return nil, err
	}
	if err := conn.Hello(); err != nil {
		conn.Close()
		return nil, err
	}
	return conn, nil
}

// watchHost follows the tray host coming and going; appeared is closed
// the first time one is there.
func (t *Tray) watchHost(ctx context.Context, conn *dbus.Conn, appeared chan struct{}) {
	var once sync.Once
	found := func(ok bool) {
		t.available.Store(ok)
		if ok {
			once.Do(func() { close(appeared) })
		}
	}
	signals := make(chan *dbus.Signal, 8)
	conn.Signal(signals)
	defer conn.RemoveSignal(signals)
	err := conn.AddMatchSignal(dbus.WithMatchSender("org.freedesktop.DBus"), dbus.WithMatchMember("NameOwnerChanged"), dbus.WithMatchArg(0, watcherName))
	if err != nil {
		t.opts.Logger.Warn("tray: cannot follow the tray host", "err", err)
	}
	var has bool
	if err := conn.BusObject().CallWithContext(ctx, "org.freedesktop.DBus.NameHasOwner", 0, watcherName).Store(&has); err == nil && has {
		found(true)
	} else {
		t.opts.Logger.Info("no tray host (StatusNotifierWatcher) on the session bus: the tray icon appears when one starts; until then closing the window quits")
	}
	for {
		select {
		case <-ctx.Done():
			return
		case sig, ok := <-signals:
			if !ok {
				return
			}
			var name, old, owner string
			if sig.Name != "org.freedesktop.DBus.NameOwnerChanged" || dbus.Store(sig.Body, &name, &old, &owner) != nil || name != watcherName {
				continue
			}
			found(owner != "")
		}
	}
}
