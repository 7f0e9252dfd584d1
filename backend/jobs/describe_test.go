package jobs

import (
	"testing"

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
