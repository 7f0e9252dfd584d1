package main

import (
	"fmt"
	"io"
	"sort"
	"strings"
)

// report is what the page's probe (app/selftest_bench.js) sends, with the
// shell's own times. Page times are ms since navigation start.
type report struct {
	Marks struct {
		Shell   float64 `json:"shell"`
		Tiles   float64 `json:"tiles"`
		Painted float64 `json:"painted"`
	} `json:"marks"`
	Tiles  int               `json:"tiles"`
	Calls  map[string][]call `json:"calls"`
	Bursts []burst           `json:"bursts"`
	Health []healthChange    `json:"health"`
	Sizes  map[string]struct {
		Chars  int     `json:"chars"`
		WarmMS float64 `json:"warm_ms"`
	} `json:"sizes"`
	Nav struct {
		DOMContentLoaded float64 `json:"dom_content_loaded"`
	} `json:"nav"`
	TimeOrigin        float64 `json:"time_origin"`
	LaunchedUnixMS    float64 `json:"launched_unix_ms"`
	CoordinatorOpenMS float64 `json:"coordinator_open_ms"`
}

type call struct {
	Start float64 `json:"start"`
	End   float64 `json:"end"`
}

// burst is n live progress records from Go; times from the request.
type burst struct {
	N            int     `json:"n"`
	GoMS         float64 `json:"go_ms"`
	Tasks        int     `json:"tasks"`
	Received     int     `json:"received"`
	Resyncs      int     `json:"resyncs"`
	First        float64 `json:"first"`
	Last         float64 `json:"last"`
	Painted      float64 `json:"painted"`
	PerEvent     float64 `json:"per_event"`
	LongestFrame float64 `json:"longest_frame"`
}

// healthChange is an RPO setting changed in Go; times from the request.
type healthChange struct {
	Label          string  `json:"label"`
	Red            int     `json:"red"`
	Event          float64 `json:"event"`
	GetHealthStart float64 `json:"get_health_start"`
	GetHealthMS    float64 `json:"get_health_ms"`
	Painted        float64 `json:"painted"`
	LongestFrame   float64 `json:"longest_frame"`
}

func (r report) burst(n int) burst {
	for _, b := range r.Bursts {
		if b.N == n {
			return b
		}
	}
	return burst{}
}

// first is the first call of a binding (zero when it was not called).
func (r report) first(name string) call {
	if c := r.Calls[name]; len(c) > 0 {
		return c[0]
	}
	return call{}
}

// health returns the changes whose label starts with prefix.
func (r report) health(prefix string) []healthChange {
	var out []healthChange
	for _, h := range r.Health {
		if strings.HasPrefix(h.Label, prefix) {
			out = append(out, h)
		}
	}
	return out
}

// dashboardBindings are the calls the dashboard makes when it opens.
var dashboardBindings = []string{"Status", "ListServers", "ListRuns", "ListEvents", "GetHealth", "GetStorage"}

type row struct {
	label string
	unit  string // "ms", "chars", "" (a count)
	get   func(r report) []float64
}

func one(f func(r report) float64) func(r report) []float64 {
	return func(r report) []float64 { return []float64{f(r)} }
}

func healthRows(prefix, what string) []row {
	each := func(f func(h healthChange) float64) func(r report) []float64 {
		return func(r report) []float64 {
			var out []float64
			for _, h := range r.health(prefix) {
				out = append(out, f(h))
			}
			return out
		}
	}
	return []row{
		{what + ": settings:changed reached the page", "ms", each(func(h healthChange) float64 { return h.Event })},
		{"  GetHealth called (after the store's 150 ms batching)", "ms", each(func(h healthChange) float64 { return h.GetHealthStart })},
		{"  GetHealth answered in", "ms", each(func(h healthChange) float64 { return h.GetHealthMS })},
		{"  tiles repainted", "ms", each(func(h healthChange) float64 { return h.Painted })},
		{"  longest frame meanwhile", "ms", each(func(h healthChange) float64 { return h.LongestFrame })},
	}
}

func burstRows(n int) []row {
	b := func(f func(b burst) float64) func(r report) []float64 {
		return one(func(r report) float64 { return f(r.burst(n)) })
	}
	return []row{
		{fmt.Sprintf("%d progress records: Go's %d ProgressTask calls", n, n), "ms", b(func(b burst) float64 { return b.GoMS })},
		{"  first record reached the page", "ms", b(func(b burst) float64 { return b.First })},
		{"  last record reached the page", "ms", b(func(b burst) float64 { return b.Last })},
		{"  last record on screen (painted)", "ms", b(func(b burst) float64 { return b.Painted })},
		{"  per record", "ms", b(func(b burst) float64 { return b.PerEvent })},
		{"  longest frame meanwhile", "ms", b(func(b burst) float64 { return b.LongestFrame })},
		{"  window's event stream resynced", "", b(func(b burst) float64 { return float64(b.Resyncs) })},
	}
}

