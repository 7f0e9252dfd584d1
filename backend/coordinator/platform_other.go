//go:build !linux

package coordinator

import (
	"fmt"
	"runtime"
)

// ErrNotOnThisOS is what Open answers outside Linux.
var ErrNotOnThisOS = fmt.Errorf("not on this OS: the coordinator runs on Linux (borg serve, FUSE mounts, the agents' repositories), and this is %s; run `borgdesk serve` on a Linux server and connect to it (`borgdesk connect URL --invite CODE`, docs/operators.md)", runtime.GOOS)

func supported() error { return ErrNotOnThisOS }
