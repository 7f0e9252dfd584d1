//go:build windows

package diskspace

import (
	"fmt"

	"golang.org/x/sys/windows"
)

func of(path string) (Usage, error) {
	p, err := windows.UTF16PtrFromString(path)
	if err != nil {
		return Usage{}, fmt.Errorf("free space of %s: %w", path, err)
	}
	var avail, total, free uint64
	if err := windows.GetDiskFreeSpaceEx(p, &avail, &total, &free); err != nil {
		return Usage{}, fmt.Errorf("free space of %s: %w", path, err)
	}
	return Usage{Total: total, Avail: avail, Used: total - free}, nil
}
