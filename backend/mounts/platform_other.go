//go:build !linux

package mounts

import (
	"fmt"
	"os/exec"
	"runtime"
)

// ErrNotOnThisOS is what mounting answers outside Linux: borg mount and
// flxfs are FUSE file systems served where the repositories are.
var ErrNotOnThisOS = fmt.Errorf("not on this OS: mounting archives and .flx snapshots needs Linux FUSE, and this is %s (the coordinator runs on Linux; connect the window to it and browse or download instead)", runtime.GOOS)

func supported() error { return ErrNotOnThisOS }

func sysUnmount(dir string, lazy bool) error { return ErrNotOnThisOS }

// fileManager is open DIR on macOS and explorer DIR on Windows.
func fileManager(dir string) (*exec.Cmd, error) {
	if runtime.GOOS == "windows" {
		return exec.Command("explorer", dir), nil
	}
	return exec.Command("open", dir), nil
}

// detach does nothing here: the program is not waited for either way.
func detach(cmd *exec.Cmd) {}
