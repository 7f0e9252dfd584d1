package jobs

import (
	"fmt"
	"math/bits"
	"strings"
	"time"

	"github.com/robfig/cron/v3"
)

// Description kinds: the shapes of schedule the window can say in words.
// Anything else is KindCron, shown as its expression with its next runs.
const (
	KindManual       = "manual"        // no schedule: runs by hand only
	KindEveryMinutes = "every_minutes" // Every minutes, from the top of the hour
	KindHourly       = "hourly"        // once an hour at Minute
	KindEveryHours   = "every_hours"   // every Every hours at Minute
	KindDaily        = "daily"         // every day at At
	KindWeekdays     = "weekdays"      // Monday to Friday at At
	KindWeekly       = "weekly"        // on Days at At
	KindMonthly      = "monthly"       // on day Day of each month at At
	KindCron         = "cron"          // none of the above
)

// Description says what a schedule does as data, not words: the window
// renders it in the operator's language. Days are cron's numbers (0 is
// Sunday); At is "HH:MM" in the schedule's zone.
type Description struct {
	Kind   string `json:"kind"`
	Every  int    `json:"every,omitempty"`
	Minute int    `json:"minute,omitempty"`
	At     string `json:"at,omitempty"`
	Days   []int  `json:"days,omitempty"`
	Day    int    `json:"day,omitempty"`
	// Zone is the CRON_TZ= zone, "" for the coordinator's own.
	Zone string `json:"zone,omitempty"`
	// Expr is the expression without its zone prefix.
	Expr string `json:"expr"`
}

// Describe reads a schedule into a Description; "" is KindManual.
func Describe(expr string) (Description, error) {
	expr = strings.TrimSpace(expr)
	if expr == "" {
		return Description{Kind: KindManual}, nil
	}
	s, err := ParseSchedule(expr)
	if err != nil {
		return Description{}, err
	}
	zone, body := splitZone(expr)
	d := Description{Kind: KindCron, Zone: zone, Expr: body}
	switch c := s.Cron().(type) {
	case cron.ConstantDelaySchedule:
		describeDelay(&d, c.Delay)
	case *cron.SpecSchedule:
		describeSpec(&d, c)
	}
	return d, nil
}

func splitZone(expr string) (zone, body string) {
	for _, p := range []string{"CRON_TZ=", "TZ="} {
		if rest, ok := strings.CutPrefix(expr, p); ok {
			zone, body, _ = strings.Cut(rest, " ")
			return zone, strings.TrimSpace(body)
		}
	}
	return "", expr
}

func describeDelay(d *Description, delay time.Duration) {
	switch {
	case delay%time.Hour == 0:
		d.Kind, d.Every = KindEveryHours, int(delay/time.Hour)
	case delay%time.Minute == 0:
		d.Kind, d.Every = KindEveryMinutes, int(delay/time.Minute)
	}
}

// starBit is robfig/cron's mark of a field written as "*" or "?".
const starBit = 1 << 63

// set lists the values of a cron field's bit mask, lowest first.
func set(mask uint64) []int {
	mask &^= starBit
	var out []int
	for mask != 0 {
		i := bits.TrailingZeros64(mask)
		out = append(out, i)
		mask &^= 1 << i
	}
	return out
}

// step reports n when vals are 0, n, 2n, … covering [0, limit) evenly.
func step(vals []int, limit int) (int, bool) {
	if len(vals) < 2 || vals[0] != 0 {
		return 0, false
	}
	n := vals[1]
	if limit%n != 0 || len(vals) != limit/n {
		return 0, false
	}
	for i, v := range vals {
		if v != i*n {
			return 0, false
		}
	}
	return n, true
}

func describeSpec(d *Description, c *cron.SpecSchedule) {
	mins, hours, dom, dow := set(c.Minute), set(c.Hour), set(c.Dom), set(c.Dow)
	if len(set(c.Month)) != 12 || len(set(c.Second)) != 1 {
		return
	}
	anyDom, anyDow := len(dom) == 31, len(dow) == 7
	everyDay := anyDom && anyDow
	switch {
	case everyDay && len(hours) == 24 && len(mins) == 60:
		d.Kind, d.Every = KindEveryMinutes, 1
	case everyDay && len(hours) == 24 && len(mins) == 1:
		d.Kind, d.Minute = KindHourly, mins[0]
	case everyDay && len(hours) == 24:
		if n, ok := step(mins, 60); ok {
			d.Kind, d.Every = KindEveryMinutes, n
		}
	case len(mins) != 1:
	case len(hours) > 1:
		if n, ok := step(hours, 24); ok && everyDay {
			d.Kind, d.Every, d.Minute = KindEveryHours, n, mins[0]
		}
	case everyDay:
		d.Kind, d.At = KindDaily, clock(hours[0], mins[0])
	case anyDom && c.Dom&starBit != 0:
		d.At = clock(hours[0], mins[0])
		if fmt.Sprint(dow) == "[1 2 3 4 5]" {
			d.Kind = KindWeekdays
		} else {
			d.Kind, d.Days = KindWeekly, dow
		}
	case anyDow && c.Dow&starBit != 0 && len(dom) == 1:
		d.Kind, d.Day, d.At = KindMonthly, dom[0], clock(hours[0], mins[0])
	}
}

func clock(h, m int) string { return fmt.Sprintf("%02d:%02d", h, m) }
