package store

import (
	"context"
	"database/sql"
	"encoding/json"
	"fmt"
	"strings"
	"time"
	"unicode/utf8"
)

// EventFilter selects events of the log. Zero fields do not filter.
type EventFilter struct {
	ServerID int64
	JobID    int64
	// Kinds and Severities keep events of any of the values given.
	Kinds      []string
	Severities []string
	// From and Until bound the event's time: From ≤ at < Until, to the
	// second (a bound's fraction of a second is dropped; Until rounds up).
	From, Until time.Time
	// Search keeps events whose subject or message holds this text, as
	// typed, in any case (% and _ are plain characters). Under three
	// characters only ASCII letters match in any case.
	Search string
	// BeforeID keeps events older than this one: the next page of a list
	// read newest first (keyset paging, as fast on page 1,000 as on page 1).
	BeforeID int64
	// Limit is how many at most; 50 when ≤ 0.
	Limit int
}

// QueryEvents returns the events f selects, newest first, with the names of
// their server and job.
func (s *Store) QueryEvents(ctx context.Context, f EventFilter) ([]Event, error) {
	if f.Limit <= 0 {
		f.Limit = 50
	}
	where, args := f.where()
	// A search of three characters or more reads the trigram index newest
	// first and stops when the page is full: a rare word costs a few index
	// lookups, a common one a page's worth of rows.
	from, order := "events e", "e.id DESC"
	if f.fullText() {
		from, order = "events_fts f JOIN events e ON e.id = f.rowid", "f.rowid DESC"
	}
	q := `SELECT e.id, e.at, e.kind, e.subject, e.message, e.data_json, e.severity, e.server_id, e.job_id,
	coalesce(sv.name, ''), coalesce(j.name, '')
FROM ` + from + ` LEFT JOIN servers sv ON sv.id = e.server_id LEFT JOIN jobs j ON j.id = e.job_id`
	if len(where) > 0 {
		q += "\nWHERE " + strings.Join(where, " AND ")
	}
	q += "\nORDER BY " + order + " LIMIT ?"
	rows, err := s.db.QueryContext(ctx, q, append(args, f.Limit)...)
	if err != nil {
		return nil, fmt.Errorf("query events: %w", err)
	}
	defer rows.Close()
	out := []Event{}
	for rows.Next() {
		var ev Event
		var at, data string
		var serverID, jobID sql.NullInt64
		if err := rows.Scan(&ev.ID, &at, &ev.Kind, &ev.Subject, &ev.Message, &data, &ev.Severity, &serverID, &jobID, &ev.ServerName, &ev.JobName); err != nil {
			return nil, fmt.Errorf("query events: %w", err)
		}
		ev.At = parseTS(at)
		ev.ServerID, ev.JobID = serverID.Int64, jobID.Int64
		if data != "null" {
			ev.Data = json.RawMessage(data)
		}
		out = append(out, ev)
	}
	return out, rows.Err()
}

