//go:build linux

package mail

import (
	"context"
	"flag"
	"os"
	"path/filepath"
	"strings"
	"syscall"
	"testing"
	"time"

	"borgdesk/backend/mail/mailtest"
)

var update = flag.Bool("update", false, "rewrite the golden files")

func config(s *mailtest.SMTPD, user, password string) func(context.Context) (Config, error) {
	return func(context.Context) (Config, error) {
		return Config{Host: "127.0.0.1", Port: s.Port, Security: "starttls", User: user, Password: password,
			From: "Borgdesk <borgdesk@desk.example>", TLSConfig: s.TLS, Timeout: 5 * time.Second}, nil
	}
}

func pythonMbox(t *testing.T, path string) []string { return mailtest.PythonMbox(t, path) }

func alert(title string) Alert {
	return Alert{Kind: "run_failed", Title: title, Body: "borg create failed: connection closed", Server: "web1",
		At: time.Date(2026, 11, 30, 3, 0, 0, 0, time.UTC), Coordinator: "desk", Version: "test"}
}

func TestOutboxKeepsMailWhileSMTPIsDownThenDelivers(t *testing.T) {
	ctx := context.Background()
	srv := mailtest.New(t)
	var problems []string
	o := Open(t.TempDir(), Options{Config: config(srv, "alerts", "s3cret"), Problem: func(m string) { problems = append(problems, m) }})
	m, _ := Render(alert("run 7 of web1/site failed"), []string{"ops@example.com"})
	if err := o.Queue(ctx, m); err != nil {
		t.Fatal(err)
	}
	if _, err := o.Deliver(ctx); err == nil || !strings.Contains(err.Error(), "cannot reach the SMTP server") {
		t.Fatalf("delivery with SMTP down: %v", err)
	}
	st := o.Status()
	if st.Pending != 1 || st.Sent != 0 || st.LastError == "" {
		t.Fatalf("status with SMTP down = %+v", st)
	}
	if got := pythonMbox(t, st.Outbox); len(got) != 1 || got[0] != "[Borgdesk] run 7 of web1/site failed" {
		t.Fatalf("python reads the outbox as %q", got)
	}

	srv.Start()
	n, err := o.Deliver(ctx)
	if err != nil || n != 1 {
		t.Fatalf("delivery once SMTP is back: %d, %v", n, err)
	}
	st = o.Status()
	if st.Pending != 0 || st.Sent != 1 || st.LastError != "" {
		t.Fatalf("status after delivery = %+v", st)
	}
	if got := pythonMbox(t, st.Outbox); len(got) != 0 {
		t.Fatalf("the outbox still holds %q", got)
	}
	if got := pythonMbox(t, st.SentPath); len(got) != 1 || got[0] != "[Borgdesk] run 7 of web1/site failed" {
		t.Fatalf("python reads sent.mbox as %q", got)
	}
	rx := srv.Received()
	if len(rx) != 1 || !strings.Contains(rx[0], "run 7 of web1/site failed") || !strings.Contains(rx[0], "multipart/alternative") || !strings.Contains(rx[0], "text/html") {
		t.Fatalf("the server received %d messages: %v", len(rx), rx)
	}
	if len(problems) != 0 {
		t.Errorf("problems: %v", problems)
	}
}

func TestWrongPasswordAndRefusedRecipientKeepTheMessage(t *testing.T) {
	ctx := context.Background()
	srv := mailtest.New(t)
	srv.Start()
	o := Open(t.TempDir(), Options{Config: config(srv, "alerts", "wrong")})
	m, _ := Render(alert("x"), []string{"ops@example.com"})
	if err := o.SendNow(ctx, m); err == nil || !strings.Contains(err.Error(), "smtp.password") {
		t.Fatalf("wrong password: %v", err)
	}
	if st := o.Status(); st.Pending != 1 {
		t.Fatalf("the message was lost: %+v", st)
	}
	o2 := Open(t.TempDir(), Options{Config: config(srv, "alerts", "s3cret")})
	m2, _ := Render(alert("y"), []string{"refused@example.com"})
	if err := o2.SendNow(ctx, m2); err == nil || !strings.Contains(err.Error(), "refused a recipient") {
		t.Fatalf("refused recipient: %v", err)
	}
	if st := o2.Status(); st.Pending != 1 || len(srv.Received()) != 0 {
		t.Fatalf("after a refused recipient: %+v, received %d", st, len(srv.Received()))
	}
}

