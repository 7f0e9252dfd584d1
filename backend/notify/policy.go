package notify

import (
	"fmt"
	"strings"
	"time"
)

// message is one notification the policy wants on screen. slot names the
// notification it updates in place (a collapse key, the storm, the quiet
// hours summary); fresh asks for a new one instead of replacing the slot's.
type message struct {
	slot    string
	fresh   bool
	summary string
	body    string
	route   string
}

const (
	stormSlot = "\x00storm"
	quietSlot = "\x00quiet"
	// heldTitles bounds what quiet hours keep of each alert: a night-long
	// storm costs a count, not memory.
	heldTitles = 100
	// summaryLines is how many alerts a summary names before "… and N more".
	summaryLines = 5
)

// group is the alerts of one collapse key that share a notification.
type group struct {
	count       int
	first, last time.Time
}

// heldAlert is the alerts of one key held during quiet hours.
type heldAlert struct {
	alert Alert
	count int
}

// policy decides what reaches the screen: it collapses repeats, holds
// alerts during quiet hours and folds a storm into one notification. It
// knows nothing of D-Bus and reads no clock, so it is tested alone.
type policy struct {
	window     time.Duration // repeats of a key within it share a notification
	limit      int           // alerts per minute before a storm
	stormEvery time.Duration // a storm's notification is updated at most this often
	quiet      QuietHours

	groups     map[string]*group
	held       []heldAlert
	heldTotal  int
	recent     []time.Time // alerts in the last minute
	storm      int         // alerts folded into the storm notification
	stormNew   []string    // their newest titles
	stormDirty bool
	stormSent  time.Time
	stormFresh bool
}

func newPolicy(window time.Duration, limit int, stormEvery time.Duration, quiet QuietHours) *policy {
	return &policy{window: window, limit: limit, stormEvery: stormEvery, quiet: quiet, groups: map[string]*group{}}
}

// alert takes one alert that arrived at now.
func (p *policy) alert(a Alert, now time.Time) []message {
	if p.quiet.Contains(now) {
		p.hold(a)
		return nil
	}
	out := p.endQuiet()
	g := p.groups[a.Key]
	fresh := g == nil || now.Sub(g.last) > p.window
	if fresh {
		g = &group{first: now}
		p.groups[a.Key] = g
	}
	g.count++
	g.last = now
	if p.stormy(now) {
		p.fold(a.Title, 1)
		return append(out, p.flushStorm(now)...)
	}
	return append(out, message{slot: a.Key, fresh: fresh, summary: a.Title, body: repeatBody(a, g), route: a.Route})
}

// tell shows a at once: an answer to what the operator just did is never
// held or folded.
func (p *policy) tell(a Alert) []message {
	return []message{{slot: a.Key, fresh: true, summary: a.Title, body: a.Body, route: a.Route}}
}

// tick runs every so often: quiet hours that ended are summarised, a
// storm's notification catches up, alerts dropped by a full queue are
// counted into the storm, and old collapse groups are forgotten.
func (p *policy) tick(now time.Time, dropped int) []message {
	if dropped > 0 {
		p.fold(fmt.Sprintf("%d alerts arrived faster than they could be shown", dropped), dropped)
	}
	var out []message
	if !p.quiet.Contains(now) {
		out = p.endQuiet()
	}
	for k, g := range p.groups {
		if now.Sub(g.last) > p.window {
			delete(p.groups, k)
		}
	}
	return append(out, p.flushStorm(now)...)
}

func (p *policy) hold(a Alert) {
	p.heldTotal++
	for i := range p.held {
		if p.held[i].alert.Key == a.Key {
			p.held[i].count++
			p.held[i].alert = a
			return
		}
	}
	if len(p.held) < heldTitles {
		p.held = append(p.held, heldAlert{alert: a, count: 1})
	}
}

// endQuiet turns the alerts held during quiet hours into one summary.
func (p *policy) endQuiet() []message {
	if p.heldTotal == 0 {
		return nil
	}
	m := message{slot: quietSlot, fresh: true, route: "/"}
	if p.heldTotal == 1 {
		m.summary = "1 alert during quiet hours"
	} else {
		m.summary = fmt.Sprintf("%d alerts during quiet hours", p.heldTotal)
	}
	var lines []string
	route := p.held[0].alert.Route
	named := 0
	for _, h := range p.held {
		if h.alert.Route != route {
			route = "/"
		}
		if len(lines) == summaryLines {
			continue
		}
		line := h.alert.Title
		if h.count > 1 {
			line += fmt.Sprintf(" (%d times)", h.count)
		}
		lines = append(lines, line)
		named += h.count
	}
	if rest := p.heldTotal - named; rest > 0 {
		lines = append(lines, fmt.Sprintf("… and %d more", rest))
	}
	m.body = strings.Join(lines, "\n")
	if route != "" {
		m.route = route
	}
	p.held, p.heldTotal = nil, 0
	return []message{m}
}

// stormy counts an alert at now and reports whether more than limit
// arrived within the last minute.
func (p *policy) stormy(now time.Time) bool {
	cut := 0
	for cut < len(p.recent) && now.Sub(p.recent[cut]) >= time.Minute {
		cut++
	}
	p.recent = append(p.recent[cut:], now)
	return p.limit > 0 && len(p.recent) > p.limit
}

func (p *policy) fold(title string, n int) {
	if p.storm == 0 {
		p.stormFresh = true
	}
	p.storm += n
	p.stormNew = append([]string{title}, p.stormNew...)
	if len(p.stormNew) > 3 {
		p.stormNew = p.stormNew[:3]
	}
	p.stormDirty = true
}

// flushStorm shows the storm's notification when it changed and was not
// updated within stormEvery; a storm ends a minute after its last alert.
func (p *policy) flushStorm(now time.Time) []message {
	if !p.stormDirty {
		if p.storm > 0 && now.Sub(p.stormSent) >= time.Minute && (len(p.recent) == 0 || now.Sub(p.recent[len(p.recent)-1]) >= time.Minute) {
			p.storm, p.stormNew = 0, nil
		}
		return nil
	}
	if !p.stormFresh && now.Sub(p.stormSent) < p.stormEvery {
		return nil
	}
	m := message{slot: stormSlot, fresh: p.stormFresh, route: "/"}
	if p.storm == 1 {
		m.summary = "1 more alert"
	} else {
		m.summary = fmt.Sprintf("%d more alerts", p.storm)
	}
	m.body = "Too many alerts at once. Newest: " + strings.Join(p.stormNew, "; ")
	p.stormDirty, p.stormFresh, p.stormSent = false, false, now
	return []message{m}
}

// repeatBody is an alert's body, with how often it came when it repeated.
func repeatBody(a Alert, g *group) string {
	if g.count < 2 {
		return a.Body
	}
	verb := "Reported"
	if a.Kind == KindRunFailed || a.Kind == KindDrillFailed || a.Kind == KindReplicaFailed {
		verb = "Failed"
	}
	since := g.first.Format("15:04")
	if g.last.YearDay() != g.first.YearDay() {
		since = g.first.Format("Jan 2 15:04")
	}
	line := fmt.Sprintf("%s %d times since %s.", verb, g.count, since)
	if a.Body == "" {
		return line
	}
	return a.Body + "\n" + line
}
