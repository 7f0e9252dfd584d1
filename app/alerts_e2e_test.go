//go:build linux

package app

import (
	"crypto/hmac"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"borgdesk/backend/mail/mailtest"
)

// With SMTP down, a failed job leaves one message in outbox.mbox that
// Python's mailbox module reads; when SMTP comes back it is delivered and
// moved to sent.mbox. The same failure reaches a webhook, signed.
func TestFailedJobEmailThroughTheOutbox(t *testing.T) {
	smtp := mailtest.New(t)
	t.Setenv("SSL_CERT_FILE", smtp.CertFile) // the coordinator trusts the test server's certificate
	var mu sync.Mutex
	var hooks []map[string]any
	var sigs []string
	hook := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		body, _ := io.ReadAll(r.Body)
		var a map[string]any
		json.Unmarshal(body, &a)
		mac := hmac.New(sha256.New, []byte("hooksecret"))
		mac.Write(body)
		valid := r.Header.Get("X-Borgdesk-Signature") == "sha256="+hex.EncodeToString(mac.Sum(nil))
		mu.Lock()
		hooks, sigs = append(hooks, a), append(sigs, fmt.Sprint(valid))
		mu.Unlock()
	}))
	defer hook.Close()

	f := startFleet(t)
	f.run(f.enroll("web1"))
	for _, kv := range [][2]string{
		{"smtp.host", "127.0.0.1"}, {"smtp.port", fmt.Sprint(smtp.Port)}, {"notify.email.to", "ops@example.com"},
		{"smtp.user", mailtest.User}, {"notify.webhook.url", hook.URL},
	} {
		if r := f.cli("settings", "set", kv[0], kv[1]); r.code != 0 {
			t.Fatalf("settings set %s: %+v", kv[0], r)
		}
	}
	// Secrets come from standard input only, and never come back out.
	if r := f.cli("settings", "set", "notify.webhook.secret", "hooksecret"); r.code == 0 || !strings.Contains(r.stderr, "set-secret") {
		t.Errorf("a secret on the command line was accepted: %+v", r)
	}
	for _, kv := range [][2]string{{"smtp.password", mailtest.Password}, {"notify.webhook.secret", "hooksecret"}} {
		if r := f.cliIn(kv[1]+"\n", "settings", "set-secret", kv[0], "--stdin"); r.code != 0 {
			t.Fatalf("settings set-secret %s: %+v", kv[0], r)
		}
		if r := f.cli("settings", "get", kv[0]); r.code == 0 || strings.Contains(r.stdout+r.stderr, kv[1]) {
			t.Errorf("settings get %s = %+v; want a refusal without the value", kv[0], r)
		}
	}
	if r := f.cli("settings", "get", "--json"); strings.Contains(r.stdout, mailtest.Password) || strings.Contains(r.stdout, "hooksecret") ||
		!strings.Contains(r.stdout, `"notify.webhook.secret_set": "true"`) {
		t.Errorf("settings get --json shows a secret or misses notify.webhook.secret_set: %s", r.stdout)
	}
	if r := f.cli("events", "--json", "--limit", "500"); strings.Contains(r.stdout, mailtest.Password) || strings.Contains(r.stdout, "hooksecret") {
		t.Errorf("an event carries a secret: %s", r.stdout)
	}
	if r := f.cli("settings", "set", "notify.email.events", "run_failed,nonsense"); r.code == 0 {
		t.Errorf("an unknown alert kind was accepted")
	}

	var job map[string]any
	f.mustJSON(&job, "job", "create", "--server", "web1", "--name", "doomed", "--paths", t.TempDir(), "--pre", "/bin/false")
	if r := f.cli("job", "run", "doomed", "--wait"); r.code == 0 {
		t.Fatalf("the job did not fail: %+v", r)
	}
	outbox := filepath.Join(f.data, "outbox.mbox")
	var subjects []string
	waitFor(t, 30*time.Second, "one message in outbox.mbox", func() bool {
		if _, err := os.Stat(outbox); err != nil {
			return false
		}
		subjects = mailtest.PythonMbox(t, outbox)
		return len(subjects) == 1
	})
	if subjects[0] != "[Borgdesk] Backup web1/doomed failed" {
		t.Fatalf("outbox subject = %q", subjects[0])
	}
	var st map[string]any
	f.mustJSON(&st, "mail", "status")
	if st["pending"].(float64) != 1 || !strings.Contains(st["last_error"].(string), "cannot reach the SMTP server") {
		t.Fatalf("mail status with SMTP down = %v", st)
	}

	// SMTP comes back: the sender's retry delivers the message.
	smtp.Start()
	waitFor(t, 60*time.Second, "the retry to deliver the outbox", func() bool { return len(smtp.Received()) == 1 })
	waitFor(t, 10*time.Second, "sent.mbox to hold the message", func() bool {
		return len(mailtest.PythonMbox(t, filepath.Join(f.data, "sent.mbox"))) == 1
	})
	if left := mailtest.PythonMbox(t, outbox); len(left) != 0 {
		t.Errorf("outbox still holds %q", left)
	}
	if rx := smtp.Received()[0]; !strings.Contains(rx, "To: <ops@example.com>") && !strings.Contains(rx, "To: ops@example.com") {
		t.Errorf("delivered message:\n%s", rx)
	}
	if r := f.cli("mail", "test"); r.code != 0 || !strings.Contains(r.stdout, "delivered to ops@example.com") {
		t.Errorf("mail test = %+v", r)
	}

	mu.Lock()
	defer mu.Unlock()
	if len(hooks) == 0 || hooks[0]["kind"] != "run_failed" || sigs[0] != "true" {
		t.Errorf("webhook got %v (signatures %v)", hooks, sigs)
	}

	// The server whose only job has never succeeded needs attention at
	// once, naming the job (red comes when its RPO passes).
	var h struct {
		State   string
		Servers []struct{ Reasons []string }
	}
	f.mustJSON(&h, "health")
	if h.State != "amber" || len(h.Servers) != 1 || len(h.Servers[0].Reasons) == 0 || !strings.HasPrefix(h.Servers[0].Reasons[0], "job doomed: ") {
		t.Errorf("health = %+v; want amber naming job doomed", h)
	}
}