func TestDamagedOrLockedOutboxIsKeptAndANewOneStarted(t *testing.T) {
	ctx := context.Background()
	dir := t.TempDir()
	var problems []string
	cfg := func(context.Context) (Config, error) { return Config{Host: "127.0.0.1", Port: 1, From: "b@desk"}, nil }
	o := Open(dir, Options{Config: cfg, Problem: func(m string) { problems = append(problems, m) }})
	os.WriteFile(filepath.Join(dir, "outbox.mbox"), []byte("this is not an mbox\n"), 0o600)
	o.Deliver(ctx)
	damaged, _ := filepath.Glob(filepath.Join(dir, "outbox.mbox.damaged-*"))
	if len(damaged) != 1 || len(problems) != 1 || !strings.Contains(problems[0], "damaged") {
		t.Fatalf("damaged outbox: kept %v, problems %v", damaged, problems)
	}
	if b, _ := os.ReadFile(damaged[0]); string(b) != "this is not an mbox\n" {
		t.Errorf("the damaged outbox was changed: %q", b)
	}

	// Another program holds the outbox's lock.
	m, _ := Render(alert("first"), []string{"ops@example.com"})
	if err := o.Queue(ctx, m); err != nil {
		t.Fatal(err)
	}
	f, _ := os.Open(filepath.Join(dir, "outbox.mbox"))
	defer f.Close()
	syscall.Flock(int(f.Fd()), syscall.LOCK_EX)
	m2, _ := Render(alert("second"), []string{"ops@example.com"})
	if err := o.Queue(ctx, m2); err != nil {
		t.Fatalf("queue with the outbox locked: %v", err)
	}
	locked, _ := filepath.Glob(filepath.Join(dir, "outbox.mbox.locked-*"))
	if len(locked) != 1 || len(problems) != 2 {
		t.Fatalf("locked outbox: kept %v, problems %v", locked, problems)
	}
	if got := pythonMbox(t, locked[0]); len(got) != 1 || got[0] != "[Borgdesk] first" {
		t.Errorf("the locked outbox holds %q", got)
	}
	if got := pythonMbox(t, filepath.Join(dir, "outbox.mbox")); len(got) != 1 || got[0] != "[Borgdesk] second" {
		t.Errorf("the new outbox holds %q", got)
	}
}

func TestAlertTemplatesGolden(t *testing.T) {
	a := alert("run 7 of web1/site failed")
	a.Count = 2
	a.Route = "#/runs/7"
	m, err := Render(a, []string{"ops@example.com"})
	if err != nil {
		t.Fatal(err)
	}
	for name, got := range map[string]string{"alert.golden.txt": m.Text, "alert.golden.html": m.HTML} {
		path := filepath.Join("testdata", name)
		if *update {
			os.WriteFile(path, []byte(got), 0o644)
		}
		want, err := os.ReadFile(path)
		if err != nil {
			t.Fatalf("%v (run go test -update once)", err)
		}
		if got != string(want) {
			t.Errorf("%s differs from the golden file:\n%s", name, got)
		}
	}
}

func TestHTMLEscapesAlertText(t *testing.T) {
	a := alert("<script>alert(1)</script>")
	m, _ := Render(a, []string{"ops@example.com"})
	if strings.Contains(m.HTML, "<script>") || !strings.Contains(m.HTML, "&lt;script&gt;") {
		t.Errorf("the alert's text reached the HTML unescaped:\n%s", m.HTML)
	}
}
