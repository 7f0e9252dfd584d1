package events

import (
	"encoding/csv"
	"encoding/json"
	"fmt"
	"io"
	"strconv"
	"strings"
	"time"

	"borgdesk/backend/store"
)

// Export formats.
const (
	CSV  = "csv"
	JSON = "json"
)

// CSVHeader is the first line of an exported CSV file.
var CSVHeader = []string{"id", "time", "severity", "kind", "server", "job", "subject", "message", "data"}

// Write writes evs in format (csv or json) to w.
func Write(w io.Writer, format string, evs []store.Event) error {
	switch format {
	case CSV:
		return WriteCSV(w, evs)
	case JSON:
		return WriteJSON(w, evs)
	}
	return fmt.Errorf("export format %q: use csv or json", format)
}

// WriteJSON writes evs as one indented JSON array.
func WriteJSON(w io.Writer, evs []store.Event) error {
	if evs == nil {
		evs = []store.Event{}
	}
	enc := json.NewEncoder(w)
	enc.SetIndent("", "  ")
	return enc.Encode(evs)
}

// WriteCSV writes evs as RFC 4180 CSV with a header line: fields holding a
// comma, a quote or a line break are quoted, quotes doubled. A cell that a
// spreadsheet would run as a formula (it starts with = + - @, a tab or a
// carriage return) gets a leading apostrophe, as OWASP advises: messages
// carry text from the servers.
func WriteCSV(w io.Writer, evs []store.Event) error {
	cw := csv.NewWriter(w)
	if err := cw.Write(CSVHeader); err != nil {
		return err
	}
	for _, ev := range evs {
		data := string(ev.Data)
		row := []string{
			strconv.FormatInt(ev.ID, 10), ev.At.UTC().Format(time.RFC3339Nano), ev.Severity, ev.Kind,
			cell(ev.ServerName), cell(ev.JobName), cell(ev.Subject), cell(ev.Message), cell(data),
		}
		if err := cw.Write(row); err != nil {
			return err
		}
	}
	cw.Flush()
	return cw.Error()
}

func cell(s string) string {
	if s != "" && strings.ContainsRune("=+-@\t\r", rune(s[0])) {
		return "'" + s
	}
	return s
}
