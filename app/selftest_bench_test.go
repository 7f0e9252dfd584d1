package app

import (
	"context"
	"encoding/json"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"borgdesk/backend/service"
	"borgdesk/backend/shared/agentapi"
	"borgdesk/backend/store"
)

func TestSelfTestBenchNeedsSelfTest(t *testing.T) {
	r := runCLI(context.Background(), nil, "--self-test-bench")
	if r.code != exitUsage || !strings.Contains(r.stderr, "goes with --self-test") {
		t.Errorf("--self-test-bench alone = %d, %q; want a usage error", r.code, r.stderr)
	}
}

func TestBenchDataDirNeedsMarker(t *testing.T) {
	dir := t.TempDir()
	if err := checkBenchDataDir(dir); err == nil || !strings.Contains(err.Error(), "build/benchdash") {
		t.Errorf("a data dir without %s = %v; want it refused", benchMarker, err)
	}
	os.WriteFile(filepath.Join(dir, benchMarker), nil, 0o600)
	if err := checkBenchDataDir(dir); err != nil {
		t.Errorf("a bench fleet = %v", err)
	}
}

func TestBenchIndexPutsTheProbeFirstInHead(t *testing.T) {
	page := []byte(`<!doctype html><html><head><script type="module" src="/assets/app.js"></script></head><body><div id="app"></div></body></html>`)
	got, err := benchIndex(page, 500)
	if err != nil {
		t.Fatal(err)
	}
	s := string(got)
	probe, app := strings.Index(s, "const EXPECTED = 500"), strings.Index(s, `src="/assets/app.js"`)
	if probe < 0 || app < 0 || probe > app || !strings.HasPrefix(s[strings.Index(s, "<head>"):], "<head><script>") {
		t.Errorf("the probe is not the first thing in <head>, before the app:\n%.300s", s)
	}
	for _, ev := range []string{benchAskEvent, benchDoneEvent, benchReportEvent} {
		if !strings.Contains(s, "'"+ev+"'") {
			t.Errorf("the probe does not use event %s", ev)
		}
	}
	if strings.Contains(s, "__EXPECTED__") || strings.Contains(s, "__ASK__") {
		t.Error("placeholders left in the probe")
	}
	if _, err := benchIndex([]byte("<html></html>"), 1); err == nil {
		t.Error("a page without <head> was accepted")
	}
}

func TestBenchMiddlewareServesThePageOnly(t *testing.T) {
	assets := http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) { w.Write([]byte("asset " + r.URL.Path)) })
	h := benchMiddleware([]byte("<html>probe</html>"))(assets)
	for path, want := range map[string]string{"/": "<html>probe</html>", "/index.html": "<html>probe</html>", "/assets/app.js": "asset /assets/app.js"} {
		rec := httptest.NewRecorder()
		h.ServeHTTP(rec, httptest.NewRequest(http.MethodGet, path, nil))
		if rec.Body.String() != want {
			t.Errorf("GET %s = %q; want %q", path, rec.Body.String(), want)
		}
	}
	var none *benchRun
	if none.middleware() != nil {
		t.Error("a window without a bench has a middleware")
	}
}

// benchFake is the service as the bench's requests see it.
type benchFake struct {
	tasks    []store.Task
	progress []string
	settings map[string]string
	red      int
}

func (f *benchFake) ListTasks(context.Context, string, int) ([]store.Task, error) {
	return f.tasks, nil
}
func (f *benchFake) ProgressTask(_ context.Context, agent string, id int64, p agentapi.TaskProgress) error {
	f.progress = append(f.progress, agent+":"+p.Message)
	return nil
}
func (f *benchFake) SetSetting(_ context.Context, key, value string) error {
	f.settings[key] = value
	return nil
}
func (f *benchFake) Health(context.Context) (service.FleetHealth, error) {
	return service.FleetHealth{Red: f.red}, nil
}

func TestAnswerBench(t *testing.T) {
	f := &benchFake{settings: map[string]string{}, red: 7, tasks: []store.Task{
		{ID: 1, ServerUUID: "a", Type: agentapi.TaskBackup, Status: store.TaskRunning},
		{ID: 2, ServerUUID: "b", Type: agentapi.TaskRestore, Status: store.TaskRunning},
		{ID: 3, ServerUUID: "c", Type: agentapi.TaskBackup, Status: store.TaskSucceeded},
		{ID: 4, ServerUUID: "d", Type: agentapi.TaskBackup, Status: store.TaskRunning},
	}}
	ctx := context.Background()
	r := answerBench(ctx, f, `{"id":1,"what":"burst","n":3,"tag":"x"}`)
	if r.ID != 1 || r.Error != "" || r.Tasks != 2 {
		t.Errorf("burst reply = %+v", r)
	}
	if got := strings.Join(f.progress, " "); got != "a:/bench/x/0 d:/bench/x/1 a:/bench/x/2" {
		t.Errorf("progress reports = %s; want the running backups in turn", got)
	}
	r = answerBench(ctx, f, `{"id":2,"what":"setting","key":"rpo.web1","value":"1h"}`)
	if r.ID != 2 || r.Error != "" || r.Red != 7 || f.settings["rpo.web1"] != "1h" {
		t.Errorf("setting reply = %+v, settings %v", r, f.settings)
	}
	for _, ask := range []string{`{"id":3,"what":"setting","key":"smtp.host","value":"x"}`, `{"id":4,"what":"coffee"}`, `nonsense`} {
		if r := answerBench(ctx, f, ask); r.Error == "" {
			t.Errorf("%s was answered without an error: %+v", ask, r)
		}
	}
	if _, ok := f.settings["smtp.host"]; ok {
		t.Error("the bench changed a setting that is not an RPO")
	}
	none := &benchFake{}
	if r := answerBench(ctx, none, `{"id":5,"what":"burst","n":1}`); !strings.Contains(r.Error, "no backup is running") {
		t.Errorf("burst without running backups = %+v", r)
	}
}

func TestCheckBenchReport(t *testing.T) {
	launched := time.UnixMilli(1_700_000_000_000)
	line, err := checkBenchReport([]any{`{"marks":{"painted":812.5},"errors":[]}`}, launched, 12.5)
	if err != nil {
		t.Fatal(err)
	}
	var got map[string]any
	if err := json.Unmarshal([]byte(line), &got); err != nil {
		t.Fatal(err)
	}
	if got["launched_unix_ms"] != 1.7e12 || got["coordinator_open_ms"] != 12.5 || got["marks"].(map[string]any)["painted"] != 812.5 {
		t.Errorf("report = %s", line)
	}
	if _, err := checkBenchReport([]any{`{"errors":["the dashboard did not show 500 tiles within 60 s"]}`}, launched, 0); err == nil || !strings.Contains(err.Error(), "500 tiles") {
		t.Errorf("a report with errors = %v", err)
	}
	if _, err := checkBenchReport(nil, launched, 0); err == nil {
		t.Error("no report was accepted")
	}
}
