//go:build linux

package mounts

import (
	"fmt"
	"os/exec"
	"syscall"
)

// supported is nil on Linux: FUSE (borg mount, flxfs) is here.
func supported() error { return nil }

// sysUnmount unmounts with the system call (root only); lazy detaches.
func sysUnmount(dir string, lazy bool) error {
	flags := 0
	if lazy {
		flags = syscall.MNT_DETACH
	}
	return syscall.Unmount(dir, flags)
}

// fileManager is xdg-open DIR, or gio open DIR.
func fileManager(dir string) (*exec.Cmd, error) {
	if bin, err := exec.LookPath("xdg-open"); err == nil {
		return exec.Command(bin, dir), nil
	}
	if bin, err := exec.LookPath("gio"); err == nil {
		return exec.Command(bin, "open", dir), nil
	}
	return nil, fmt.Errorf("open %s: %w; install xdg-utils (or glib's gio), or open the folder yourself", dir, ErrNoFileManager)
}

// detach starts cmd in its own session, so that it outlives Borgdesk.
func detach(cmd *exec.Cmd) { cmd.SysProcAttr = &syscall.SysProcAttr{Setsid: true} }
