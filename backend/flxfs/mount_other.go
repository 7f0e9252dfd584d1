//go:build !linux

package flxfs

import (
	"fmt"
	"runtime"
)

// ErrNotOnThisOS is what Mount answers outside Linux, where Borgdesk
// serves no FUSE file system.
var ErrNotOnThisOS = fmt.Errorf("not on this OS: mounting a .flx snapshot needs Linux FUSE, and this is %s (inspect it with `borgdesk flx inspect`, or connect the window to the coordinator, which runs on Linux)", runtime.GOOS)

// Server is one mounted snapshot; outside Linux there is none.
type Server struct{ dir string }

// Mount refuses outside Linux.
func Mount(path, dir string, opts Options) (*Server, error) {
	return nil, fmt.Errorf("mount %s: %w", path, ErrNotOnThisOS)
}

// Dir is the mount point.
func (s *Server) Dir() string { return s.dir }

// Damage is nil: nothing was mounted.
func (s *Server) Damage() error { return nil }

// Unmount refuses outside Linux.
func (s *Server) Unmount() error { return ErrNotOnThisOS }

// Wait returns at once: nothing is mounted.
func (s *Server) Wait() {}
