package notify

import (
	"strings"
	"testing"
	"time"
)

var t0 = time.Date(2026, 11, 25, 14, 2, 0, 0, time.UTC)

func failed(job string) Alert {
	return Alert{Kind: KindRunFailed, Key: "run_failed:job:" + job, Title: "Backup failed: web1/" + job, Body: "borg exited 2", Route: "/jobs/" + job}
}

func TestPolicyCollapsesRepeatsWithinTheWindow(t *testing.T) {
	p := newPolicy(time.Hour, 10, time.Second, QuietHours{})
	got := p.alert(failed("12"), t0)
	if len(got) != 1 || !got[0].fresh || got[0].body != "borg exited 2" {
		t.Fatalf("first alert = %+v; want one fresh message with the body", got)
	}
	p.alert(failed("12"), t0.Add(time.Minute))
	got = p.alert(failed("12"), t0.Add(2*time.Minute))
	if len(got) != 1 || got[0].fresh || got[0].slot != "run_failed:job:12" {
		t.Fatalf("third alert = %+v; want an update of the same slot", got)
	}
	if want := "Failed 3 times since 14:02."; !strings.Contains(got[0].body, want) {
		t.Errorf("body = %q; want it to say %q", got[0].body, want)
	}
	if got := p.alert(failed("13"), t0.Add(2*time.Minute)); !got[0].fresh {
		t.Errorf("another job's failure = %+v; want a fresh notification", got[0])
	}
	got = p.alert(failed("12"), t0.Add(4*time.Hour))
	if !got[0].fresh || got[0].body != "borg exited 2" {
		t.Errorf("a repeat after the window = %+v; want a fresh notification without a count", got[0])
	}
}

func TestPolicyHoldsQuietHoursThenSummarises(t *testing.T) {
	q, err := ParseQuietHours("22:00-07:00")
	if err != nil {
		t.Fatal(err)
	}
	p := newPolicy(time.Hour, 10, time.Second, q)
	night := time.Date(2026, 11, 25, 23, 30, 0, 0, time.UTC)
	for i, a := range []Alert{failed("12"), failed("12"), failed("13")} {
		if got := p.alert(a, night.Add(time.Duration(i)*time.Hour)); got != nil {
			t.Fatalf("alert %d during quiet hours shown: %+v", i, got)
		}
	}
	if got := p.tick(night.Add(6*time.Hour), 0); got != nil { // 05:30
		t.Fatalf("tick during quiet hours = %+v", got)
	}
	got := p.tick(time.Date(2026, 11, 26, 7, 0, 0, 0, time.UTC), 0)
	if len(got) != 1 {
		t.Fatalf("tick at 07:00 = %+v; want one summary", got)
	}
	m := got[0]
	if m.summary != "3 alerts during quiet hours" || m.route != "/" {
		t.Errorf("summary = %q, route %q", m.summary, m.route)
	}
	if want := "Backup failed: web1/12 (2 times)\nBackup failed: web1/13"; m.body != want {
		t.Errorf("body = %q; want %q", m.body, want)
	}
	if got := p.tick(time.Date(2026, 11, 26, 7, 1, 0, 0, time.UTC), 0); got != nil {
		t.Errorf("second tick = %+v; the summary was already shown", got)
	}
}

func TestPolicyFoldsAStorm(t *testing.T) {
	p := newPolicy(time.Hour, 3, time.Second, QuietHours{})
	var shown []message
	for i := range 10 {
		a := failed(string(rune('a' + i)))
		shown = append(shown, p.alert(a, t0.Add(time.Duration(i)*time.Millisecond))...)
	}
	shown = append(shown, p.tick(t0.Add(2*time.Second), 0)...)
	individual, storms := 0, []message{}
	for _, m := range shown {
		if m.slot == stormSlot {
			storms = append(storms, m)
		} else {
			individual++
		}
	}
	if individual != 3 {
		t.Errorf("%d alerts shown alone; want 3 (the limit)", individual)
	}
	if len(storms) != 2 || !storms[0].fresh || storms[1].fresh {
		t.Fatalf("storm messages = %+v; want one fresh, then one update (throttled)", storms)
	}
	if last := storms[len(storms)-1]; last.summary != "7 more alerts" || !strings.Contains(last.body, "web1/j") {
		t.Errorf("storm = %q / %q; want 7 more alerts naming the newest", last.summary, last.body)
	}
	// A quiet minute later the storm is over and alerts show alone again.
	p.tick(t0.Add(3*time.Minute), 0)
	if got := p.alert(failed("z"), t0.Add(3*time.Minute)); len(got) != 1 || got[0].slot == stormSlot {
		t.Errorf("after the storm = %+v", got)
	}
}

func TestPolicyCountsDroppedAlertsIntoTheStorm(t *testing.T) {
	p := newPolicy(time.Hour, 10, time.Second, QuietHours{})
	got := p.tick(t0, 40)
	if len(got) != 1 || got[0].summary != "40 more alerts" {
		t.Errorf("tick with 40 dropped = %+v", got)
	}
}

func TestParseQuietHours(t *testing.T) {
	tests := []struct {
		spec   string
		ok     bool
		in     []string
		notIn  []string
		String string
	}{
		{spec: "22:00-07:00", ok: true, in: []string{"22:00", "23:59", "00:00", "06:59"}, notIn: []string{"07:00", "12:00", "21:59"}, String: "22:00-07:00"},
		{spec: " 12:30 - 13:15 ", ok: true, in: []string{"12:30", "13:14"}, notIn: []string{"13:15", "12:29"}, String: "12:30-13:15"},
		{spec: "", ok: true, notIn: []string{"00:00", "12:00"}},
		{spec: "22:00"},
		{spec: "25:00-07:00"},
		{spec: "07:00-07:00"},
		{spec: "night"},
	}
	for _, tt := range tests {
		t.Run(tt.spec, func(t *testing.T) {
			q, err := ParseQuietHours(tt.spec)
			if (err == nil) != tt.ok {
				t.Fatalf("ParseQuietHours(%q) error = %v; want ok=%v", tt.spec, err, tt.ok)
			}
			at := func(hm string) time.Time {
				c, _ := time.Parse("15:04", hm)
				return time.Date(2026, 11, 25, c.Hour(), c.Minute(), 0, 0, time.UTC)
			}
			for _, hm := range tt.in {
				if !q.Contains(at(hm)) {
					t.Errorf("%s not quiet", hm)
				}
			}
			for _, hm := range tt.notIn {
				if q.Contains(at(hm)) {
					t.Errorf("%s quiet", hm)
				}
			}
			if q.String() != tt.String {
				t.Errorf("String() = %q; want %q", q.String(), tt.String)
			}
		})
	}
}
