package archives

import (
	"context"
	"testing"
	"time"
)

// The scheduled checks count from the coordinator's start, fall due on
// their schedules once each, and --verify-data brings a plain check with it.
func TestDueChecksFollowTheirSchedules(t *testing.T) {
	settings := map[string]string{"check.schedule": "0 4 * * *", "check.verify_data_schedule": "0 5 1 * *"}
	setting := func(_ context.Context, k string) (string, error) { return settings[k], nil }
	ctx := context.Background()
	var d DueChecks
	start := time.Date(2026, 11, 30, 12, 0, 0, 0, time.Local) // schedules are in local time
	for _, tc := range []struct {
		at            time.Time
		check, verify bool
	}{
		{start, false, false},                       // counts from here
		{start.Add(15 * time.Hour), false, false},   // 03:00 next day
		{start.Add(16 * time.Hour), true, false},    // 04:00: check
		{start.Add(16*time.Hour + 1), false, false}, // once
		{start.Add(17 * time.Hour), true, true},     // 05:00 on the 1st: verify, with a check
		{start.Add(40 * time.Hour), true, false},    // 04:00 on the 2nd
	} {
		check, verify := d.Due(ctx, setting, tc.at)
		if check != tc.check || verify != tc.verify {
			t.Errorf("at %s: check %v verify %v; want %v %v", tc.at.Format(time.RFC3339), check, verify, tc.check, tc.verify)
		}
	}
	settings["check.schedule"], settings["check.verify_data_schedule"] = "", ""
	if check, _ := d.Due(ctx, setting, start.Add(1000*time.Hour)); check {
		t.Error("a check fell due with no schedule")
	}
}
