package app

import (
	"bytes"
	"context"
	_ "embed"
	"encoding/json"
	"errors"
	"fmt"
	"io/fs"
	"net/http"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"time"

	"borgdesk/backend/service"
	"borgdesk/backend/shared/agentapi"
	"borgdesk/backend/store"
)

// The dashboard bench (--self-test --self-test-bench, run by build/benchdash
// for `make bench`) measures the dashboard in the real window: a probe put
// into the page's <head> times the first paint and every binding call, then
// asks Go for bursts of agents' progress reports and for RPO changes, and
// times until each is on screen. It writes fake progress and settings, so
// it only runs on a data dir that build/benchdash made (benchMarker).

// benchMarker is the file build/benchdash leaves in the fleets it makes.
const benchMarker = "selftest-bench-fleet"

// Events between the probe and Go.
const (
	benchAskEvent    = "borgdesk:selftest-bench-ask"
	benchDoneEvent   = "borgdesk:selftest-bench-done"
	benchReportEvent = "borgdesk:selftest-bench"
)

//go:embed selftest_bench.js
var benchProbe string

// checkBenchDataDir refuses a data dir that build/benchdash did not make.
func checkBenchDataDir(dataDir string) error {
	if _, err := os.Stat(filepath.Join(dataDir, benchMarker)); err != nil {
		return fmt.Errorf("--self-test-bench writes fake progress and settings, so it only runs on a fleet made by build/benchdash (%s has no %s)", dataDir, benchMarker)
	}
	return nil
}

// benchIndex returns index.html with the probe first in its <head> (Wails
// puts its runtime before it), expecting tiles tiles on the dashboard.
func benchIndex(index []byte, tiles int) ([]byte, error) {
	i := bytes.Index(index, []byte("<head>"))
	if i < 0 {
		return nil, errors.New("self-test bench: index.html has no <head>")
	}
	probe := strings.NewReplacer("__EXPECTED__", strconv.Itoa(tiles), "__ASK__", benchAskEvent,
		"__DONE__", benchDoneEvent, "__REPORT__", benchReportEvent).Replace(benchProbe)
	i += len("<head>")
	out := append([]byte{}, index[:i]...)
	out = append(out, "<script>"+probe+"</script>"...)
	return append(out, index[i:]...), nil
}

// benchRun is one dashboard bench in the window.
type benchRun struct {
	svc       *service.Service
	index     []byte
	launched  time.Time
	coordOpen float64 // ms from launch to the coordinator being open
}

// newBenchRun prepares the page with the probe, once the coordinator is
// open on a bench fleet (checkBenchDataDir).
func newBenchRun(ctx context.Context, dist fs.FS, svc *service.Service, launched time.Time) (*benchRun, error) {
	coordOpen := msSince(launched)
	tiles, err := benchTiles(ctx, svc)
	if err != nil {
		return nil, err
	}
	page, err := fs.ReadFile(dist, "index.html")
	if err != nil {
		return nil, fmt.Errorf("self-test bench: %w", err)
	}
	index, err := benchIndex(page, tiles)
	if err != nil {
		return nil, err
	}
	return &benchRun{svc: svc, index: index, launched: launched, coordOpen: coordOpen}, nil
}

// middleware is the asset server's middleware: none without a bench.
func (b *benchRun) middleware() func(http.Handler) http.Handler {
	if b == nil {
		return nil
	}
	return benchMiddleware(b.index)
}

// benchMiddleware serves index (the page with the probe) for the page's
// own address; everything else goes to the assets.
func benchMiddleware(index []byte) func(http.Handler) http.Handler {
	return func(next http.Handler) http.Handler {
		return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			if r.Method == http.MethodGet && (r.URL.Path == "/" || r.URL.Path == "/index.html") {
				w.Header().Set("Content-Type", "text/html; charset=utf-8")
				w.Write(index)
				return
			}
			next.ServeHTTP(w, r)
		})
	}
}

// benchTiles is how many health tiles the dashboard shows: the servers
// that are not revoked.
func benchTiles(ctx context.Context, svc *service.Service) (int, error) {
	servers, err := svc.ListServers(ctx)
	if err != nil {
		return 0, err
	}
	n := 0
	for _, sv := range servers {
		if sv.Status != store.ServerRevoked {
			n++
		}
	}
	if n == 0 {
		return 0, errors.New("--self-test-bench needs a fleet with servers (build/benchdash makes one)")
	}
	return n, nil
}

