//go:build !linux

package tray

import "context"

// waitForHost is true at once outside Linux: Windows' notification area
// and macOS's menu bar are always there, and fyne.io/systray draws the
// icon with their own APIs, no D-Bus involved.
func (t *Tray) waitForHost(ctx context.Context) bool {
	t.available.Store(true)
	return true
}
