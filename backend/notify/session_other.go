//go:build !linux

package notify

import (
	"fmt"
	"runtime"

	"github.com/godbus/dbus/v5"
)

// sessionBus refuses outside Linux: desktop notifications go over
// org.freedesktop.Notifications, and Windows and macOS have no session
// bus. The notifier logs this once and shows nothing; alerts still reach
// the window's Events page (and mail or webhooks where set up).
func sessionBus() (*dbus.Conn, error) {
	return nil, fmt.Errorf("not on this OS: desktop notifications go over D-Bus, which %s has not; alerts show on the window's Events page", runtime.GOOS)
}
