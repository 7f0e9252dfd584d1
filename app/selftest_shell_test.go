package app

import (
	"encoding/json"
	"strings"
	"testing"
)

func TestCheckShellStep(t *testing.T) {
	scrolled := shellReport{Step: shellStepScrolled, Web1State: "amber", Reasons: []string{"Job db: no successful backup yet"},
		PaneScrollable: true, PaneAtEnd: true, SidebarTop: 0, SidebarBottom: 800, ViewHeight: 800}
	resized := shellReport{Step: shellStepResized, Width: 1024, Height: 768, Jobs: 2, LastRunsOn: 2, RunNowOn: 2}
	tests := []struct {
		name   string
		report shellReport
		edit   func(*shellReport)
		want   string // part of the error; "" for none
	}{
		{"scrolled ok", scrolled, func(*shellReport) {}, ""},
		{"resized ok", resized, func(*shellReport) {}, ""},
		{"web1 green", scrolled, func(r *shellReport) { r.Web1State = "green" }, "want amber"},
		{"reason without db", scrolled, func(r *shellReport) { r.Reasons = []string{"Job dbx: failed"} }, "do not name the job db"},
		{"sidebar moved", scrolled, func(r *shellReport) { r.SidebarTop, r.SidebarBottom = -897, -97 }, "the sidebar moved"},
		{"document scrolled", scrolled, func(r *shellReport) { r.DocScrollTop = 897 }, "the document scrolled"},
		{"page too short", scrolled, func(r *shellReport) { r.PaneScrollable = false }, "proves nothing"},
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

func TestSelfTestShellJS(t *testing.T) {
	js := selfTestShellJS(1500)
	for _, want := range []string{selfTestShellEvent, "setTimeout(r, ms)", "sleep(1500)", "WindowSetSize(1024, 768)", `[data-testid="content"]`, `data-name="web1"`} {
		if !strings.Contains(js, want) {
			t.Errorf("the shell self-test script has no %q", want)
		}
	}
}
