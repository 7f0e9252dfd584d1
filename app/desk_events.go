package app

import (
	"bytes"
	"errors"
	"fmt"
	"path/filepath"

	"borgdesk/backend/events"
	"borgdesk/backend/shared/atomicfile"
)

// QueryEvents returns one page of the event history: the Events page's
// filters, search and paging (events.Query).
func (d *Desk) QueryEvents(q events.Query) (events.Page, error) {
	return d.svc.QueryEvents(d.context(), q)
}

// ExportEvents writes every event q selects (not only the page shown) as
// csv or json where the operator chooses; it returns the path written ("" when
// cancelled).
func (d *Desk) ExportEvents(q events.Query, format string) (string, error) {
	if format != events.CSV && format != events.JSON {
		return "", fmt.Errorf("export format %q: use csv or json", format)
	}
	if d.saveDialog == nil {
		return "", errors.New("exports need the desktop window; use `borgdesk events --csv` or `--json`")
	}
	evs, err := d.svc.AllEvents(d.context(), q)
	if err != nil {
		return "", err
	}
	var buf bytes.Buffer
	if err := events.Write(&buf, format, evs); err != nil {
		return "", err
	}
	dest, err := d.saveDialog(d.context(), "Export the events", "borgdesk-events."+format)
	if err != nil || dest == "" {
		return "", err
	}
	if err := atomicfile.Write(dest, buf.Bytes(), 0o600); err != nil {
		return "", fmt.Errorf("cannot write %s: %w", filepath.Base(dest), err)
	}
	return dest, nil
}

// Diagnostics returns the report "Copy diagnostics" puts on the clipboard:
// versions, settings without secrets, the last errors and the environment.
func (d *Desk) Diagnostics() (string, error) {
	return d.svc.Diagnostics(d.context(), d.diag), nil
}