func rows() []row {
	out := []row{
		{"launch → page starts loading (coordinator open, WebKit started)", "ms", one(func(r report) float64 { return r.TimeOrigin - r.LaunchedUnixMS })},
		{"page: app script ran (DOMContentLoaded)", "ms", one(func(r report) float64 { return r.Nav.DOMContentLoaded })},
		{"page: shell rendered (sidebar)", "ms", one(func(r report) float64 { return r.Marks.Shell })},
		{"page: first GetHealth call made", "ms", one(func(r report) float64 { return r.first("GetHealth").Start })},
	}
	for _, name := range dashboardBindings {
		out = append(out, row{"  " + name + " answered in", "ms", one(func(r report) float64 { c := r.first(name); return c.End - c.Start })})
	}
	out = append(out,
		row{"page: last of those answered", "ms", one(func(r report) float64 {
			last := 0.0
			for _, name := range dashboardBindings {
				last = max(last, r.first(name).End)
			}
			return last
		})},
		row{"page: every tile in the DOM", "ms", one(func(r report) float64 { return r.Marks.Tiles })},
		row{"page: FIRST PAINT (the frame showing the tiles)", "ms", one(func(r report) float64 { return r.Marks.Painted })},
		row{"launch → first paint", "ms", one(func(r report) float64 { return r.TimeOrigin - r.LaunchedUnixMS + r.Marks.Painted })},
		row{},
	)
	out = append(out, burstRows(100)...)
	out = append(out, burstRows(1000)...)
	out = append(out, row{})
	out = append(out, healthRows("one server", "one server's RPO changes")...)
	out = append(out, healthRows("every server", "every server's RPO changes")...)
	out = append(out, row{})
	for _, name := range []string{"GetHealth", "GetStorage", "ListRuns", "ListServers"} {
		out = append(out,
			row{name + " payload", "chars", one(func(r report) float64 { return float64(r.Sizes[name].Chars) })},
			row{"  warm call", "ms", one(func(r report) float64 { return r.Sizes[name].WarmMS })})
	}
	return out
}

func median(v []float64) float64 {
	if len(v) == 0 {
		return 0
	}
	s := append([]float64{}, v...)
	sort.Float64s(s)
	if len(s)%2 == 1 {
		return s[len(s)/2]
	}
	return (s[len(s)/2-1] + s[len(s)/2]) / 2
}

func format(v float64, unit string) string {
	switch {
	case unit == "chars" && v >= 1e6:
		return fmt.Sprintf("%.1f M", v/1e6)
	case unit == "chars" && v >= 1e3:
		return fmt.Sprintf("%.0f k", v/1e3)
	case unit == "chars" || unit == "":
		return fmt.Sprintf("%.0f", v)
	case v >= 100:
		return fmt.Sprintf("%.0f ms", v)
	case v >= 10:
		return fmt.Sprintf("%.1f ms", v)
	}
	return fmt.Sprintf("%.2f ms", v)
}

// printTable prints each row's median per fleet and the ratio of the last
// fleet to the first.
func printTable(w io.Writer, fleets []*fleet, results [][]report, machine string) {
	fmt.Fprintf(w, "dashboard measured in the real window (the desktop binary, WebKitGTK under Xvfb; %s)\n", machine)
	fmt.Fprintf(w, "medians of %d windows per fleet; page times are ms since the page started loading, update times since Go was asked:\n", len(results[0]))
	fmt.Fprintf(w, "%-66s", "")
	for _, f := range fleets {
		fmt.Fprintf(w, "%14s", fmt.Sprintf("%d servers", f.Servers))
	}
	if len(fleets) > 1 {
		fmt.Fprintf(w, "%8s", "ratio")
	}
	fmt.Fprintln(w)
	for _, rw := range rows() {
		if rw.get == nil {
			fmt.Fprintln(w)
			continue
		}
		fmt.Fprintf(w, "%-66s", rw.label)
		var meds []float64
		for i := range fleets {
			var all []float64
			for _, r := range results[i] {
				all = append(all, rw.get(r)...)
			}
			m := median(all)
			meds = append(meds, m)
			fmt.Fprintf(w, "%14s", format(m, rw.unit))
		}
		if len(meds) > 1 && meds[0] > 0 {
			fmt.Fprintf(w, "%8s", fmt.Sprintf("%.1f×", meds[len(meds)-1]/meds[0]))
		}
		fmt.Fprintln(w)
	}
}
