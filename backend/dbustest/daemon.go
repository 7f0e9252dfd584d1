// Package dbustest runs a private D-Bus session bus for tests, with small
// fakes of the desktop services Borgdesk talks to: a StatusNotifierWatcher
// (the tray host) and an org.freedesktop.Notifications server.
//
// It is imported by tests only; production code must never depend on it.
package dbustest

import (
	"bufio"
	"context"
	"errors"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"borgdesk/backend/shared/testenv"
)

// Daemon is a dbus-daemon started for one test (or one test binary).
type Daemon struct {
	// Addr is the bus address, for DBUS_SESSION_BUS_ADDRESS or dbus.Connect.
	Addr string
	cmd  *exec.Cmd
	dir  string
}

// ErrNoDaemon says dbus-daemon is not installed.
var ErrNoDaemon = errors.New("dbus-daemon is not installed (Debian package dbus; make deps installs it)")

// Start runs `dbus-daemon --session` on a socket in a fresh temporary
// folder and returns once it accepts connections.
func Start() (*Daemon, error) {
	bin, err := exec.LookPath("dbus-daemon")
	if err != nil {
		return nil, ErrNoDaemon
	}
	dir, err := os.MkdirTemp("", "dbustest")
	if err != nil {
		return nil, err
	}
	addr := "unix:path=" + filepath.Join(dir, "bus")
	cmd := exec.Command(bin, "--session", "--nofork", "--nopidfile", "--print-address=1", "--address="+addr)
	out, err := cmd.StdoutPipe()
	if err != nil {
		os.RemoveAll(dir)
		return nil, err
	}
	// Its stderr (a harmless fd-limit complaint when not root) is not kept.
	if err := cmd.Start(); err != nil {
		os.RemoveAll(dir)
		return nil, fmt.Errorf("start dbus-daemon: %w", err)
	}
	d := &Daemon{cmd: cmd, dir: dir}
	line := make(chan string, 1)
	go func() {
		s := bufio.NewScanner(out)
		if s.Scan() {
			line <- strings.TrimSpace(s.Text())
		}
		close(line)
		for s.Scan() {
		}
	}()
	select {
	case a, ok := <-line:
		if !ok || a == "" {
			d.Close()
			return nil, errors.New("dbus-daemon printed no address")
		}
		d.Addr = a
	case <-time.After(10 * time.Second):
		d.Close()
		return nil, errors.New("dbus-daemon printed no address within 10 s")
	}
	return d, nil
}

// Close stops the daemon and removes its socket folder.
func (d *Daemon) Close() {
	if d.cmd.Process != nil {
		d.cmd.Process.Kill()
		d.cmd.Wait()
	}
	os.RemoveAll(d.dir)
}

// Require starts a daemon for t and stops it when t ends. Without
// dbus-daemon the test fails, unless the person running it opts out
// (testenv.OptOut).
func Require(t testing.TB) *Daemon {
	t.Helper()
	d, err := Start()
	if errors.Is(err, ErrNoDaemon) {
		Missing(t)
	}
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(d.Close)
	return d
}

// Missing fails t because dbus-daemon is not installed, unless the person
// running it opts out (testenv.OptOut).
func Missing(t testing.TB) {
	t.Helper()
	testenv.Missing(t, "dbus-daemon is not installed (Debian package dbus)")
}

// Eventually polls cond every 10 ms until it holds or the time is up.
func Eventually(ctx context.Context, within time.Duration, cond func() bool) bool {
	ctx, cancel := context.WithTimeout(ctx, within)
	defer cancel()
	for {
		if cond() {
			return true
		}
		select {
		case <-ctx.Done():
			return cond()
		case <-time.After(10 * time.Millisecond):
		}
	}
}
