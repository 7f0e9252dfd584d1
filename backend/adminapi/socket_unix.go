//go:build linux || darwin

package adminapi

import (
	"context"
	"net"

	"golang.org/x/sys/unix"
)

// listenUnix makes the socket with mode 0600 from the start: no moment
// in which another user could connect.
func listenUnix(path string) (net.Listener, error) {
	old := unix.Umask(0o177)
	ln, err := net.Listen("unix", path)
	unix.Umask(old)
	return ln, err
}

func dialUnix(ctx context.Context, path string) (net.Conn, error) {
	var d net.Dialer
	return d.DialContext(ctx, "unix", path)
}
