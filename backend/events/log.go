package events

import (
	"context"
	"encoding/json"
	"fmt"
	"time"

	"borgdesk/backend/store"
)

// Log is how the coordinator's parts tell what happened: Publish writes an
// event to the store's log, then announces it on the bus; Announce only
// announces (metrics and progress, which would flood the log).
type Log struct {
	Store *store.Store
	Bus   *Bus
	Now   func() time.Time
}

// Publish persists an event, then announces it.
func (l Log) Publish(ctx context.Context, kind, subject, message string, data any) error {
	ev := store.Event{Kind: kind, Subject: subject, Message: message}
	if data != nil {
		raw, err := json.Marshal(data)
		if err != nil {
			return fmt.Errorf("encode %s event: %w", kind, err)
		}
		ev.Data = raw
	}
	ev.Severity = Severity(kind, statusOf(ev.Data))
	saved, err := l.Store.AppendEvent(ctx, ev)
	if err != nil {
		return err
	}
	l.Bus.Publish(saved)
	return nil
}

// Announce publishes a live-only event, not written to the log.
func (l Log) Announce(kind, subject string, data any) {
	raw, _ := json.Marshal(data)
	l.Bus.Publish(store.Event{At: l.Now().UTC(), Kind: kind, Subject: subject, Data: raw})
}

// WaitUntil calls done after every announced change (and every few seconds,
// in case an announcement was missed) until it reports true, fails, or ctx
// ends. A lagging subscription is replaced, never read after it closed.
func (l Log) WaitUntil(ctx context.Context, done func() (bool, error)) error {
	sub := l.Bus.Subscribe(256)
	defer func() { sub.Close() }()
	for {
		ok, err := done()
		if err != nil || ok {
			return err
		}
		select {
		case _, open := <-sub.C:
			if !open {
				sub = l.Bus.Subscribe(256)
			}
		case <-time.After(5 * time.Second):
		case <-ctx.Done():
			return ctx.Err()
		}
	}
}
