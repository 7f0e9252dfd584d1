package dbustest

import (
	"sync"

	"github.com/godbus/dbus/v5"
)

const notificationsPath = "/org/freedesktop/Notifications"
const notificationsIface = "org.freedesktop.Notifications"

// Notification is one Notify call the fake server received.
type Notification struct {
	// ID is what the server answered: ReplacesID when it was not 0.
	ID         uint32
	ReplacesID uint32
	AppName    string
	Icon       string
	Summary    string
	Body       string
	Actions    []string
	Hints      map[string]dbus.Variant
	Timeout    int32
}

// Notifications is a fake org.freedesktop.Notifications server that
// records every notification and can play the user clicking one.
type Notifications struct {
	conn *dbus.Conn
	mu   sync.Mutex
	next uint32
	got  []Notification
	// Capabilities is what GetCapabilities answers.
	Capabilities []string
}

// NewNotifications connects to the bus at addr and owns the server's name.
func NewNotifications(addr string) (*Notifications, error) {
	conn, err := dbus.Connect(addr)
	if err != nil {
		return nil, err
	}
	n := &Notifications{conn: conn, Capabilities: []string{"actions", "body"}}
	if err := conn.Export(notificationMethods{n}, notificationsPath, notificationsIface); err != nil {
		conn.Close()
		return nil, err
	}
	if err := ownName(conn, notificationsIface); err != nil {
		conn.Close()
		return nil, err
	}
	return n, nil
}

// Received lists the notifications received, oldest first.
func (n *Notifications) Received() []Notification {
	n.mu.Lock()
	defer n.mu.Unlock()
	return append([]Notification(nil), n.got...)
}

// Click plays the user clicking notification id: ActionInvoked "default".
func (n *Notifications) Click(id uint32) error {
	return n.conn.Emit(notificationsPath, notificationsIface+".ActionInvoked", id, "default")
}

// Dismiss plays the user closing notification id (reason 2).
func (n *Notifications) Dismiss(id uint32) error {
	return n.conn.Emit(notificationsPath, notificationsIface+".NotificationClosed", id, uint32(2))
}

// Close leaves the bus.
func (n *Notifications) Close() error { return n.conn.Close() }

type notificationMethods struct{ n *Notifications }

func (m notificationMethods) Notify(app string, replaces uint32, icon, summary, body string, actions []string, hints map[string]dbus.Variant, timeout int32) (uint32, *dbus.Error) {
	m.n.mu.Lock()
	defer m.n.mu.Unlock()
	id := replaces
	if id == 0 {
		m.n.next++
		id = m.n.next
	}
	m.n.got = append(m.n.got, Notification{ID: id, ReplacesID: replaces, AppName: app, Icon: icon, Summary: summary, Body: body, Actions: actions, Hints: hints, Timeout: timeout})
	return id, nil
}

func (m notificationMethods) CloseNotification(id uint32) *dbus.Error { return nil }

func (m notificationMethods) GetCapabilities() ([]string, *dbus.Error) {
	m.n.mu.Lock()
	defer m.n.mu.Unlock()
	return m.n.Capabilities, nil
}

func (m notificationMethods) GetServerInformation() (string, string, string, string, *dbus.Error) {
	return "dbustest", "borgdesk", "1", "1.2", nil
}
