package store

import (
	"context"
	"encoding/json"
	"fmt"
	"time"
)

// Event is one entry of the coordinator's event log.
type Event struct {
	ID      int64           `json:"id"`
	At      time.Time       `json:"at" ts_type:"string"`
	Kind    string          `json:"kind"`
	Subject string          `json:"subject"`
	Message string          `json:"message"`
	Data    json.RawMessage `json:"data,omitempty" ts_type:"any"`
}

// AppendEvent writes ev to the log and returns it with its id and time.
func (s *Store) AppendEvent(ctx context.Context, ev Event) (Event, error) {
	if ev.At.IsZero() {
		ev.At = s.now()
	}
	data := string(ev.Data)
	if data == "" {
		data = "null"
	}
	res, err := s.db.ExecContext(ctx, `INSERT INTO events (at, kind, subject, message, data_json) VALUES (?, ?, ?, ?, ?)`,
		ts(ev.At), ev.Kind, ev.Subject, ev.Message, data)
	if err != nil {
		return Event{}, fmt.Errorf("append event %s: %w", ev.Kind, err)
	}
	ev.ID, _ = res.LastInsertId()
	ev.At = ev.At.UTC()
	return ev, nil
}

// ListEvents returns the most recent events, newest first.
func (s *Store) ListEvents(ctx context.Context, limit int) ([]Event, error) {
	rows, err := s.db.QueryContext(ctx, `SELECT id, at, kind, subject, message, data_json FROM events ORDER BY id DESC LIMIT ?`, limit)
	if err != nil {
		return nil, fmt.Errorf("list events: %w", err)
	}
	defer rows.Close()
	out := []Event{}
	for rows.Next() {
		var ev Event
		var at, data string
		if err := rows.Scan(&ev.ID, &at, &ev.Kind, &ev.Subject, &ev.Message, &data); err != nil {
			return nil, fmt.Errorf("list events: %w", err)
		}
		ev.At = parseTS(at)
		if data != "null" {
			ev.Data = json.RawMessage(data)
		}
		out = append(out, ev)
	}
	return out, rows.Err()
}
