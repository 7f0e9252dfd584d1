package tray

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/godbus/dbus/v5"

	"borgdesk/backend/dbustest"
	"borgdesk/backend/events"
	"borgdesk/backend/service"
	"borgdesk/backend/store"
)

// fakeSource is a fleet in memory with a real event bus.
type fakeSource struct {
	bus *events.Bus

	mu         sync.Mutex
	health     service.FleetHealth
	healthErr  error
	jobs       []store.Job
	runs       []store.Run
	paused     bool
	ran        []string
	healthRead int
}

func newFakeSource() *fakeSource {
	return &fakeSource{
		bus: events.NewBus(),
		health: service.FleetHealth{State: service.HealthAmber, Amber: 1, Green: 2, Summary: "1 need attention, 2 healthy", Servers: []service.ServerHealth{
			{ID: 1, Name: "web1", State: "green"}, {ID: 2, Name: "db_2", State: "green"}, {ID: 3, Name: "web3", State: "amber"},
		}},
		jobs: []store.Job{
			{ID: 11, ServerID: 1, Name: "etc", Enabled: true}, {ID: 12, ServerID: 1, Name: "www", Enabled: true},
			{ID: 21, ServerID: 2, Name: "pg", Enabled: true}, {ID: 22, ServerID: 2, Name: "old", Enabled: false},
		},
		runs: []store.Run{
			{ID: 9, JobID: 11, JobName: "etc", ServerName: "web1", Status: store.RunSucceeded},
			{ID: 7, JobID: 21, JobName: "pg", ServerName: "db_2", Status: store.RunFailed, Error: "pg_dump: connection refused", StartedAt: time.Date(2026, 11, 25, 14, 2, 0, 0, time.Local)},
		},
	}
}

func (f *fakeSource) Health(context.Context) (service.FleetHealth, error) {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.healthRead++
	return f.health, f.healthErr
}
func (f *fakeSource) ListJobs(context.Context) ([]store.Job, error) {
	f.mu.Lock()
	defer f.mu.Unlock()
	return f.jobs, nil
}
func (f *fakeSource) ListRuns(context.Context, int) ([]store.Run, error) {
	f.mu.Lock()
	defer f.mu.Unlock()
	return f.runs, nil
}
func (f *fakeSource) RunJob(_ context.Context, ref, trigger string) (store.Run, error) {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.ran = append(f.ran, ref+":"+trigger)
	return store.Run{}, nil
}
func (f *fakeSource) SchedulesPaused(context.Context) bool {
	f.mu.Lock()
	defer f.mu.Unlock()
	return f.paused
}
func (f *fakeSource) PauseSchedules(_ context.Context, paused bool) error {
	f.mu.Lock()
	f.paused = paused
	f.mu.Unlock()
	f.bus.Publish(store.Event{ID: 1, Kind: events.SettingsChanged, Subject: "schedules.paused"})
	return nil
}
func (f *fakeSource) Subscribe(buf int) *events.Subscription { return f.bus.Subscribe(buf) }

func (f *fakeSource) set(fn func(f *fakeSource)) {
	f.mu.Lock()
	fn(f)
	f.mu.Unlock()
	f.bus.Publish(store.Event{ID: 2, Kind: events.ServerChanged})
}

// node is one dbusmenu entry as a tray host reads it.
type node struct {
	ID       int32
	Label    string
	Enabled  bool
	Visible  bool
	Sep      bool
	Children []node
}

func decodeNode(v any) node {
	f := v.([]any)
	props := f[1].(map[string]dbus.Variant)
	n := node{ID: f[0].(int32), Enabled: true, Visible: true}
	if l, ok := props["label"]; ok {
		n.Label = strings.ReplaceAll(l.Value().(string), "__", "_")
	}
	if e, ok := props["enabled"]; ok {
		n.Enabled = e.Value().(bool)
	}
	if e, ok := props["visible"]; ok {
		n.Visible = e.Value().(bool)
	}
	if t, ok := props["type"]; ok {
		n.Sep = t.Value().(string) == "separator"
	}
	for _, c := range f[2].([]dbus.Variant) {
		n.Children = append(n.Children, decodeNode(c.Value()))
	}
	return n
}

