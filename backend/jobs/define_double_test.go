package jobs

import (
	"bytes"
	"encoding/json"
	"flag"
	"os"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
)

var updateDouble = flag.Bool("update", false, "rewrite the window double's schedule answers (frontend/e2e/schedules.json)")

// doubleSchedules is where the Playwright double of the window reads what
// DescribeSchedule answers: Go writes it (go test -run TestWindowDouble
// -update), so the double can only say what Go says.
const doubleSchedules = "../../frontend/e2e/schedules.json"

type scheduleAnswers struct {
	Now     time.Time                       `json:"now"`
	RPO     string                          `json:"rpo"`
	Answers map[string]*ScheduleDescription `json:"answers"`
}

func TestWindowDoubleSchedulesAreGos(t *testing.T) {
	raw, err := os.ReadFile(doubleSchedules)
	if err != nil {
		t.Fatal(err)
	}
	var file scheduleAnswers
	if err := json.Unmarshal(raw, &file); err != nil {
		t.Fatalf("%s: %v", doubleSchedules, err)
	}
	rpo, err := time.ParseDuration(file.RPO)
	if err != nil {
		t.Fatal(err)
	}
	want := scheduleAnswers{Now: file.Now, RPO: file.RPO, Answers: map[string]*ScheduleDescription{}}
	for expr := range file.Answers {
		d := describeSchedule(expr, rpo, file.Now)
		want.Answers[expr] = &d
	}
	if *updateDouble {
		var b bytes.Buffer
		enc := json.NewEncoder(&b)
		enc.SetIndent("", "  ")
		enc.SetEscapeHTML(false)
		if err := enc.Encode(want); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(doubleSchedules, b.Bytes(), 0o644); err != nil {
			t.Fatal(err)
		}
		return
	}
	// Compare as JSON, as the window reads it.
	got, _ := json.Marshal(file)
	wantJSON, _ := json.Marshal(want)
	var g, w any
	json.Unmarshal(got, &g)
	json.Unmarshal(wantJSON, &w)
	if diff := cmp.Diff(w, g); diff != "" {
		t.Errorf("%s differs from what Go answers (go test ./backend/jobs -run TestWindowDouble -update) (-go +file):\n%s", doubleSchedules, diff)
	}
}
