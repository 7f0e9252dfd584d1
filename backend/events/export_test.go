package events

import (
	"bytes"
	"encoding/csv"
	"encoding/json"
	"strings"
	"testing"
	"time"

	"borgdesk/backend/store"
)

func TestExportCSVQuotesAndDefusesFormulas(t *testing.T) {
	at := time.Date(2025, 3, 1, 12, 0, 0, 500_000_000, time.UTC)
	evs := []store.Event{
		{ID: 2, At: at, Severity: Error, Kind: RunProgress, ServerName: "web1", JobName: "files", Subject: "uuid-web1",
			Message: "run 7 of web1/files failed: borg said \"Repository, locked\"\nsecond line", Data: json.RawMessage(`{"run_id":7,"status":"failed"}`)},
		{ID: 1, At: at, Severity: Warning, Kind: Notification, Message: "=HYPERLINK(\"http://x\")"},
	}
	var buf bytes.Buffer
	if err := Write(&buf, CSV, evs); err != nil {
		t.Fatal(err)
	}
	out := buf.String()
	wantLine := `2,2025-03-01T12:00:00.5Z,error,run:progress,web1,files,uuid-web1,"run 7 of web1/files failed: borg said ""Repository, locked""` + "\nsecond line\"," + `"{""run_id"":7,""status"":""failed""}"`
	if !strings.Contains(out, wantLine) {
		t.Errorf("CSV:\n%s\nwant a record:\n%s", out, wantLine)
	}
	// A reader gets the fields back as they were, the formula defused.
	rows, err := csv.NewReader(strings.NewReader(out)).ReadAll()
	if err != nil {
		t.Fatal(err)
	}
	if len(rows) != 3 || strings.Join(rows[0], ",") != strings.Join(CSVHeader, ",") {
		t.Fatalf("rows = %q", rows)
	}
	if got := rows[1][7]; got != evs[0].Message {
		t.Errorf("message read back = %q; want %q", got, evs[0].Message)
	}
	if got := rows[2][7]; got != `'=HYPERLINK("http://x")` {
		t.Errorf("formula cell = %q; want it behind an apostrophe", got)
	}
}

func TestExportJSONRoundTrips(t *testing.T) {
	evs := []store.Event{{ID: 1, At: time.Date(2025, 3, 1, 0, 0, 0, 0, time.UTC), Kind: JobChanged, Message: "a \"b\"", Severity: Info, JobID: 3}}
	var buf bytes.Buffer
	if err := Write(&buf, JSON, evs); err != nil {
		t.Fatal(err)
	}
	var back []store.Event
	if err := json.Unmarshal(buf.Bytes(), &back); err != nil || len(back) != 1 || back[0].Message != evs[0].Message || back[0].JobID != 3 {
		t.Errorf("read back %+v, %v", back, err)
	}
	buf.Reset()
	if err := Write(&buf, JSON, nil); err != nil || strings.TrimSpace(buf.String()) != "[]" {
		t.Errorf("no events = %q, %v; want []", buf.String(), err)
	}
	if err := Write(&buf, "xml", nil); err == nil || !strings.Contains(err.Error(), "use csv or json") {
		t.Errorf("xml: %v", err)
	}
}
