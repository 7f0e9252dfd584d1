package schedule

import (
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
)

func TestDueCatchesUpOnce(t *testing.T) {
	s, err := Parse("*/5 * * * *")
	if err != nil {
		t.Fatal(err)
	}
	last := time.Date(2026, 11, 22, 10, 0, 0, 0, time.UTC)
	tests := []struct {
		now  time.Time
		want bool
	}{
		{last.Add(4 * time.Minute), false},
		{last.Add(5 * time.Minute), true},
		{last.Add(3 * time.Hour), true}, // closed for hours: due (once)
	}
	for _, tt := range tests {
		if got := s.Due(last, tt.now); got != tt.want {
			t.Errorf("Due(%v) = %v; want %v", tt.now.Sub(last), got, tt.want)
		}
	}
}

func TestTimeZones(t *testing.T) {
	s, err := Parse("CRON_TZ=America/New_York 0 3 * * *")
	if err != nil {
		t.Fatal(err)
	}
	next := s.Next(time.Date(2026, 11, 22, 0, 0, 0, 0, time.UTC))
	if next.UTC().Hour() != 8 { // 03:00 EST = 08:00 UTC
		t.Errorf("next = %v; want 08:00 UTC", next.UTC())
	}
	for _, bad := range []string{"", "* * *", "61 * * * *", "CRON_TZ=Mars/Base 0 3 * * *"} {
		if _, err := Parse(bad); err == nil {
			t.Errorf("Parse(%q) accepted", bad)
		}
	}
}

func TestArchiveNames(t *testing.T) {
	at := time.Date(2026, 11, 22, 5, 30, 0, 0, time.UTC)
	if got := ArchiveName("etc", at); got != "etc@2026-11-22T05.30.00Z" {
		t.Errorf("ArchiveName = %q", got)
	}
	if got := ArchivePrefix("etc"); got != "etc@" {
		t.Errorf("ArchivePrefix = %q", got)
	}
}

func TestNextN(t *testing.T) {
	s, err := Parse("30 2 * * 1-5")
	if err != nil {
		t.Fatal(err)
	}
	fri := time.Date(2026, 11, 20, 12, 0, 0, 0, time.UTC) // a Friday
	var got []string
	for _, n := range s.NextN(fri, 5) {
		got = append(got, n.Format("Mon 02 15:04"))
	}
	want := []string{"Mon 23 02:30", "Tue 24 02:30", "Wed 25 02:30", "Thu 26 02:30", "Fri 27 02:30"}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("next five (-want +got):\n%s", diff)
	}
}

func TestLargestGap(t *testing.T) {
	from := time.Date(2026, 11, 18, 12, 0, 0, 0, time.UTC) // a Wednesday
	tests := []struct {
		expr      string
		from      time.Time
		want      time.Duration
		wantAfter time.Time
	}{
		{"*/5 * * * *", from, 5 * time.Minute, time.Date(2026, 11, 18, 12, 5, 0, 0, time.UTC)},
		{"30 2 * * *", from, 24 * time.Hour, time.Date(2026, 11, 19, 2, 30, 0, 0, time.UTC)},
		// Friday night to Monday night.
		{"30 2 * * 1-5", from, 72 * time.Hour, time.Date(2026, 11, 20, 2, 30, 0, 0, time.UTC)},
		{"0 4 * * 0", from, 7 * 24 * time.Hour, time.Date(2026, 11, 22, 4, 0, 0, 0, time.UTC)},
		// The pair that crosses the two weeks' end counts.
		{"0 3 1 * *", from, 31 * 24 * time.Hour, time.Date(2026, 12, 1, 3, 0, 0, 0, time.UTC)},
		// Daylight saving time: 25 hours when the clocks go back.
		{"CRON_TZ=Europe/Paris 0 3 * * *", time.Date(2027, 10, 25, 12, 0, 0, 0, time.UTC), 25 * time.Hour, time.Date(2027, 10, 30, 1, 0, 0, 0, time.UTC)},
		// 02:00 does not exist the day they go forward: that slot is skipped.
		{"CRON_TZ=Europe/Paris 0 2 * * *", time.Date(2027, 3, 20, 12, 0, 0, 0, time.UTC), 47 * time.Hour, time.Date(2027, 3, 27, 1, 0, 0, 0, time.UTC)},
	}
	for _, tt := range tests {
		t.Run(tt.expr, func(t *testing.T) {
			s, err := Parse(tt.expr)
			if err != nil {
				t.Fatal(err)
			}
			gap, after := s.LargestGap(tt.from, 14*24*time.Hour)
			if gap != tt.want || !after.Equal(tt.wantAfter) {
				t.Errorf("LargestGap = %s after %s; want %s after %s", gap, after.UTC(), tt.want, tt.wantAfter)
			}
		})
	}
}
