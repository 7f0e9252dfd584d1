package dbustest

import (
	"sync"

	"github.com/godbus/dbus/v5"
)

// Item is one StatusNotifierItem that registered with the Watcher.
type Item struct {
	// Sender is the item's unique bus name (":1.42").
	Sender string
	// Path is what it registered: an object path or a bus name.
	Path string
}

// Watcher is a fake org.kde.StatusNotifierWatcher: the tray host's end of
// the protocol, enough for an item to register.
type Watcher struct {
	conn  *dbus.Conn
	mu    sync.Mutex
	items []Item
}

// NewWatcher connects to the bus at addr and owns the watcher's name.
func NewWatcher(addr string) (*Watcher, error) {
	conn, err := dbus.Connect(addr)
	if err != nil {
		return nil, err
	}
	w := &Watcher{conn: conn}
	if err := conn.Export(watcherMethods{w}, "/StatusNotifierWatcher", "org.kde.StatusNotifierWatcher"); err != nil {
		conn.Close()
		return nil, err
	}
	if err := ownName(conn, "org.kde.StatusNotifierWatcher"); err != nil {
		conn.Close()
		return nil, err
	}
	return w, nil
}

// Items lists the registered items, oldest first.
func (w *Watcher) Items() []Item {
	w.mu.Lock()
	defer w.mu.Unlock()
	return append([]Item(nil), w.items...)
}

// Conn is the watcher's connection, for calls to the registered items.
func (w *Watcher) Conn() *dbus.Conn { return w.conn }

// Close leaves the bus.
func (w *Watcher) Close() error { return w.conn.Close() }

type watcherMethods struct{ w *Watcher }

func (m watcherMethods) RegisterStatusNotifierItem(sender dbus.Sender, service string) *dbus.Error {
	m.w.mu.Lock()
	m.w.items = append(m.w.items, Item{Sender: string(sender), Path: service})
	m.w.mu.Unlock()
	return nil
}

func (m watcherMethods) RegisterStatusNotifierHost(service string) *dbus.Error { return nil }

func ownName(conn *dbus.Conn, name string) error {
	reply, err := conn.RequestName(name, dbus.NameFlagDoNotQueue)
	if err != nil {
		return err
	}
	if reply != dbus.RequestNameReplyPrimaryOwner {
		return &dbus.Error{Name: "org.freedesktop.DBus.Error.Failed", Body: []any{name + " is taken"}}
	}
	return nil
}
