//go:build !linux && !darwin

package adminapi

import (
	"fmt"
	"net"
	"runtime"
)

// ErrNoSocket is Listen's answer where the peer of a unix socket cannot be
// told: a socket that anyone could use would be an admin API for anyone.
var ErrNoSocket = fmt.Errorf("not on this OS: the admin socket needs the peer credentials of Linux or macOS, and this is %s (the coordinator runs on Linux; connect the window to it over the operator TLS listener)", runtime.GOOS)

func listenUnix(path string) (net.Listener, error) { return nil, ErrNoSocket }

// peerUID never vouches for anyone here.
func peerUID(c *net.UnixConn) (uint32, bool) { return 0, false }
