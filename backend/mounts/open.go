package mounts

import (
	"fmt"
	"os"
)

// OpenInFileManager shows dir in the desktop's file manager: xdg-open (or
// gio open) on Linux, open on macOS, explorer on Windows. The program is
// not waited for (on Linux it gets its own session): closing Borgdesk
// leaves the window open.
func OpenInFileManager(dir string) error {
	fi, err := os.Stat(dir)
	if err != nil {
		return fmt.Errorf("open %s in the file manager: %w", dir, err)
	}
	if !fi.IsDir() {
		return fmt.Errorf("open %s in the file manager: %w", dir, ErrNotDir)
	}
	cmd, err := fileManager(dir)
	if err != nil {
		return err
	}
	detach(cmd)
	if err := cmd.Start(); err != nil {
		return fmt.Errorf("open %s in the file manager: %w", dir, err)
	}
	go cmd.Wait() // reap it whenever it ends
	return nil
}