// benchSource is the part of the service the bench's requests use.
type benchSource interface {
	ListTasks(ctx context.Context, ref string, limit int) ([]store.Task, error)
	ProgressTask(ctx context.Context, agentUUID string, id int64, p agentapi.TaskProgress) error
	SetSetting(ctx context.Context, key, value string) error
	Health(ctx context.Context) (service.FleetHealth, error)
}

type benchAsk struct {
	ID    int    `json:"id"`
	What  string `json:"what"`
	N     int    `json:"n"`
	Tag   string `json:"tag"`
	Key   string `json:"key"`
	Value string `json:"value"`
}

type benchReply struct {
	ID    int     `json:"id"`
	MS    float64 `json:"ms"`
	Tasks int     `json:"tasks,omitempty"`
	Red   int     `json:"red"`
	Error string  `json:"error,omitempty"`
}

// answerBench does what the probe asked for and says how long Go took:
// "burst" reports n progress records of the running backups, round robin,
// through the same call an agent's report makes; "setting" changes an RPO
// and answers with how many servers are red after it.
func answerBench(ctx context.Context, src benchSource, raw string) benchReply {
	var a benchAsk
	if err := json.Unmarshal([]byte(raw), &a); err != nil {
		return benchReply{Error: fmt.Sprintf("bad request %q: %v", raw, err)}
	}
	reply := benchReply{ID: a.ID}
	start := time.Now()
	var err error
	switch a.What {
	case "burst":
		reply.Tasks, err = benchBurst(ctx, src, a.N, a.Tag)
	case "setting":
		if !strings.HasPrefix(a.Key, "rpo.") {
			err = fmt.Errorf("the bench only changes RPO settings, not %q", a.Key)
			break
		}
		if err = src.SetSetting(ctx, a.Key, a.Value); err != nil {
			break
		}
		reply.MS = msSince(start)
		var h service.FleetHealth
		if h, err = src.Health(ctx); err == nil {
			reply.Red = h.Red
		}
	default:
		err = fmt.Errorf("unknown request %q", a.What)
	}
	if reply.MS == 0 {
		reply.MS = msSince(start)
	}
	if err != nil {
		reply.Error = err.Error()
	}
	return reply
}

func benchBurst(ctx context.Context, src benchSource, n int, tag string) (int, error) {
	tasks, err := src.ListTasks(ctx, "", 1000)
	if err != nil {
		return 0, err
	}
	var running []store.Task
	for _, t := range tasks {
		if t.Type == agentapi.TaskBackup && t.Status == store.TaskRunning {
			running = append(running, t)
		}
	}
	if len(running) == 0 {
		return 0, errors.New("no backup is running on this fleet")
	}
	for i := range n {
		t := running[i%len(running)]
		p := agentapi.TaskProgress{Files: int64(100000 + i), Bytes: int64(i) << 20, Message: fmt.Sprintf("/bench/%s/%d", tag, i)}
		if err := src.ProgressTask(ctx, t.ServerUUID, t.ID, p); err != nil {
			return len(running), fmt.Errorf("progress of task %d: %w", t.ID, err)
		}
	}
	return len(running), nil
}

func msSince(t time.Time) float64 { return float64(time.Since(t).Microseconds()) / 1000 }

// benchReport is the probe's report as Go prints it; only errors are read.
type benchReport struct {
	Errors []string `json:"errors"`
}

// checkBenchReport returns the report as one line of JSON with Go's own
// times added, or why the bench failed.
func checkBenchReport(data []any, launched time.Time, coordOpen float64) (string, error) {
	if len(data) != 1 {
		return "", fmt.Errorf("self-test bench: expected one report, got %d values", len(data))
	}
	raw, _ := data[0].(string)
	var r benchReport
	if err := json.Unmarshal([]byte(raw), &r); err != nil {
		return "", fmt.Errorf("self-test bench: bad report %q: %w", raw, err)
	}
	if len(r.Errors) > 0 {
		return "", fmt.Errorf("self-test bench: %s", strings.Join(r.Errors, "; "))
	}
	var all map[string]any
	json.Unmarshal([]byte(raw), &all)
	all["launched_unix_ms"] = float64(launched.UnixMicro()) / 1000
	all["coordinator_open_ms"] = coordOpen
	line, err := json.Marshal(all)
	return string(line), err
}
