package mounts

import (
	"fmt"
	"os"
	"os/exec"
	"syscall"
)

// OpenInFileManager shows dir in the desktop's file manager through
// xdg-open (or gio open). The program is started in its own session and
// not waited for: closing Borgdesk leaves the window open.
func OpenInFileManager(dir string) error {
	fi, err := os.Stat(dir)
	if err != nil {
		return fmt.Errorf("open %s in the file manager: %w", dir, err)
	}
	if !fi.IsDir() {
		return fmt.Errorf("open %s in the file manager: %w", dir, ErrNotDir)
	}
	var cmd *exec.Cmd
	if bin, err := exec.LookPath("xdg-open"); err == nil {
		cmd = exec.Command(bin, dir)
	} else if bin, err := exec.LookPath("gio"); err == nil {
		cmd = exec.Command(bin, "open", dir)
	} else {
		return fmt.Errorf("open %s: %w; install xdg-utils (or glib's gio), or open the folder yourself", dir, ErrNoFileManager)
	}
	cmd.SysProcAttr = &syscall.SysProcAttr{Setsid: true}
	if err := cmd.Start(); err != nil {
		return fmt.Errorf("open %s in the file manager: %w", dir, err)
	}
	go cmd.Wait() // reap it whenever it ends
	return nil
}
