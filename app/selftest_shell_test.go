package app

import (
	"encoding/json"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
)

func TestCheckShellStep(t *testing.T) {
	top := shellReport{Step: shellStepTop, Web1State: "amber", Reasons: []string{"Job db: no successful backup yet"}, SidebarTop: 0, SidebarBottom: 800, ViewWidth: 1280, ViewHeight: 800}
	scrolled := shellReport{Step: shellStepScrolled, PaneScrollable: true, PaneAtEnd: true, SidebarTop: 0, SidebarBottom: 800, ViewWidth: 1280, ViewHeight: 800}
	dialog := shellReport{Step: shellStepDialog, ViewWidth: 1280, ViewHeight: 800, Regions: map[string]rect{"footer": {X: 264, Y: 690, W: 752, H: 62}}}
	resized := shellReport{Step: shellStepResized, Width: 1024, Height: 768, Jobs: 2, LastRunsOn: 2, RunNowOn: 2}
	button := map[string]rect{"submit": {X: 900, Y: 700, W: 90, H: 36}, "next": {X: 1100, Y: 600, W: 80, H: 36}, "restore": {X: 1150, Y: 90, W: 90, H: 36}}
	addServer := shellReport{Step: shellStepAddServer, Methods: 3, ViewWidth: 1280, ViewHeight: 800, Regions: button}
	newJob := shellReport{Step: shellStepNewJob, Heading: "What to back up", ViewWidth: 1280, ViewHeight: 800, Regions: button}
	browse := shellReport{Step: shellStepBrowse, Rows: 1, Actions: true, ViewWidth: 1280, ViewHeight: 800, Regions: button}
	tests := []struct {
		name   string
		report shellReport
		edit   func(*shellReport)
		want   string // part of the error; "" for none
	}{
		{"top ok", top, func(*shellReport) {}, ""},
		{"scrolled ok", scrolled, func(*shellReport) {}, ""},
		{"dialog ok", dialog, func(*shellReport) {}, ""},
		{"resized ok", resized, func(*shellReport) {}, ""},
		{"add server ok", addServer, func(*shellReport) {}, ""},
		{"new job ok", newJob, func(*shellReport) {}, ""},
		{"browse ok", browse, func(*shellReport) {}, ""},
		{"one way to add a server", addServer, func(r *shellReport) { r.Methods = 1 }, "fewer than 3 ways"},
		{"submit off screen", addServer, func(r *shellReport) { r.Regions = map[string]rect{"submit": {X: 900, Y: 790, W: 90, H: 36}} }, "submit button"},
		{"no wizard heading", newJob, func(r *shellReport) { r.Heading = "" }, "no step heading"},
		{"empty archive", browse, func(r *shellReport) { r.Rows = 0 }, "lists nothing"},
		{"no archive actions", browse, func(r *shellReport) { r.Actions = false }, "not its actions"},
		{"no restore button", browse, func(r *shellReport) { r.Regions = nil }, "restore button"},
		{"web1 green", top, func(r *shellReport) { r.Web1State = "green" }, "want amber"},
		{"reason without db", top, func(r *shellReport) { r.Reasons = []string{"Job dbx: failed"} }, "do not name the job db"},
		{"opened scrolled", top, func(r *shellReport) { r.PaneTop = 120 }, "did not open at its top"},
		{"sidebar moved", scrolled, func(r *shellReport) { r.SidebarTop, r.SidebarBottom = -897, -97 }, "the sidebar moved"},
		{"document scrolled", scrolled, func(r *shellReport) { r.DocScrollTop = 897 }, "the document scrolled"},
		{"page too short", scrolled, func(r *shellReport) { r.PaneScrollable = false }, "proves nothing"},
		{"footer below the window", dialog, func(r *shellReport) { r.Regions = map[string]rect{"footer": {X: 264, Y: 790, W: 752, H: 62}} }, "is not inside"},
		{"no footer", dialog, func(r *shellReport) { r.Regions = nil }, "is not inside"},
		{"window too tall", dialog, func(r *shellReport) { r.ViewHeight = 1000 }, "not at most 800"},
		{"last run cut", resized, func(r *shellReport) { r.LastRunsOn = 1 }, "last-run column is cut off"},
		{"run now cut", resized, func(r *shellReport) { r.RunNowOn = 0 }, "Run now is cut off"},
		{"not resized", resized, func(r *shellReport) { r.Width = 1280 }, "after WindowSetSize"},
		{"page error", scrolled, func(r *shellReport) { r.Error = "boom" }, "the page failed: boom"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			r := tt.report
			r.Reasons = append([]string(nil), r.Reasons...)
			tt.edit(&r)
			raw, _ := json.Marshal(r)
			_, _, err := checkShellStep([]any{string(raw)})
			switch {
			case tt.want == "" && err != nil:
				t.Errorf("checkShellStep: %v; want no error", err)
			case tt.want != "" && (err == nil || !strings.Contains(err.Error(), tt.want)):
				t.Errorf("checkShellStep: %v; want an error with %q", err, tt.want)
			}
		})
	}
}

// TestRegionLines: desktop-smoke.sh reads these lines with awk.
func TestRegionLines(t *testing.T) {
	r := shellReport{Step: shellStepJobsWide, ViewWidth: 1280, ViewHeight: 800, Regions: map[string]rect{"run-now-1": {X: 1150, Y: 300, W: 90, H: 30}, "run-now-0": {X: 1150, Y: 250, W: 90, H: 30}}}
	want := []string{
		"self-test-shell-view: jobs-wide 1280 800",
		"self-test-shell-region: jobs-wide run-now-0 1150 250 90 30",
		"self-test-shell-region: jobs-wide run-now-1 1150 300 90 30",
	}
	if diff := cmp.Diff(want, regionLines(r)); diff != "" {
		t.Errorf("regionLines (-want +got):\n%s", diff)
	}
}

func TestSelfTestShellJS(t *testing.T) {
	js := selfTestShellJS(1500)
	for _, want := range []string{selfTestShellEvent, "setTimeout(r, ms)", "sleep(1500)", "WindowSetSize(1024, 768)", `[data-testid="content"]`, `data-name="web1"`, `"dialog-closed"`, `[data-testid="restore-next"]`, `"add-server"`, `"new-job"`, `"browse"`} {
		if !strings.Contains(js, want) {
			t.Errorf("the shell self-test script has no %q", want)
		}
	}
}
