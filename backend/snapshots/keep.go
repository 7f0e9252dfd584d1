package snapshots

import (
	"fmt"
	"sort"
	"strconv"
	"time"

	"borgdesk/backend/shared/borg"
)

// KeepPolicy decides which of a job's snapshots to keep, with borg prune's
// semantics (the model operators already know): everything within Within;
// then, rule by rule (daily, weekly by ISO week, monthly, yearly), going
// from the newest, the newest snapshot of each period not already kept by
// an earlier rule, until the rule's count is reached; a rule that runs out
// of periods keeps the oldest snapshot instead. Periods are read in the
// times' own location. An empty policy keeps everything: a job with no
// retention never loses a snapshot. It returns, for each of times (in any
// order; of equal times, the later in times counts as the newer), whether
// to keep it.
func KeepPolicy(times []time.Time, k borg.Keep, now time.Time) ([]bool, error) {
	keep := make([]bool, len(times))
	if k.Empty() {
		for i := range keep {
			keep[i] = true
		}
		return keep, nil
	}
	order := make([]int, len(times))
	for i := range order {
		order[i] = i
	}
	sort.SliceStable(order, func(a, b int) bool {
		ta, tb := times[order[a]], times[order[b]]
		if ta.Equal(tb) {
			return order[a] > order[b] // equal times: the later in times is the newer
		}
		return ta.After(tb)
	})
	if k.Within != "" {
		d, err := withinDuration(k.Within)
		if err != nil {
			return nil, err
		}
		for _, i := range order {
			if now.Sub(times[i]) <= d {
				keep[i] = true
			}
		}
	}
	rules := []struct {
		n      int
		period func(time.Time) string
	}{
		{k.Daily, func(t time.Time) string { return t.Format("2006-01-02") }},
		{k.Weekly, func(t time.Time) string { y, w := t.ISOWeek(); return fmt.Sprintf("%d-W%02d", y, w) }},
		{k.Monthly, func(t time.Time) string { return t.Format("2006-01") }},
		{k.Yearly, func(t time.Time) string { return t.Format("2006") }},
	}
	for _, r := range rules {
		if r.n <= 0 || len(order) == 0 {
			continue
		}
		kept, last := 0, ""
		for _, i := range order {
			p := r.period(times[i])
			if p == last {
				continue
			}
			last = p
			if !keep[i] {
				keep[i] = true
				kept++
				if kept == r.n {
					break
				}
			}
		}
		if oldest := order[len(order)-1]; kept < r.n && !keep[oldest] {
			keep[oldest] = true // borg: the oldest stands in for the periods not reached
		}
	}
	return keep, nil
}

// withinDuration reads borg's --keep-within: a number and H (hours),
// d (days), w (weeks), m (31 days) or y (365 days).
func withinDuration(s string) (time.Duration, error) {
	units := map[byte]time.Duration{'H': time.Hour, 'd': 24 * time.Hour, 'w': 7 * 24 * time.Hour, 'm': 31 * 24 * time.Hour, 'y': 365 * 24 * time.Hour, 'Y': 365 * 24 * time.Hour}
	if len(s) < 2 {
		return 0, fmt.Errorf("keep within %q: a number and H, d, w, m or y, such as 7d", s)
	}
	n, err := strconv.Atoi(s[:len(s)-1])
	u, ok := units[s[len(s)-1]]
	if err != nil || !ok || n <= 0 {
		return 0, fmt.Errorf("keep within %q: a number and H, d, w, m or y, such as 7d", s)
	}
	return time.Duration(n) * u, nil
}
