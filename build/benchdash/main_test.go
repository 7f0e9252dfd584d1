package main

import (
	"context"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"borgdesk/backend/service"
	"borgdesk/backend/store"
)

// The seeded fleet is what the report says it is: the service rates it
// with the red and amber servers the seed meant.
func TestSeedMakesTheFleetItSays(t *testing.T) {
	ctx := context.Background()
	dir := t.TempDir()
	f, err := seed(ctx, dir, 100, 3)
	if err != nil {
		t.Fatal(err)
	}
	if f.Servers != 100 || f.Jobs != 100 || f.Runs != 300 || f.Running != 4 || f.Red != 2 || f.Amber == 0 {
		t.Fatalf("fleet = %+v", *f)
	}
	st, err := store.Open(ctx, filepath.Join(dir, "borgdesk.db"), store.Options{})
	if err != nil {
		t.Fatal(err)
	}
	defer st.Close()
	h, err := service.New(service.Config{Store: st, Now: time.Now}).Health(ctx)
	if err != nil {
		t.Fatal(err)
	}
	if h.Red != f.Red || h.Amber != f.Amber || len(h.Servers) != 100 {
		t.Errorf("the service rates %d red, %d amber of %d; the seed says %d red, %d amber", h.Red, h.Amber, len(h.Servers), f.Red, f.Amber)
	}
	tasks, err := st.ListTasks(ctx, 0, 100)
	if err != nil {
		t.Fatal(err)
	}
	running := 0
	for _, task := range tasks {
		if task.Status == store.TaskRunning {
			running++
		}
	}
	if running != f.Running {
		t.Errorf("%d running tasks; want %d", running, f.Running)
	}
}

func TestTable(t *testing.T) {
	var small, big report
	small.Marks.Painted, big.Marks.Painted = 100, 250
	small.Bursts = []burst{{N: 1000, PerEvent: 2}}
	big.Bursts = []burst{{N: 1000, PerEvent: 3}}
	var out strings.Builder
	printTable(&out, []*fleet{{Servers: 5}, {Servers: 500}}, [][]report{{small, small, small}, {big, big, big}}, "2 cores")
	for _, want := range []string{"5 servers", "500 servers", "FIRST PAINT", "100 ms", "250 ms", "2.5×", "2.00 ms", "3.00 ms", "1.5×", "2 cores"} {
		if !strings.Contains(out.String(), want) {
			t.Errorf("the table lacks %q:\n%s", want, out.String())
		}
	}
	if got := median([]float64{5, 1, 3, 2}); got != 2.5 {
		t.Errorf("median = %v; want 2.5", got)
	}
}
