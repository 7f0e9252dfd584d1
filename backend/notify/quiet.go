package notify

import (
	"fmt"
	"strings"
	"time"
)

// QuietHours is a daily span of wall-clock time ("22:00-07:00") during which
// alerts are held; the zero value is never quiet.
type QuietHours struct {
	from, to int // minutes after midnight; from == to means none
}

// ParseQuietHours reads "HH:MM-HH:MM" (a span that may cross midnight);
// an empty string means no quiet hours.
func ParseQuietHours(spec string) (QuietHours, error) {
	spec = strings.TrimSpace(spec)
	if spec == "" {
		return QuietHours{}, nil
	}
	a, b, ok := strings.Cut(spec, "-")
	if !ok {
		return QuietHours{}, fmt.Errorf("quiet hours %q: want a span such as 22:00-07:00", spec)
	}
	from, err := clock(a)
	if err != nil {
		return QuietHours{}, fmt.Errorf("quiet hours %q: %w", spec, err)
	}
	to, err := clock(b)
	if err != nil {
		return QuietHours{}, fmt.Errorf("quiet hours %q: %w", spec, err)
	}
	if from == to {
		return QuietHours{}, fmt.Errorf("quiet hours %q: the span starts where it ends", spec)
	}
	return QuietHours{from: from, to: to}, nil
}

func clock(s string) (int, error) {
	t, err := time.Parse("15:04", strings.TrimSpace(s))
	if err != nil {
		return 0, fmt.Errorf("%q is not a time of day such as 07:30", strings.TrimSpace(s))
	}
	return t.Hour()*60 + t.Minute(), nil
}

// Contains reports whether t (in its own location) falls in the span; the
// start is inside, the end is not.
func (q QuietHours) Contains(t time.Time) bool {
	if q.from == q.to {
		return false
	}
	m := t.Hour()*60 + t.Minute()
	if q.from < q.to {
		return m >= q.from && m < q.to
	}
	return m >= q.from || m < q.to
}

// String gives the span back as "HH:MM-HH:MM", or "" for none.
func (q QuietHours) String() string {
	if q.from == q.to {
		return ""
	}
	return fmt.Sprintf("%02d:%02d-%02d:%02d", q.from/60, q.from%60, q.to/60, q.to%60)
}
