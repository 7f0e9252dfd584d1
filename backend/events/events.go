// Package events fans the coordinator's events out to live subscribers: the
// desktop window, admin-socket streams, later the tray and notifiers; and
// reads the whole log back as a history (History: filters, search, keyset
// pages, CSV and JSON export), with each event's severity from one table
// (Severity).
//
// Log.Publish persists an event before it announces it. A slow subscriber
// never blocks a publisher: when its buffer is full its subscription is ended
// (Lagged reports it), so it can re-read state and subscribe again instead of
// silently missing events. History never writes an event; it only gives the
// events written before severities existed theirs.
package events

import (
	"sync"

	"borgdesk/backend/store"
)

// Event names. The frontend mirrors these in frontend/src/events.js.
const (
	ServerChanged   = "server:changed"
	JobChanged      = "job:changed"
	RunProgress     = "run:progress"
	Notification    = "notification"
	SettingsChanged = "settings:changed"
	TaskChanged     = "task:changed"
	// AgentHeartbeat is live only: heartbeats update the agent's row in the
	// store but are not written to the event log.
	AgentHeartbeat = "agent:heartbeat"
	// RolloutProgress is live only: one host's step in an SSH rollout,
	// data {rollout_id, host: HostState}. Outcomes are logged as
	// server:changed and notification events.
	RolloutProgress = "rollout:progress"
	// FlxOpened: a .flx/.flxx snapshot was opened (dropped on the window,
	// opened from the file manager, or found in the inbox); subject is its
	// id, data {id, path}. The window shows the restore view.
	FlxOpened = "flx:opened"
	// FlxInbox is live only: a snapshot landed in the watched inbox folder;
	// data {path}. The window offers to open it.
	FlxInbox = "flx:inbox"
	// FlxStored: a .flx job's run stored its snapshot on the coordinator
	// and the job's retention ran; subject is the server's uuid, data
	// {job_id, job, run_id, name, kept, removed}.
	FlxStored = "flx:stored"
)

// All lists every event name, for clients that forward all of them.
// MountChanged: a FUSE mount of an archive or a snapshot came or went.
const MountChanged = "mount:changed"

// DrillChanged: a restore drill started or finished.
const DrillChanged = "drill:changed"

// ReplicaChanged: a repository's replication was set, removed, started or
// finished; subject is the server's uuid, data {server_id, running, state}.
const ReplicaChanged = "replica:changed"

// RecoveryExported: a recovery kit was written; data {path, size,
// created_at}. The reminder to make one goes away.
const RecoveryExported = "recovery:exported"

// Audit: an operator's mutating call or a refused one; subject is the
// operator's name, data {operator, role, action, target, status} with
// status "ok", "failed" or "refused".
const Audit = "audit"

var All = []string{ServerChanged, JobChanged, RunProgress, Notification, SettingsChanged, TaskChanged, AgentHeartbeat, RolloutProgress, FlxOpened, FlxInbox, FlxStored, MountChanged, DrillChanged, RecoveryExported, ReplicaChanged, Audit}

// Bus delivers events to subscribers.
type Bus struct {
	mu   sync.Mutex
	subs map[*Subscription]struct{}
}

// NewBus returns an empty bus.
func NewBus() *Bus { return &Bus{subs: map[*Subscription]struct{}{}} }

// Subscription is one subscriber's view of the bus.
type Subscription struct {
	C      <-chan store.Event
	c      chan store.Event
	bus    *Bus
	lagged bool
	closed bool
}

// Subscribe returns a subscription whose channel buffers up to buf events.
func (b *Bus) Subscribe(buf int) *Subscription {
	if buf < 1 {
		buf = 1
	}
	c := make(chan store.Event, buf)
	s := &Subscription{C: c, c: c, bus: b}
	b.mu.Lock()
	b.subs[s] = struct{}{}
	b.mu.Unlock()
	return s
}

// Close ends the subscription; its channel is closed.
func (s *Subscription) Close() {
	s.bus.mu.Lock()
	defer s.bus.mu.Unlock()
	s.closeLocked()
}

// Lagged reports whether the subscription was ended because it fell behind.
func (s *Subscription) Lagged() bool {
	s.bus.mu.Lock()
	defer s.bus.mu.Unlock()
	return s.lagged
}

func (s *Subscription) closeLocked() {
	if s.closed {
		return
	}
	s.closed = true
	delete(s.bus.subs, s)
	close(s.c)
}

// Publish hands ev to every subscriber without waiting for any of them.
func (b *Bus) Publish(ev store.Event) {
	b.mu.Lock()
	defer b.mu.Unlock()
	for s := range b.subs {
		select {
		case s.c <- ev:
		default:
			s.lagged = true
			s.closeLocked()
		}
	}
}

// Len reports the number of live subscriptions.
func (b *Bus) Len() int {
	b.mu.Lock()
	defer b.mu.Unlock()
	return len(b.subs)
}
