package jobs

import (
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
)

func TestDescribe(t *testing.T) {
	tests := []struct {
		name string
		expr string
		want Description
	}{
		{"manual", "", Description{Kind: KindManual}},
		{"every minute", "* * * * *", Description{Kind: KindEveryMinutes, Every: 1, Expr: "* * * * *"}},
		{"every 15 minutes", "*/15 * * * *", Description{Kind: KindEveryMinutes, Every: 15, Expr: "*/15 * * * *"}},
		{"minute list that is a step", "0,20,40 * * * *", Description{Kind: KindEveryMinutes, Every: 20, Expr: "0,20,40 * * * *"}},
		{"uneven minutes", "5,20 * * * *", Description{Kind: KindCron, Expr: "5,20 * * * *"}},
		{"hourly", "0 * * * *", Description{Kind: KindHourly, Expr: "0 * * * *"}},
		{"hourly at 17", "17 * * * *", Description{Kind: KindHourly, Minute: 17, Expr: "17 * * * *"}},
		{"@hourly", "@hourly", Description{Kind: KindHourly, Expr: "@hourly"}},
		{"every 6 hours", "30 */6 * * *", Description{Kind: KindEveryHours, Every: 6, Minute: 30, Expr: "30 */6 * * *"}},
		{"uneven hours", "0 1,5 * * *", Description{Kind: KindCron, Expr: "0 1,5 * * *"}},
		{"daily", "30 2 * * *", Description{Kind: KindDaily, At: "02:30", Expr: "30 2 * * *"}},
		{"@daily", "@daily", Description{Kind: KindDaily, At: "00:00", Expr: "@daily"}},
		{"daily in a zone", "CRON_TZ=Europe/Paris 0 3 * * *", Description{Kind: KindDaily, At: "03:00", Zone: "Europe/Paris", Expr: "0 3 * * *"}},
		{"weekdays", "30 2 * * 1-5", Description{Kind: KindWeekdays, At: "02:30", Expr: "30 2 * * 1-5"}},
		{"weekday names", "0 22 * * mon-fri", Description{Kind: KindWeekdays, At: "22:00", Expr: "0 22 * * mon-fri"}},
		{"weekly", "0 4 * * 0", Description{Kind: KindWeekly, At: "04:00", Days: []int{0}, Expr: "0 4 * * 0"}},
		{"some days", "0 4 * * 1,3,5", Description{Kind: KindWeekly, At: "04:00", Days: []int{1, 3, 5}, Expr: "0 4 * * 1,3,5"}},
		{"every day listed", "0 4 * * 0-6", Description{Kind: KindDaily, At: "04:00", Expr: "0 4 * * 0-6"}},
		{"monthly", "15 1 1 * *", Description{Kind: KindMonthly, Day: 1, At: "01:15", Expr: "15 1 1 * *"}},
		{"some months", "0 3 1 1,7 *", Description{Kind: KindCron, Expr: "0 3 1 1,7 *"}},
		{"two times a day", "0 0,12 * * *", Description{Kind: KindEveryHours, Every: 12, Expr: "0 0,12 * * *"}},
		{"hours off the step", "0 3,15 * * *", Description{Kind: KindCron, Expr: "0 3,15 * * *"}},
		{"@every 2h", "@every 2h", Description{Kind: KindEveryHours, Every: 2, Expr: "@every 2h"}},
		{"@every 90m", "@every 90m", Description{Kind: KindEveryMinutes, Every: 90, Expr: "@every 90m"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, err := Describe(tt.expr)
			if err != nil {
				t.Fatal(err)
			}
			if diff := cmp.Diff(tt.want, got); diff != "" {
				t.Errorf("Describe(%q) (-want +got):\n%s", tt.expr, diff)
			}
		})
	}
}

func TestDescribeRefuses(t *testing.T) {
	for _, expr := range []string{"61 * * * *", "* * *", "CRON_TZ=Mars/Olympus 0 3 * * *", "@fortnightly"} {
		if d, err := Describe(expr); err == nil {
			t.Errorf("Describe(%q) = %+v; want an error", expr, d)
		}
	}
}

func TestNextN(t *testing.T) {
	s, err := ParseSchedule("30 2 * * 1-5")
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
			s, err := ParseSchedule(tt.expr)
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