func (n node) labels() []string {
	var out []string
	for _, c := range n.Children {
		switch {
		case !c.Visible:
		case c.Sep:
			out = append(out, "---")
		default:
			out = append(out, c.Label)
		}
	}
	return out
}

func (n node) child(label string) (node, bool) {
	for _, c := range n.Children {
		if c.Label == label && c.Visible {
			return c, true
		}
	}
	return node{}, false
}

// host is the test's tray host: it reads the item the way a panel does.
type host struct {
	t    *testing.T
	conn *dbus.Conn
	item string
}

func (h host) layout() node {
	h.t.Helper()
	var rev uint32
	var raw []any
	// fyne.io/systray answers the first GetLayout one level deep; a host
	// asks again when told the layout changed.
	for range 2 {
		call := h.conn.Object(h.item, "/StatusNotifierItem/menu").Call("com.canonical.dbusmenu.GetLayout", 0, int32(0), int32(-1), []string{})
		if err := call.Store(&rev, &raw); err != nil {
			h.t.Fatalf("GetLayout: %v", err)
		}
	}
	return decodeNode(raw)
}

func (h host) click(id int32) {
	h.t.Helper()
	call := h.conn.Object(h.item, "/StatusNotifierItem/menu").Call("com.canonical.dbusmenu.Event", 0, id, "clicked", dbus.MakeVariant(""), uint32(0))
	if call.Err != nil {
		h.t.Fatalf("Event clicked: %v", call.Err)
	}
}

func (h host) prop(name string) dbus.Variant {
	h.t.Helper()
	v, err := h.conn.Object(h.item, "/StatusNotifierItem").GetProperty("org.kde.StatusNotifierItem." + name)
	if err != nil {
		h.t.Fatalf("property %s: %v", name, err)
	}
	return v
}

// iconColour is the ARGB of a pixel inside the icon's coloured ring.
func (h host) iconColour() [4]byte {
	h.t.Helper()
	var px []struct {
		W, H int32
		Pix  []byte
	}
	if err := h.prop("IconPixmap").Store(&px); err != nil || len(px) == 0 || px[0].W == 0 {
		h.t.Fatalf("IconPixmap = %v, %v", px, err)
	}
	i := (6*int(px[0].W) + 16) * 4
	return [4]byte(px[0].Pix[i : i+4])
}

func argb(state string) [4]byte {
	c := stateColours[state]
	return [4]byte{c.A, c.R, c.G, c.B}
}

func eventually(t *testing.T, what string, cond func() bool) {
	t.Helper()
	if !dbustest.Eventually(context.Background(), 5*time.Second, cond) {
		t.Fatalf("timed out waiting for %s", what)
	}
}

