//go:build !windows

package app

// showDesktopError: stderr and the log say it (a desktop session shows a
// program's stderr in its journal).
func showDesktopError(err error) error { return err }
