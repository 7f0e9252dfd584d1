package tray

import (
	"sync"

	"fyne.io/systray"
)

// menu is the tray menu. Only the tray's update goroutine changes it;
// clicks arrive on one goroutine per item.
type menu struct {
	t                                  *Tray
	status, backup, pause, fails, open *systray.MenuItem
	backups, failed                    []*slot
	state, tip, pauseTitle             string
}

// slot is one entry of a submenu whose action follows what it shows.
type slot struct {
	item     *systray.MenuItem
	title    string
	disabled bool
	mu       sync.Mutex
	act      func()
}

func newMenu(t *Tray) *menu {
	m := &menu{t: t, state: "\x00"}
	m.status = systray.AddMenuItem("Borgdesk", "The fleet's state")
	m.status.Disable()
	systray.AddSeparator()
	m.open = systray.AddMenuItem("Open Borgdesk", "Show the window")
	m.backup = systray.AddMenuItem("Back up now", "Run every backup job of a server now")
	m.pause = systray.AddMenuItem("Pause all schedules", "Stop or restart scheduled backups")
	m.pauseTitle = "Pause all schedules"
	m.fails = systray.AddMenuItem("Last failures", "The newest failed runs; click one to read its log")
	systray.AddSeparator()
	quit := systray.AddMenuItem("Quit", "Stop Borgdesk: no backups are scheduled until it starts again")
	m.onClick(m.open, func() { t.opts.Open("") })
	m.onClick(m.pause, t.togglePause)
	m.onClick(quit, t.opts.Quit)
	m.apply(view{status: "Reading the fleet…"})
	return m
}

// onClick runs fn for each click on item until it is removed or the tray stops.
func (m *menu) onClick(item *systray.MenuItem, fn func()) {
	m.t.wg.Add(1)
	go func() {
		defer m.t.wg.Done()
		for {
			select {
			case <-m.t.ctx.Done():
				return
			case _, ok := <-item.ClickedCh:
				if !ok {
					return
				}
				fn()
			}
		}
	}()
}

// apply shows v, touching only what changed: every change is a D-Bus signal.
func (m *menu) apply(v view) {
	line := v.statusLine()
	if line != m.tip {
		m.tip = line
		m.status.SetTitle(label(line))
		systray.SetTooltip(line)
	}
	if v.state != m.state {
		m.state = v.state
		systray.SetIcon(iconFor(v.state))
	}
	pause := "Pause all schedules"
	if v.paused {
		pause = "Resume schedules"
	}
	if pause != m.pauseTitle {
		m.pauseTitle = pause
		m.pause.SetTitle(pause)
	}
	m.applyBackups(v.servers)
	m.applyFailures(v.fails)
}

type entry struct {
	title    string
	disabled bool
	act      func()
}

func (m *menu) applyBackups(servers []serverEntry) {
	entries := make([]entry, 0, len(servers))
	for _, s := range servers {
		jobs := s.jobs
		entries = append(entries, entry{title: s.label, disabled: len(jobs) == 0, act: func() { m.t.backUp(s.label, jobs) }})
	}
	if len(entries) == 0 {
		entries = append(entries, entry{title: "No servers yet", disabled: true})
	}
	m.backups = m.fill(m.backup, m.backups, entries)
}

func (m *menu) applyFailures(fails []failure) {
	entries := make([]entry, 0, len(fails))
	for _, f := range fails {
		entries = append(entries, entry{title: f.label, act: func() { m.t.opts.Open(f.route) }})
	}
	if len(entries) == 0 {
		entries = append(entries, entry{title: "No failed runs", disabled: true})
	}
	m.failed = m.fill(m.fails, m.failed, entries)
}

// fill makes parent's submenu show entries: slots are reused in order,
// added at the end, and removed from the end.
func (m *menu) fill(parent *systray.MenuItem, slots []*slot, entries []entry) []*slot {
	for len(slots) > len(entries) {
		last := slots[len(slots)-1]
		last.item.Remove()
		slots = slots[:len(slots)-1]
	}
	for i, e := range entries {
		if i == len(slots) {
			s := &slot{item: parent.AddSubMenuItem(label(e.title), ""), title: e.title}
			m.onClick(s.item, func() {
				s.mu.Lock()
				act := s.act
				s.mu.Unlock()
				if act != nil {
					act()
				}
			})
			slots = append(slots, s)
		}
		s := slots[i]
		if s.title != e.title {
			s.title = e.title
			s.item.SetTitle(label(e.title))
		}
		if s.disabled != e.disabled {
			s.disabled = e.disabled
			if e.disabled {
				s.item.Disable()
			} else {
				s.item.Enable()
			}
		}
		s.mu.Lock()
		s.act = e.act
		if e.disabled {
			s.act = nil
		}
		s.mu.Unlock()
	}
	return slots
}
