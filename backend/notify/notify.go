// Package notify shows the coordinator's alerts as desktop notifications
// over org.freedesktop.Notifications: repeats collapse into one
// notification with a count, quiet hours hold alerts and summarise them,
// a storm folds into one "N more alerts", and a click opens the page the
// alert names.
//
// It must never block or fail its caller: without a session bus or a
// notification server it says so once in the log and drops what it cannot
// show. Windows and macOS have no session bus: there it is a notifier that
// logs once and shows nothing. Which events become alerts is decided elsewhere (backend/alerts).
package notify

import (
	"errors"
	"log/slog"
	"sync"
	"sync/atomic"
	"time"
)

// Alert kinds.
const (
	KindRunFailed     = "run_failed"
	KindRPOMissed     = "rpo_missed"
	KindAgentOffline  = "agent_offline"
	KindCertExpiring  = "cert_expiring"
	KindDrillFailed   = "drill_failed"
	KindFlxInbox      = "flx_inbox"
	KindReplicaFailed = "replica_failed"
)

// Alert is one thing to tell the operator.
type Alert struct {
	Kind string
	// Key collapses repeats: alerts with the same key within the collapse
	// window share one notification, e.g. "run_failed:job:12".
	Key   string
	Title string
	Body  string
	// Route is the window's page a click opens, e.g. "/jobs/12?run=42".
	Route string
}

// Options configure a Notifier; zero values take the defaults.
type Options struct {
	// AppName is the sender's name the desktop shows ("Borgdesk").
	AppName string
	// Icon is an icon name or file path for app_icon ("" none).
	Icon string
	// DesktopEntry names the .desktop file, sent as the desktop-entry hint.
	DesktopEntry string
	// Address is the bus address; "" is the session bus named by the
	// environment (never auto-launched).
	Address string
	// Open is called with an alert's route when its notification is clicked.
	Open func(route string)
	// QuietHours such as "22:00-07:00"; "" none.
	QuietHours string
	// CollapseWindow: repeats of a key within it update one notification
	// (default 1 h).
	CollapseWindow time.Duration
	// StormLimit: more alerts than this within a minute fold into one
	// "N more alerts" notification (default 10; negative: never).
	StormLimit int
	// QueueSize bounds the alerts waiting to be shown (default 256); Send
	// never waits, what overflows is counted into the storm.
	QueueSize int
	// Tick is how often held alerts and a storm's count are looked at
	// (default 1 s).
	Tick time.Duration
	// Now is the clock (default time.Now).
	Now    func() time.Time
	Logger *slog.Logger
}

// Notifier shows alerts. Its methods are safe for concurrent use.
type Notifier struct {
	opts    Options
	queue   chan queued
	dropped atomic.Int64
	quiet   chan QuietHours
	done    chan struct{}
	wg      sync.WaitGroup
	closer  sync.Once
	bus     *bus
}

type queued struct {
	alert Alert
	now   bool
}

// New checks opts and starts the notifier; Close stops it. It does not
// touch the bus yet: the first alert does.
func New(opts Options) (*Notifier, error) {
	q, err := ParseQuietHours(opts.QuietHours)
	if err != nil {
		return nil, err
	}
	if opts.AppName == "" {
		opts.AppName = "Borgdesk"
	}
	if opts.CollapseWindow <= 0 {
		opts.CollapseWindow = time.Hour
	}
	if opts.StormLimit == 0 {
		opts.StormLimit = 10
	}
	if opts.QueueSize <= 0 {
		opts.QueueSize = 256
	}
	if opts.Tick <= 0 {
		opts.Tick = time.Second
	}
	if opts.Now == nil {
		opts.Now = time.Now
	}
	if opts.Logger == nil {
		opts.Logger = slog.New(slog.DiscardHandler)
	}
	if opts.Open == nil {
		opts.Open = func(string) {}
	}
	n := &Notifier{
		opts:  opts,
		queue: make(chan queued, opts.QueueSize),
		quiet: make(chan QuietHours, 1),
		done:  make(chan struct{}),
		bus:   newBus(opts),
	}
	pol := newPolicy(opts.CollapseWindow, opts.StormLimit, opts.Tick, q)
	n.wg.Add(1)
	go n.run(pol)
	return n, nil
}

// Send queues an alert and returns at once.
func (n *Notifier) Send(a Alert) { n.enqueue(queued{alert: a}) }

// Tell shows a message that answers something the operator just did (the
// window went to the tray, say): never held by quiet hours nor folded into
// a storm. It returns at once.
func (n *Notifier) Tell(a Alert) { n.enqueue(queued{alert: a, now: true}) }

func (n *Notifier) enqueue(q queued) {
	select {
	case <-n.done:
	case n.queue <- q:
	default:
		n.dropped.Add(1)
	}
}

// SetQuietHours changes the quiet hours ("" none), e.g. when the setting
// changes.
func (n *Notifier) SetQuietHours(spec string) error {
	q, err := ParseQuietHours(spec)
	if err != nil {
		return err
	}
	for {
		select {
		case n.quiet <- q:
			return nil
		case <-n.quiet: // a change not yet taken: the newest wins
		}
	}
}

// Close stops the notifier and leaves the bus. Alerts still queued are
// dropped.
func (n *Notifier) Close() error {
	n.closer.Do(func() {
		close(n.done)
		n.wg.Wait()
		n.bus.close()
	})
	return nil
}

// ErrNoServer says no notification server answered.
var ErrNoServer = errors.New("no desktop notification server on the session bus")

func (n *Notifier) run(pol *policy) {
	defer n.wg.Done()
	tick := time.NewTicker(n.opts.Tick)
	defer tick.Stop()
	for {
		var msgs []message
		select {
		case <-n.done:
			return
		case q := <-n.quiet:
			pol.quiet = q
			msgs = pol.tick(n.opts.Now(), int(n.dropped.Swap(0)))
		case q := <-n.queue:
			if q.now {
				msgs = pol.tell(q.alert)
			} else {
				msgs = pol.alert(q.alert, n.opts.Now())
			}
		case <-tick.C:
			msgs = pol.tick(n.opts.Now(), int(n.dropped.Swap(0)))
		}
		for _, m := range msgs {
			n.bus.show(m)
		}
	}
}
