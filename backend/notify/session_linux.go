//go:build linux

package notify

import "github.com/godbus/dbus/v5"

// sessionBus is the session bus the environment names, never launched.
func sessionBus() (*dbus.Conn, error) { return dbus.SessionBusPrivateNoAutoStartup() }