func (f EventFilter) where() (where []string, args []any) {
	add := func(cond string, a ...any) { where = append(where, cond); args = append(args, a...) }
	if f.ServerID != 0 {
		add("e.server_id = ?", f.ServerID)
	}
	if f.JobID != 0 {
		add("e.job_id = ?", f.JobID)
	}
	if len(f.Kinds) > 0 {
		add("e.kind IN ("+placeholders(len(f.Kinds))+")", anys(f.Kinds)...)
	}
	if len(f.Severities) > 0 {
		add("e.severity IN ("+placeholders(len(f.Severities))+")", anys(f.Severities)...)
	}
	// Times are stored as RFC 3339 with a trimmed fraction ("…:05Z",
	// "…:05.25Z"), whose string order is not time order within a second;
	// "…:05." sorts before every time in second :05 and after every earlier
	// one, so whole-second bounds compare right.
	//
	// The page is read in id order; the ids that hold the range, found on
	// the index of times, let it start there instead of reading every newer
	// event. They are exact (the least and greatest id in the range), so an
	// event written while the clock stood back is still found.
	if !f.From.IsZero() {
		from := secondBound(f.From.UTC().Truncate(time.Second))
		add("e.at >= ? AND e.id >= (SELECT min(id) FROM events WHERE at >= ?)", from, from)
	}
	if !f.Until.IsZero() {
		u := f.Until.UTC()
		if t := u.Truncate(time.Second); !t.Equal(u) {
			u = t.Add(time.Second)
		}
		until := secondBound(u)
		add("e.at < ? AND e.id <= (SELECT max(id) FROM events WHERE at < ?)", until, until)
	}
	// Three characters or more go through the trigram index, which finds
	// a substring without reading every message; fewer through LIKE.
	switch {
	case f.fullText():
		add(`events_fts MATCH ?`, `"`+strings.ReplaceAll(f.Search, `"`, `""`)+`"`)
	case f.Search != "":
		pat := "%" + likeEscaper.Replace(f.Search) + "%"
		add(`(e.message LIKE ? ESCAPE '\' OR e.subject LIKE ? ESCAPE '\')`, pat, pat)
	}
	switch {
	case f.BeforeID > 0 && f.fullText():
		add("f.rowid < ?", f.BeforeID) // the index's own bound
	case f.BeforeID > 0:
		add("e.id < ?", f.BeforeID)
	}
	return where, args
}

// fullText says whether the search goes through the trigram index, which
// needs three characters.
func (f EventFilter) fullText() bool { return utf8.RuneCountInString(f.Search) >= 3 }

func secondBound(t time.Time) string { return t.Format("2006-01-02T15:04:05") + "." }

var likeEscaper = strings.NewReplacer(`\`, `\\`, `%`, `\%`, `_`, `\_`)

func placeholders(n int) string { return strings.TrimSuffix(strings.Repeat("?,", n), ",") }

func anys(ss []string) []any {
	out := make([]any, len(ss))
	for i, s := range ss {
		out[i] = s
	}
	return out
}

// EventClass is what an event's severity is derived from: its kind and the
// "status" of its data.
type EventClass struct {
	Kind, Status string
}

// UnclassifiedEvents returns the kinds and statuses (data's "status", else
// its "state") of the
// events that have no severity: those written before schema 12, or by a
// writer that gave none. Cheap when there are none (an index lookup).
func (s *Store) UnclassifiedEvents(ctx context.Context) ([]EventClass, error) {
	rows, err := s.db.QueryContext(ctx, `SELECT DISTINCT kind,
	coalesce(CASE WHEN json_valid(data_json) THEN coalesce(json_extract(data_json, '$.status'), json_extract(data_json, '$.state')) END, '')
FROM events WHERE severity = ''`)
	if err != nil {
		return nil, fmt.Errorf("find unclassified events: %w", err)
	}
	defer rows.Close()
	var out []EventClass
	for rows.Next() {
		var c EventClass
		var status any
		if err := rows.Scan(&c.Kind, &status); err != nil {
			return nil, fmt.Errorf("find unclassified events: %w", err)
		}
		c.Status = fmt.Sprint(status)
		out = append(out, c)
	}
	return out, rows.Err()
}

// ClassifyEvents gives the events of each class that have no severity yet
// the severity named for it, in one transaction.
func (s *Store) ClassifyEvents(ctx context.Context, severities map[EventClass]string) error {
	tx, err := s.w.BeginTx(ctx, nil)
	if err != nil {
		return fmt.Errorf("classify events: %w", err)
	}
	defer tx.Rollback()
	for c, sev := range severities {
		if _, err := tx.ExecContext(ctx, `UPDATE events SET severity = ? WHERE severity = '' AND kind = ?
	AND coalesce(CASE WHEN json_valid(data_json) THEN coalesce(json_extract(data_json, '$.status'), json_extract(data_json, '$.state')) END, '') = ?`, sev, c.Kind, c.Status); err != nil {
			return fmt.Errorf("classify %s events: %w", c.Kind, err)
		}
	}
	if err := tx.Commit(); err != nil {
		return fmt.Errorf("classify events: %w", err)
	}
	return nil
}
