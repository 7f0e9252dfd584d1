package snapshots

import (
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"

	"borgdesk/backend/shared/borg"
)

func day(s string) time.Time {
	t, err := time.Parse("2006-01-02 15:04", s)
	if err != nil {
		panic(err)
	}
	return t
}

// keptBy runs the policy and names the kept times.
func keptBy(t *testing.T, times []time.Time, k borg.Keep, now time.Time) []string {
	t.Helper()
	keep, err := KeepPolicy(times, k, now)
	if err != nil {
		t.Fatal(err)
	}
	var out []string
	for i, ok := range keep {
		if ok {
			out = append(out, times[i].Format("2006-01-02 15:04"))
		}
	}
	return out
}

// TestKeepPolicyFlexPBXDefault: a snapshot a day for 400 days under the
// FlexPBX default (7 daily, 4 weekly, 12 monthly) keeps, as borg prune
// would, the last 7 days, the newest of the 4 ISO weeks before those, and
// the last day of the 12 months before, and drops the rest (the oldest
// too: every rule was filled).
func TestKeepPolicyFlexPBXDefault(t *testing.T) {
	now := day("2026-12-07 03:00") // a Monday
	var times []time.Time
	for i := 399; i >= 0; i-- { // oldest first: the order must not matter
		times = append(times, now.AddDate(0, 0, -i))
	}
	got := keptBy(t, times, borg.Keep{Daily: 7, Weekly: 4, Monthly: 12}, now)
	want := []string{
		"2025-12-31 03:00", "2026-01-31 03:00", "2026-02-28 03:00", "2026-03-31 03:00", "2026-04-30 03:00", "2026-05-31 03:00",
		"2026-06-30 03:00", "2026-07-31 03:00", "2026-08-31 03:00", "2026-09-30 03:00", "2026-10-31 03:00", // monthly
		"2026-11-08 03:00", "2026-11-15 03:00", "2026-11-22 03:00", "2026-11-29 03:00", // weekly (Sundays)
		"2026-11-30 03:00",                                                                                                                         // monthly: November's newest, not a week's newest
		"2026-12-01 03:00", "2026-12-02 03:00", "2026-12-03 03:00", "2026-12-04 03:00", "2026-12-05 03:00", "2026-12-06 03:00", "2026-12-07 03:00", // daily
	}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("kept (-want +got):\n%s", diff)
	}
}

func TestKeepPolicy(t *testing.T) {
	now := day("2026-12-07 12:00")
	sameDay := []time.Time{day("2026-12-07 03:00"), day("2026-12-07 01:00"), day("2026-12-07 02:00")}
	tests := []struct {
		name  string
		times []time.Time
		keep  borg.Keep
		want  []string
	}{
		{"no policy keeps everything", sameDay, borg.Keep{}, []string{"2026-12-07 03:00", "2026-12-07 01:00", "2026-12-07 02:00"}},
		{"newest of the day, and the oldest for the days not reached", sameDay, borg.Keep{Daily: 7}, []string{"2026-12-07 03:00", "2026-12-07 01:00"}},
		{"one daily is the newest only", sameDay, borg.Keep{Daily: 1}, []string{"2026-12-07 03:00"}},
		{"within keeps all of them", sameDay, borg.Keep{Within: "1d", Daily: 1}, []string{"2026-12-07 03:00", "2026-12-07 01:00", "2026-12-07 02:00"}},
		{"within 2d, then daily", []time.Time{day("2026-12-07 01:00"), day("2026-12-06 01:00"), day("2026-12-04 01:00"), day("2026-12-03 01:00"), day("2026-12-02 01:00")},
			borg.Keep{Within: "2d", Daily: 1}, []string{"2026-12-07 01:00", "2026-12-06 01:00", "2026-12-04 01:00"}},
		{"yearly", []time.Time{day("2026-06-01 00:00"), day("2026-01-01 00:00"), day("2025-12-31 00:00"), day("2025-01-01 00:00"), day("2024-01-01 00:00")},
			borg.Keep{Yearly: 2}, []string{"2026-06-01 00:00", "2025-12-31 00:00"}},
		{"nothing to keep from", nil, borg.Keep{Daily: 7}, nil},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if diff := cmp.Diff(tt.want, keptBy(t, tt.times, tt.keep, now)); diff != "" {
				t.Errorf("kept (-want +got):\n%s", diff)
			}
		})
	}
}

func TestKeepPolicyBadWithin(t *testing.T) {
	if _, err := KeepPolicy([]time.Time{day("2026-12-07 01:00")}, borg.Keep{Within: "7x"}, day("2026-12-07 02:00")); err == nil {
		t.Fatal("keep within 7x: got no error; want one that names the units")
	}
}
