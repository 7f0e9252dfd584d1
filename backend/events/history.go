package events

import (
	"context"
	"errors"
	"fmt"
	"strconv"
	"strings"
	"time"

	"borgdesk/backend/fault"
	"borgdesk/backend/store"
)

// Query asks the event history for events, newest first. Every field is
// optional; the window, the CLI and the admin API send it as it is.
type Query struct {
	// Server is a server's name, uuid or id; Job a job's id, name or
	// SERVER/JOB.
	Server string `json:"server,omitempty"`
	Job    string `json:"job,omitempty"`
	// Kinds keeps events of any of these kinds (server:changed, …).
	Kinds []string `json:"kinds,omitempty"`
	// Severity is the mildest severity kept: info (or ""), warning or error.
	Severity string `json:"severity,omitempty"`
	// From and Until bound the time (RFC 3339, to the second): From ≤ at < Until.
	From  string `json:"from,omitempty"`
	Until string `json:"until,omitempty"`
	// Search keeps events whose message or subject holds this text.
	Search string `json:"search,omitempty"`
	// Before is the Next of the page before: older events than that id.
	Before int64 `json:"before,omitempty"`
	// Limit is the page size: 100 when 0, at most 1,000.
	Limit int `json:"limit,omitempty"`
}

// Page is one page of a query's answer.
type Page struct {
	Events []store.Event `json:"events"`
	// Next is the Before of the next (older) page; 0 on the last page.
	Next int64 `json:"next"`
}

// Page sizes.
const (
	DefaultPage = 100
	MaxPage     = 1000
)

// History answers questions about the whole event log. It reads the store
// and classifies the events written before severities existed; it never
// writes an event.
type History struct {
	Store *store.Store
}

// Query returns one page of the events q selects.
func (h History) Query(ctx context.Context, q Query) (Page, error) {
	f, err := h.filter(ctx, q)
	if err != nil {
		return Page{}, err
	}
	if err := h.classify(ctx); err != nil {
		return Page{}, err
	}
	size := f.Limit
	f.Limit++ // one more says whether there is a next page
	evs, err := h.Store.QueryEvents(ctx, f)
	if err != nil {
		return Page{}, err
	}
	p := Page{Events: evs}
	if len(evs) > size {
		p.Events = evs[:size]
		p.Next = p.Events[size-1].ID
	}
	return p, nil
}

// classify gives the events that have none their severity from the table.
// After the first time it finds nothing, through an index.
func (h History) classify(ctx context.Context) error {
	classes, err := h.Store.UnclassifiedEvents(ctx)
	if err != nil || len(classes) == 0 {
		return err
	}
	sev := make(map[store.EventClass]string, len(classes))
	for _, c := range classes {
		sev[c] = Severity(c.Kind, c.Status)
	}
	return h.Store.ClassifyEvents(ctx, sev)
}

// filter turns a query into the store's filter, or says what is wrong with it.
func (h History) filter(ctx context.Context, q Query) (store.EventFilter, error) {
	f := store.EventFilter{Kinds: q.Kinds, Search: strings.TrimSpace(q.Search), BeforeID: q.Before, Limit: q.Limit}
	switch {
	case q.Limit < 0:
		return f, fmt.Errorf("%w: a page holds 1 to %d events, not %d", fault.ErrInvalid, MaxPage, q.Limit)
	case q.Limit == 0:
		f.Limit = DefaultPage
	case q.Limit > MaxPage:
		f.Limit = MaxPage
	}
	if q.Before < 0 {
		return f, fmt.Errorf("%w: before is an event id, not %d", fault.ErrInvalid, q.Before)
	}
	var ok bool
	if f.Severities, ok = AtLeast(q.Severity); !ok {
		return f, fmt.Errorf("%w: severity %q: use info, warning or error", fault.ErrInvalid, q.Severity)
	}
	var err error
	if f.From, err = parseBound("from", q.From); err != nil {
		return f, err
	}
	if f.Until, err = parseBound("until", q.Until); err != nil {
		return f, err
	}
	if !f.From.IsZero() && !f.Until.IsZero() && !f.From.Before(f.Until) {
		return f, fmt.Errorf("%w: the time range ends (%s) before it starts (%s): swap them", fault.ErrInvalid, q.Until, q.From)
	}
	if ref := strings.TrimSpace(q.Server); ref != "" {
		sv, err := h.Store.FindServer(ctx, ref)
		if err != nil {
			return f, fmt.Errorf("events of server %q: %w", ref, err)
		}
		f.ServerID = sv.ID
	}
	if ref := strings.TrimSpace(q.Job); ref != "" {
		j, err := h.Store.FindJob(ctx, ref)
		if err != nil {
			return f, fmt.Errorf("events of job %q: %w", ref, err)
		}
		f.JobID = j.ID
	}
	return f, nil
}

// parseBound reads a time bound: RFC 3339, with or without seconds and zone
// (a time without a zone is UTC), or a plain date.
func parseBound(name, s string) (time.Time, error) {
	s = strings.TrimSpace(s)
	if s == "" {
		return time.Time{}, nil
	}
	for _, layout := range []string{time.RFC3339Nano, "2006-01-02T15:04:05", "2006-01-02T15:04", "2006-01-02"} {
		if t, err := time.Parse(layout, s); err == nil {
			return t, nil
		}
	}
	return time.Time{}, fmt.Errorf("%w: %s %q is not a time: write it as 2025-03-01T14:00:00Z or 2025-03-01", fault.ErrInvalid, name, s)
}

// ErrTooMany stops an export that would hold more events than it may.
var ErrTooMany = errors.New("too many events to export")

// MaxExport is the most events one export holds.
const MaxExport = 200_000

// All returns every event q selects (q.Before and q.Limit are ignored),
// newest first, page by page; more than MaxExport is refused.
func (h History) All(ctx context.Context, q Query) ([]store.Event, error) {
	q.Before, q.Limit = 0, MaxPage
	var out []store.Event
	for {
		p, err := h.Query(ctx, q)
		if err != nil {
			return nil, err
		}
		out = append(out, p.Events...)
		if len(out) > MaxExport {
			return nil, fmt.Errorf("%w: more than %s match; narrow the time range or the filters", ErrTooMany, strconv.Itoa(MaxExport))
		}
		if p.Next == 0 {
			return out, nil
		}
		q.Before = p.Next
	}
}
