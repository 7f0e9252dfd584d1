package tray

import (
	"fyne.io/systray"
)

// show starts the system tray library and builds the menu.
func (t *Tray) show() {
	start, end := systray.RunWithExternalLoop(func() {
		t.menu = newMenu(t)
		close(t.ready)
	}, nil)
	systray.SetTitle("Borgdesk") // before start: it becomes the item's Id
	systray.SetIcon(iconFor(""))
	systray.SetTooltip("Borgdesk")
	systray.SetOnTapped(func() { t.opts.Open("") })
	t.mu.Lock()
	t.end = end
	t.mu.Unlock()
	start()
	select {
	case <-t.ready:
	case <-t.ctx.Done():
	}
}
