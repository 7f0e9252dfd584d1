package notify

import (
	"context"
	"fmt"
	"slices"
	"strings"
	"sync"
	"time"

	"github.com/godbus/dbus/v5"
)

const (
	objectPath = "/org/freedesktop/Notifications"
	iface      = "org.freedesktop.Notifications"
	// callTimeout bounds one call to the notification server, so a hung
	// server costs an alert, not the notifier.
	callTimeout = 3 * time.Second
	// retryEvery is how soon a bus that could not be reached is tried again.
	retryEvery = time.Minute
	// maxRoutes bounds the routes kept for notifications still on screen.
	maxRoutes = 512
)

// bus is the notifier's connection to the notification server. Only the
// notifier's goroutine calls show; clicks arrive on the signal goroutine.
type bus struct {
	opts    Options
	conn    *dbus.Conn
	markup  bool
	retryAt time.Time
	ids     map[string]uint32 // slot → the notification showing it
	warned  string            // the problem last logged, so it is logged once

	mu     sync.Mutex
	routes map[uint32]string
	order  []uint32
	wg     sync.WaitGroup
}

func newBus(opts Options) *bus {
	return &bus{opts: opts, ids: map[string]uint32{}, routes: map[uint32]string{}}
}

// show puts m on screen, replacing its slot's notification unless m is fresh.
func (b *bus) show(m message) {
	if !b.connect() {
		return
	}
	var replaces uint32
	if !m.fresh {
		replaces = b.ids[m.slot]
	}
	body := m.body
	if b.markup {
		body = escapeMarkup(body)
	}
	hints := map[string]dbus.Variant{"urgency": dbus.MakeVariant(byte(1))}
	if b.opts.DesktopEntry != "" {
		hints["desktop-entry"] = dbus.MakeVariant(b.opts.DesktopEntry)
	}
	ctx, cancel := context.WithTimeout(context.Background(), callTimeout)
	defer cancel()
	var id uint32
	err := b.conn.Object(iface, objectPath).CallWithContext(ctx, iface+".Notify", 0,
		b.opts.AppName, replaces, b.opts.Icon, m.summary, body, []string{"default", "Open"}, hints, int32(-1)).Store(&id)
	if err != nil {
		b.warn("server", fmt.Errorf("%w: %v; desktop notifications are not shown", ErrNoServer, err))
		if !b.conn.Connected() {
			b.drop()
		}
		return
	}
	b.warned = ""
	b.ids[m.slot] = id
	b.remember(id, m.route)
}

// connect makes sure there is a connection, trying again at most once a
// minute after a failure.
func (b *bus) connect() bool {
	if b.conn != nil && b.conn.Connected() {
		return true
	}
	now := time.Now()
	if now.Before(b.retryAt) {
		return false
	}
	conn, err := dial(b.opts.Address)
	if err != nil {
		b.retryAt = now.Add(retryEvery)
		b.warn("bus", fmt.Errorf("no session bus (%v); desktop notifications are off", err))
		return false
	}
	if err := conn.AddMatchSignal(dbus.WithMatchObjectPath(objectPath), dbus.WithMatchInterface(iface)); err != nil {
		conn.Close()
		b.retryAt = now.Add(retryEvery)
		b.warn("bus", fmt.Errorf("session bus: listen for notification clicks: %v; desktop notifications are off", err))
		return false
	}
	signals := make(chan *dbus.Signal, 64)
	conn.Signal(signals)
	b.wg.Add(1)
	go b.listen(signals)
	b.conn = conn
	b.markup = false
	ctx, cancel := context.WithTimeout(context.Background(), callTimeout)
	defer cancel()
	var caps []string
	if err := conn.Object(iface, objectPath).CallWithContext(ctx, iface+".GetCapabilities", 0).Store(&caps); err == nil {
		b.markup = slices.Contains(caps, "body-markup")
	}
	return true
}

// dial connects to the bus at addr, or to the session bus the environment
// names when addr is empty (never launching one: godbus would start a
// dbus-daemon of its own).
func dial(addr string) (*dbus.Conn, error) {
	var conn *dbus.Conn
	var err error
	if addr == "" {
		conn, err = sessionBus()
	} else {
		conn, err = dbus.Dial(addr)
	}
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

// listen turns clicks into Open calls until the connection closes.
func (b *bus) listen(signals <-chan *dbus.Signal) {
	defer b.wg.Done()
	for sig := range signals {
		switch sig.Name {
		case iface + ".ActionInvoked":
			var id uint32
			var action string
			if dbus.Store(sig.Body, &id, &action) != nil || action != "default" {
				continue
			}
			b.mu.Lock()
			route, ok := b.routes[id]
			b.mu.Unlock()
			if ok {
				b.opts.Open(route)
			}
		case iface + ".NotificationClosed":
			var id, reason uint32
			if dbus.Store(sig.Body, &id, &reason) == nil {
				b.mu.Lock()
				delete(b.routes, id)
				b.mu.Unlock()
			}
		}
	}
}

func (b *bus) remember(id uint32, route string) {
	b.mu.Lock()
	defer b.mu.Unlock()
	if _, ok := b.routes[id]; !ok {
		b.order = append(b.order, id)
	}
	b.routes[id] = route
	for len(b.order) > maxRoutes {
		delete(b.routes, b.order[0])
		b.order = b.order[1:]
	}
}

// warn logs a problem once, until something is shown again.
func (b *bus) warn(kind string, err error) {
	if b.warned == kind {
		return
	}
	b.warned = kind
	b.opts.Logger.Warn("desktop notifications", "err", err)
}

func (b *bus) drop() {
	if b.conn != nil {
		b.conn.Close()
		b.conn = nil
		b.wg.Wait()
	}
	b.retryAt = time.Now().Add(retryEvery)
}

func (b *bus) close() {
	if b.conn != nil {
		b.conn.Close()
		b.conn = nil
	}
	b.wg.Wait()
}

var markupEscaper = strings.NewReplacer("&", "&amp;", "<", "&lt;", ">", "&gt;")

// escapeMarkup keeps a server that reads body markup from taking a path
// such as "<backup>" for a tag.
func escapeMarkup(s string) string { return markupEscaper.Replace(s) }
