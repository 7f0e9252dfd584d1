//go:build uiflows

package app

import (
	"context"
	"log/slog"
	"net"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"testing"

	"borgdesk/backend/coordinator"
)

// TestUIFlowsRealBackend runs frontend/e2e-real (Playwright, Debian's
// Chromium) through the real frontend (frontend/dist, built first) against
// a real coordinator and real agents: the web bridge stands in for Wails.
// make test-flows runs it (go test -tags uiflows).
func TestUIFlowsRealBackend(t *testing.T) {
	needBorgBinary(t)
	dist := filepath.Join("..", "frontend", "dist")
	if _, err := os.Stat(filepath.Join(dist, "index.html")); err != nil {
		t.Fatalf("the frontend is not built (%v): run cd frontend && npm run build", err)
	}
	tmp := t.TempDir()
	agentBin := filepath.Join(tmp, "borgdesk-agent")
	buildAgent(t, agentBin, "v1.0.0")
	agentDir := filepath.Join(tmp, "dist")
	os.MkdirAll(agentDir, 0o755)
	data := filepath.Join(tmp, "data")

	ctx, cancel := context.WithCancel(context.Background())
	log := &lockedBuffer{}
	coord, err := coordinator.Open(ctx, coordinator.Options{
		DataDir: data, Socket: filepath.Join(data, "borgdesk.sock"), Version: "v1.0.0",
		Logger:        slog.New(slog.NewTextHandler(log, nil)),
		GatewayListen: "127.0.0.1:0", SSHListen: "127.0.0.1:0", AgentDir: agentDir,
	})
	if err != nil {
		t.Fatal(err)
	}
	desk := newDesk(coord.Service())
	desk.setContext(ctx)
	bridge := &webBridge{desk: desk, subs: map[chan []byte]struct{}{}}
	done := make(chan struct{}, 2)
	go func() { coord.Run(ctx); done <- struct{}{} }()
	go func() { forwardEvents(ctx, coord.Service(), bridge); done <- struct{}{} }()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	hs := &http.Server{Handler: bridge.handler(os.DirFS(dist))}
	go hs.Serve(ln)
	t.Cleanup(func() {
		cancel()
		hs.Close()
		<-done
		<-done
		coord.Close()
		if t.Failed() {
			t.Logf("coordinator log:\n%s", log.String())
		}
	})

	cmd := exec.Command("npx", "playwright", "test", "--config", "e2e-real/playwright.config.js")
	cmd.Dir = filepath.Join("..", "frontend")
	cmd.Env = append(os.Environ(), "UI_URL=http://"+ln.Addr().String(), "AGENT_BIN="+agentBin, "WORK_DIR="+tmp)
	out, err := cmd.CombinedOutput()
	t.Logf("playwright:\n%s", out)
	if err != nil {
		t.Fatalf("playwright: %v", err)
	}
}
