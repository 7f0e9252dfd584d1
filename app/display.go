package app

import "errors"

// checkDisplay refuses to start the window where GTK could not open one,
// with a sentence instead of a GTK abort.
func checkDisplay(getenv func(string) string) error {
	if getenv("DISPLAY") == "" && getenv("WAYLAND_DISPLAY") == "" {
		return errors.New("no graphical display (neither DISPLAY nor WAYLAND_DISPLAY is set): start Borgdesk from a desktop session, or run `borgdesk serve` for a coordinator without a window")
	}
	return nil
}
