package jobs

import (
	"testing"
	"time"

	"borgdesk/backend/store"
)

func TestJobViewNextAndLastScheduled(t *testing.T) {
	created := time.Date(2026, 11, 18, 12, 0, 0, 0, time.UTC) // a Wednesday
	at := func(d time.Duration) *time.Time { t := created.Add(d); return &t }
	tests := []struct {
		name     string
		schedule string
		enabled  bool
		last     *time.Time // last_scheduled_at; the store sets it to creation
		now      time.Time
		wantNext *time.Time
		wantLast *time.Time
	}{
		{"by hand only: no next, no last", "", true, &created, created.Add(48 * time.Hour), nil, nil},
		{"daily, never due yet", "30 2 * * *", true, &created, created.Add(time.Hour), at(14*time.Hour + 30*time.Minute), nil},
		{"daily after a slot", "30 2 * * *", true, at(14*time.Hour + 30*time.Minute), created.Add(15 * time.Hour),
			at(38*time.Hour + 30*time.Minute), at(14*time.Hour + 30*time.Minute)},
		{"overdue: now", "30 2 * * *", true, &created, created.Add(20 * time.Hour), at(20 * time.Hour), nil},
		{"weekdays from Friday", "30 2 * * 1-5", true, at(38*time.Hour + 30*time.Minute), created.Add(39 * time.Hour),
			at(4*24*time.Hour + 14*time.Hour + 30*time.Minute), at(38*time.Hour + 30*time.Minute)},
		{"in a zone", "CRON_TZ=Europe/Paris 0 3 * * *", true, &created, created.Add(time.Hour), at(14 * time.Hour), nil},
		{"disabled: no next", "30 2 * * *", false, &created, created.Add(time.Hour), nil, nil},
		{"no last_scheduled_at: counts from creation", "0 * * * *", true, nil, created.Add(time.Minute), at(time.Hour), nil},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			j := store.Job{Schedule: tt.schedule, Enabled: tt.enabled, CreatedAt: created, LastScheduledAt: tt.last}
			v := jobView(j, tt.now)
			if !sameTime(v.NextRun, tt.wantNext) {
				t.Errorf("next_run = %v; want %v", show(v.NextRun), show(tt.wantNext))
			}
			if !sameTime(v.LastScheduled, tt.wantLast) {
				t.Errorf("last_scheduled = %v; want %v", show(v.LastScheduled), show(tt.wantLast))
			}
		})
	}
}

func sameTime(a, b *time.Time) bool {
	if a == nil || b == nil {
		return a == nil && b == nil
	}
	return a.Equal(*b)
}

func show(t *time.Time) string {
	if t == nil {
		return "nil"
	}
	return t.UTC().Format(time.RFC3339)
}

func TestDescribeScheduleRPO(t *testing.T) {
	now := time.Date(2026, 11, 18, 12, 0, 0, 0, time.UTC) // a Wednesday
	tests := []struct {
		name     string
		expr     string
		rpo      time.Duration
		wantKind string
		wantGap  time.Duration
		wantMiss bool
	}{
		{"daily meets 26h", "30 2 * * *", 26 * time.Hour, KindDaily, 24 * time.Hour, false},
		{"weekdays miss 26h over the weekend", "30 2 * * 1-5", 26 * time.Hour, KindWeekdays, 72 * time.Hour, true},
		{"weekdays meet 3 days", "30 2 * * 1-5", 72 * time.Hour, KindWeekdays, 72 * time.Hour, false},
		{"weekly misses 26h", "0 4 * * 0", 26 * time.Hour, KindWeekly, 7 * 24 * time.Hour, true},
		{"hourly meets 1h", "0 * * * *", time.Hour, KindHourly, time.Hour, false},
		{"manual: nothing to measure", "", 26 * time.Hour, KindManual, 0, false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			d := describeSchedule(tt.expr, tt.rpo, now)
			if d.Error != "" || d.Kind != tt.wantKind {
				t.Fatalf("kind %q, error %q; want %q", d.Kind, d.Error, tt.wantKind)
			}
			if got := time.Duration(d.GapSeconds) * time.Second; got != tt.wantGap || d.MissesRPO != tt.wantMiss {
				t.Errorf("gap %s, misses RPO %v; want %s, %v", got, d.MissesRPO, tt.wantGap, tt.wantMiss)
			}
			if d.RPOSeconds != int64(tt.rpo/time.Second) {
				t.Errorf("rpo_seconds %d; want %d", d.RPOSeconds, int64(tt.rpo/time.Second))
			}
			if tt.expr != "" && len(d.Next) != 5 {
				t.Errorf("%d next runs; want 5", len(d.Next))
			}
		})
	}
	if d := describeSchedule("61 * * * *", time.Hour, now); d.Error == "" || d.Kind != "" {
		t.Errorf("a bad expression: %+v; want only an error", d)
	}
}
