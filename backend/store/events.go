package store

import (
	"context"
	"database/sql"
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
	// Severity is info, warning or error; the events room sets it when the
	// event is published (events.Severity). Events written before schema
	// 12 have none until it classifies them.
	Severity string `json:"severity,omitempty"`
	// ServerID and JobID are the server and the job the event is about, 0
	// when none: AppendEvent finds them in Data (server_id, job_id, a run's
	// run_id) or the subject (a server's uuid).
	ServerID int64 `json:"server_id,omitempty"`
	JobID    int64 `json:"job_id,omitempty"`
	// ServerName and JobName are filled by QueryEvents only, for a list
	// that outlives the page (an export); "" when the server or job is gone.
	ServerName string `json:"server_name,omitempty"`
	JobName    string `json:"job_name,omitempty"`
}

// AppendEvent writes ev to the log and returns it with its id and time, and
// the server and job it is about.
func (s *Store) AppendEvent(ctx context.Context, ev Event) (Event, error) {
	stmt, err := s.eventStmt(ctx)
	if err != nil {
		return Event{}, err
	}
	return s.insertEvent(ctx, stmt, ev)
}

// eventStmt is the prepared insert of an event.
func (s *Store) eventStmt(ctx context.Context) (*sql.Stmt, error) {
	s.stmtMu.Lock()
	defer s.stmtMu.Unlock()
	if s.appendEvent == nil {
		stmt, err := s.w.PrepareContext(ctx, appendEventSQL)
		if err != nil {
			return nil, fmt.Errorf("prepare the event log's insert: %w", err)
		}
		s.appendEvent = stmt
	}
	return s.appendEvent, nil
}

// AppendEvents writes many events in one transaction (an import, a backlog)
// and returns them as AppendEvent would.
func (s *Store) AppendEvents(ctx context.Context, evs []Event) ([]Event, error) {
	// Prepared before the transaction takes the one writing connection.
	prepared, err := s.eventStmt(ctx)
	if err != nil {
		return nil, err
	}
	tx, err := s.w.BeginTx(ctx, nil)
	if err != nil {
		return nil, fmt.Errorf("append events: %w", err)
	}
	defer tx.Rollback()
	stmt := tx.StmtContext(ctx, prepared)
	defer stmt.Close()
	out := make([]Event, 0, len(evs))
	for _, ev := range evs {
		saved, err := s.insertEvent(ctx, stmt, ev)
		if err != nil {
			return nil, err
		}
		out = append(out, saved)
	}
	if err := tx.Commit(); err != nil {
		return nil, fmt.Errorf("append events: %w", err)
	}
	return out, nil
}

// appendEventSQL inserts an event and finds its job (the data's job_id,
// else the job of its run_id) and its server (the data's server_id, else
// the server whose uuid is the subject, else the job's server). Ids given
// by the caller win.
const appendEventSQL = `
INSERT INTO events (at, kind, subject, message, data_json, severity, job_id, server_id)
SELECT ?1, ?2, ?3, ?4, ?5, ?6, j.job_id, coalesce(?7,
	CASE WHEN json_valid(?5) THEN json_extract(?5, '$.server_id') END,
	(SELECT sv.id FROM servers sv WHERE sv.uuid = ?3 AND ?3 != ''),
	(SELECT jb.server_id FROM jobs jb WHERE jb.id = j.job_id))
FROM (SELECT coalesce(?8,
	CASE WHEN json_valid(?5) THEN json_extract(?5, '$.job_id') END,
	(SELECT r.job_id FROM runs r WHERE r.id = CASE WHEN json_valid(?5) THEN json_extract(?5, '$.run_id') END)) AS job_id) j
RETURNING id, server_id, job_id`

func (s *Store) insertEvent(ctx context.Context, stmt *sql.Stmt, ev Event) (Event, error) {
	if ev.At.IsZero() {
		ev.At = s.now()
	}
	data := string(ev.Data)
	if data == "" {
		data = "null"
	}
	var serverID, jobID sql.NullInt64
	err := stmt.QueryRowContext(ctx,
		ts(ev.At), ev.Kind, ev.Subject, ev.Message, data, ev.Severity, nullID(ev.ServerID), nullID(ev.JobID)).Scan(&ev.ID, &serverID, &jobID)
	if err != nil {
		return Event{}, fmt.Errorf("append event %s: %w", ev.Kind, err)
	}
	ev.ServerID, ev.JobID = serverID.Int64, jobID.Int64
	ev.At = ev.At.UTC()
	return ev, nil
}

func nullID(id int64) any {
	if id == 0 {
		return nil
	}
	return id
}

// ListEvents returns the most recent events, newest first.
func (s *Store) ListEvents(ctx context.Context, limit int) ([]Event, error) {
	return s.QueryEvents(ctx, EventFilter{Limit: limit})
}