// TestTrayOnSessionBus runs the one tray a process may have (the library
// is global) against a fake tray host on a private bus.
func TestTrayOnSessionBus(t *testing.T) {
	d := dbustest.Require(t)
	t.Setenv("DBUS_SESSION_BUS_ADDRESS", d.Addr)
	w, err := dbustest.NewWatcher(d.Addr)
	if err != nil {
		t.Fatal(err)
	}
	defer w.Close()
	src := newFakeSource()
	opened := make(chan string, 8)
	quit := make(chan struct{}, 1)
	tr, err := Start(context.Background(), Options{Source: src, Coalesce: 20 * time.Millisecond,
		Open: func(r string) { opened <- r }, Quit: func() { quit <- struct{}{} }})
	if err != nil {
		t.Fatal(err)
	}
	defer tr.Stop()
	if _, err := Start(context.Background(), Options{Source: src}); !errors.Is(err, ErrRunning) {
		t.Errorf("a second Start = %v; want ErrRunning", err)
	}

	eventually(t, "the item to register", func() bool { return len(w.Items()) == 1 })
	if !tr.Available() {
		t.Error("Available = false with a tray host")
	}
	h := host{t: t, conn: w.Conn(), item: w.Items()[0].Sender}
	eventually(t, "the first menu", func() bool {
		m := h.layout()
		b, _ := m.child("Back up now")
		f, _ := m.child("Last failures")
		return m.Children[0].Label == "1 need attention, 2 healthy" && len(b.labels()) == 3 && fmt.Sprint(f.labels()) != "[No failed runs]"
	})

	t.Run("menu", func(t *testing.T) {
		m := h.layout()
		want := []string{"1 need attention, 2 healthy", "---", "Open Borgdesk", "Back up now", "Pause all schedules", "Last failures", "---", "Quit"}
		if got := m.labels(); fmt.Sprint(got) != fmt.Sprint(want) {
			t.Errorf("menu = %q; want %q", got, want)
		}
		if m.Children[0].Enabled {
			t.Error("the status line is clickable")
		}
		backup, _ := m.child("Back up now")
		if got, want := backup.labels(), []string{"db_2", "web1", "web3 (no backup job)"}; fmt.Sprint(got) != fmt.Sprint(want) {
			t.Errorf("Back up now = %q; want %q", got, want)
		}
		if web3, _ := backup.child("web3 (no backup job)"); web3.Enabled {
			t.Error("a server without jobs can be backed up")
		}
		var tip struct {
			Name  string
			Icons []struct {
				W, H int32
				Pix  []byte
			}
			Title, Text string
		}
		if err := h.prop("ToolTip").Store(&tip); err != nil || tip.Title != "1 need attention, 2 healthy" {
			t.Errorf("tooltip = %+v, %v; want the status line", tip, err)
		}
		if got := h.iconColour(); got != argb("amber") {
			t.Errorf("icon pixel = %v; want amber %v", got, argb("amber"))
		}
	})

	t.Run("back up now runs every enabled job of the server", func(t *testing.T) {
		backup, _ := h.layout().child("Back up now")
		web1, _ := backup.child("web1")
		h.click(web1.ID)
		eventually(t, "two runs", func() bool {
			src.mu.Lock()
			defer src.mu.Unlock()
			return len(src.ran) == 2
		})
		src.mu.Lock()
		got := strings.Join(src.ran, " ")
		src.mu.Unlock()
		if got != "11:manual 12:manual" {
			t.Errorf("RunJob calls = %s; want jobs 11 and 12", got)
		}
	})

	t.Run("the icon turns red with the fleet", func(t *testing.T) {
		sigs := make(chan *dbus.Signal, 16)
		w.Conn().Signal(sigs)
		defer w.Conn().RemoveSignal(sigs)
		if err := w.Conn().AddMatchSignal(dbus.WithMatchInterface("org.kde.StatusNotifierItem"), dbus.WithMatchMember("NewIcon")); err != nil {
			t.Fatal(err)
		}
		src.set(func(f *fakeSource) {
			f.health.State, f.health.Red, f.health.Summary = service.HealthRed, 1, "1 at risk, 2 healthy"
		})
		select {
		case <-sigs:
		case <-time.After(5 * time.Second):
			t.Fatal("no NewIcon signal")
		}
		if got := h.iconColour(); got != argb("red") {
			t.Errorf("icon pixel = %v; want red %v", got, argb("red"))
		}
		eventually(t, "the red status line", func() bool { return h.layout().Children[0].Label == "1 at risk, 2 healthy" })
	})

	t.Run("pause toggles the setting", func(t *testing.T) {
		pause, _ := h.layout().child("Pause all schedules")
		h.click(pause.ID)
		eventually(t, "Resume schedules", func() bool {
			_, ok := h.layout().child("Resume schedules")
			return ok
		})
		if !src.SchedulesPaused(context.Background()) {
			t.Error("schedules not paused")
		}
		if got := h.layout().Children[0].Label; !strings.HasSuffix(got, "schedules paused") {
			t.Errorf("status line = %q; want it to say schedules are paused", got)
		}
		h.click(pause.ID)
		eventually(t, "Pause all schedules", func() bool {
			_, ok := h.layout().child("Pause all schedules")
			return ok
		})
		if src.SchedulesPaused(context.Background()) {
			t.Error("schedules still paused")
		}
	})

	t.Run("a failure opens its log", func(t *testing.T) {
		fails, _ := h.layout().child("Last failures")
		if len(fails.labels()) != 1 || !strings.HasPrefix(fails.labels()[0], "db_2/pg, Nov 25 14:02: pg_dump: connection refused") {
			t.Fatalf("Last failures = %q", fails.labels())
		}
		h.click(fails.Children[0].ID)
		if r := <-opened; r != "/jobs/21?run=7" {
			t.Errorf("Open(%q); want the run's log", r)
		}
		open, _ := h.layout().child("Open Borgdesk")
		h.click(open.ID)
		if r := <-opened; r != "" {
			t.Errorf("Open Borgdesk opened %q; want the window as it was", r)
		}
	})

	t.Run("servers come and go", func(t *testing.T) {
		src.set(func(f *fakeSource) {
			f.health.Servers = append(f.health.Servers, service.ServerHealth{ID: 4, Name: "zz4"})
			f.jobs = append(f.jobs, store.Job{ID: 41, ServerID: 4, Enabled: true})
		})
		eventually(t, "four servers", func() bool { b, _ := h.layout().child("Back up now"); return len(b.labels()) == 4 })
		src.set(func(f *fakeSource) { f.health.Servers = nil })
		eventually(t, "no servers", func() bool {
			b, _ := h.layout().child("Back up now")
			return fmt.Sprint(b.labels()) == "[No servers yet]"
		})
		if got := h.iconColour(); got != argb("") {
			t.Errorf("icon with no servers = %v; want grey", got)
		}
	})

	t.Run("a burst of events costs a few rebuilds", func(t *testing.T) {
		src.mu.Lock()
		before := src.healthRead
		src.mu.Unlock()
		for i := range 200 {
			src.bus.Publish(store.Event{ID: int64(100 + i), Kind: events.RunProgress})
			src.bus.Publish(store.Event{Kind: events.RunProgress}) // live progress: ignored
		}
		time.Sleep(200 * time.Millisecond)
		src.mu.Lock()
		reads := src.healthRead - before
		src.mu.Unlock()
		if reads < 1 || reads > 3 {
			t.Errorf("%d rebuilds for 200 events; want 1 to 3", reads)
		}
	})

	t.Run("quit", func(t *testing.T) {
		q, _ := h.layout().child("Quit")
		h.click(q.ID)
		select {
		case <-quit:
		case <-time.After(5 * time.Second):
			t.Fatal("Quit not called")
		}
	})
}

func TestStatusLineNamesTheWorstJob(t *testing.T) {
	src := newFakeSource()
	src.health.Servers[2].Reasons = []string{"job db: last run failed: path not found", "agent offline"}
	if got, want := read(context.Background(), src).statusLine(), "1 need attention, 2 healthy · web3: job db: last run failed: path not found"; got != want {
		t.Errorf("status line = %q; want %q", got, want)
	}
	src.health = service.FleetHealth{State: service.HealthGreen, Green: 1, Summary: "1 healthy", Servers: []service.ServerHealth{{ID: 1, Name: "web1", State: "green"}}}
	if got := read(context.Background(), src).statusLine(); got != "1 healthy" {
		t.Errorf("green status line = %q; want the summary alone", got)
	}
}
