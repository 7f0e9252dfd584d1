package app

import (
	"errors"
	"runtime"
)

// checkDisplay refuses to start the window where GTK could not open one,
// with a sentence instead of a GTK abort. Windows and macOS always have
// one: only Linux's GTK needs X11 or Wayland.
func checkDisplay(getenv func(string) string) error {
	if runtime.GOOS == "windows" || runtime.GOOS == "darwin" {
		return nil
	}
	if getenv("DISPLAY") == "" && getenv("WAYLAND_DISPLAY") == "" {
		return errors.New("no graphical display (neither DISPLAY nor WAYLAND_DISPLAY is set): start Borgdesk from a desktop session, or run `borgdesk serve` for a coordinator without a window")
	}
	return nil
}
