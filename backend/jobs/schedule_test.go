package jobs

import (
	"testing"
	"time"
)

func TestDueCatchesUpOnce(t *testing.T) {
	s, err := ParseSchedule("*/5 * * * *")
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
	s, err := ParseSchedule("CRON_TZ=America/New_York 0 3 * * *")
	if err != nil {
		t.Fatal(err)
	}
	next := s.Next(time.Date(2026, 11, 22, 0, 0, 0, 0, time.UTC))
	if next.UTC().Hour() != 8 { // 03:00 EST = 08:00 UTC
		t.Errorf("next = %v; want 08:00 UTC", next.UTC())
	}
	for _, bad := range []string{"", "* * *", "61 * * * *", "CRON_TZ=Mars/Base 0 3 * * *"} {
		if _, err := ParseSchedule(bad); err == nil {
			t.Errorf("ParseSchedule(%q) accepted", bad)
		}
	}
}

func TestArchiveNames(t *testing.T) {
	at := time.Date(2026, 11, 22, 5, 30, 0, 0, time.UTC)
	if got := ArchiveName("etc", at); got != "etc@2026-11-22T05.30.00Z" {
		t.Errorf("ArchiveName = %q", got)
	}
	if !ValidWithin("7d") || ValidWithin("7") || ValidWithin("0d") || ValidWithin("1d; rm") {
		t.Error("ValidWithin misjudged")
	}
}
