//go:build !linux && !darwin

package adminapi

import (
	"context"
	"net"
)

func listenUnix(path string) (net.Listener, error) { return nil, ErrNoSocket }

// dialUnix refuses too: no coordinator can listen here.
func dialUnix(ctx context.Context, path string) (net.Conn, error) { return nil, ErrNoSocket }

// peerUID never vouches for anyone here.
func peerUID(c *net.UnixConn) (uint32, bool) { return 0, false }
