package tray

import (
	"bytes"
	"context"
	"log/slog"
	"os"
	"os/exec"
	"strings"
	"testing"
	"time"

	"borgdesk/backend/dbustest"
)

// The system tray library is global to a process, so each of these runs
// the tray in a child process (this test binary, told which case by
// TRAY_CASE) and checks what it printed.

func TestNoSessionBus(t *testing.T) {
	out := child(t, "nobus", "DBUS_SESSION_BUS_ADDRESS=unix:path="+t.TempDir()+"/none")
	if n := strings.Count(out, "no session bus"); n != 1 {
		t.Errorf("logged %d times about the missing bus; want once:\n%s", n, out)
	}
}

func TestTrayHostComesLater(t *testing.T) {
	d := dbustest.Require(t)
	out := child(t, "latehost", "DBUS_SESSION_BUS_ADDRESS="+d.Addr)
	if n := strings.Count(out, "no tray host"); n != 1 {
		t.Errorf("logged %d times about the missing tray host; want once:\n%s", n, out)
	}
}

func child(t *testing.T, name string, env ...string) string {
	t.Helper()
	cmd := exec.Command(os.Args[0], "-test.run=^TestChildProcess$", "-test.v")
	cmd.Env = append(os.Environ(), append(env, "TRAY_CASE="+name)...)
	out, err := cmd.CombinedOutput()
	if err != nil || !strings.Contains(string(out), "child: ok") {
		t.Fatalf("child %s: %v\n%s", name, err, out)
	}
	return string(out)
}

// TestChildProcess is the child's side of the tests above.
func TestChildProcess(t *testing.T) {
	name := os.Getenv("TRAY_CASE")
	if name == "" {
		t.Skip("only run as a child of the no-host tests")
	}
	var logs bytes.Buffer
	logger := slog.New(slog.NewTextHandler(&logs, nil))
	defer func() { os.Stdout.Write(logs.Bytes()) }()
	src := newFakeSource()
	began := time.Now()
	tr, err := Start(context.Background(), Options{Source: src, Logger: logger, Coalesce: 10 * time.Millisecond})
	if err != nil {
		t.Fatal(err)
	}
	if d := time.Since(began); d > time.Second {
		t.Errorf("Start took %s", d)
	}
	time.Sleep(100 * time.Millisecond)
	if tr.Available() {
		t.Error("Available without a tray host")
	}
	if name == "latehost" {
		w, err := dbustest.NewWatcher(os.Getenv("DBUS_SESSION_BUS_ADDRESS"))
		if err != nil {
			t.Fatal(err)
		}
		defer w.Close()
		if !dbustest.Eventually(context.Background(), 5*time.Second, func() bool { return len(w.Items()) == 1 && tr.Available() }) {
			t.Fatalf("the item did not register with a host that came later (%d items, available %v)", len(w.Items()), tr.Available())
		}
		w.Close()
		if !dbustest.Eventually(context.Background(), 5*time.Second, func() bool { return !tr.Available() }) {
			t.Error("still Available after the host left")
		}
	}
	done := make(chan struct{})
	go func() { tr.Stop(); close(done) }()
	select {
	case <-done:
	case <-time.After(5 * time.Second):
		t.Fatal("Stop blocked")
	}
	if !t.Failed() {
		logs.WriteString("child: ok\n")
	}
}
