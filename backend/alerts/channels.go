package alerts

import (
	"bytes"
	"context"
	"crypto/hmac"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"net/http"
	"strconv"
	"strings"
	"time"

	"borgdesk/backend/fault"
	"borgdesk/backend/mail"
)

func (a *Alerts) emailAlert(ctx context.Context, al Alert) {
	to, _ := a.cfg.Setting(ctx, "notify.email.to")
	rcpts := splitList(to)
	if len(rcpts) == 0 {
		return
	}
	a.mu.Lock()
	if last, ok := a.emailed[al.Key]; ok && al.At.Sub(last) < emailEvery {
		a.folded[al.Key]++
		a.mu.Unlock()
		return
	}
	count := a.folded[al.Key]
	a.emailed[al.Key], a.folded[al.Key] = al.At, 0
	a.mu.Unlock()
	m, err := mail.Render(mail.Alert{Kind: al.Kind, Title: al.Title, Body: al.Body, Server: al.Server, Route: al.Route, At: al.At,
		Count: count, Coordinator: hostname(), Version: a.cfg.Version}, rcpts)
	if err == nil {
		err = a.outbox.Queue(ctx, m)
	}
	if err != nil {
		a.log.Error("alert e-mail not queued", "alert", al.Title, "err", err)
	}
}

// postWebhook POSTs the alert as JSON, signed with HMAC-SHA256 when a
// secret is set, retrying three times with backoff.
func (a *Alerts) postWebhook(ctx context.Context, al Alert) {
	url, _ := a.cfg.Setting(ctx, "notify.webhook.url")
	if url == "" {
		return
	}
	secret, _ := a.cfg.Secret("notify.webhook.secret")
	body, _ := json.Marshal(al)
	delay := 2 * time.Second
	var last error
	for attempt := 1; attempt <= 3; attempt++ {
		req, err := http.NewRequestWithContext(ctx, http.MethodPost, url, bytes.NewReader(body))
		if err != nil {
			last = err
			break
		}
		req.Header.Set("Content-Type", "application/json")
		req.Header.Set("User-Agent", "Borgdesk/"+a.cfg.Version)
		if secret != "" {
			mac := hmac.New(sha256.New, []byte(secret))
			mac.Write(body)
			req.Header.Set("X-Borgdesk-Signature", "sha256="+hex.EncodeToString(mac.Sum(nil)))
		}
		resp, err := a.hooks.Do(req)
		if err == nil {
			resp.Body.Close()
			if resp.StatusCode < 300 {
				return
			}
			err = fmt.Errorf("HTTP %s", resp.Status)
		}
		last = err
		time.Sleep(delay)
		delay *= 2
	}
	a.log.Warn("webhook not delivered", "url", url, "alert", al.Title, "err", last)
}

// MailConfig is the SMTP configuration from the settings.
func (a *Alerts) MailConfig(ctx context.Context) (mail.Config, error) {
	get := func(k string) string { v, _ := a.cfg.Setting(ctx, k); return v }
	port, _ := strconv.Atoi(get("smtp.port"))
	pw, err := a.cfg.Secret("smtp.password")
	if err != nil {
		return mail.Config{}, err
	}
	from := get("smtp.from")
	if from == "" {
		from = "Borgdesk <borgdesk@" + hostname() + ">"
	}
	return mail.Config{Host: get("smtp.host"), Port: port, Security: get("smtp.security"), User: get("smtp.user"),
		Password: pw, From: from}, nil
}

// RunOutbox delivers the outbox until ctx ends (at once when this
// coordinator sends no e-mail).
func (a *Alerts) RunOutbox(ctx context.Context) error {
	if a.outbox == nil {
		return nil
	}
	return a.outbox.Run(ctx)
}

// SendTestEmail queues a test message to notify.email.to and delivers the
// outbox now; the error says what went wrong (unreachable server, wrong
// password, refused recipient). The message stays queued on failure.
func (a *Alerts) SendTestEmail(ctx context.Context) (string, error) {
	if a.outbox == nil {
		return "", fmt.Errorf("%w: this coordinator sends no e-mail", fault.ErrUnavailable)
	}
	to, _ := a.cfg.Setting(ctx, "notify.email.to")
	rcpts := splitList(to)
	if len(rcpts) == 0 {
		return "", fmt.Errorf("%w: set the recipients first (notify.email.to)", fault.ErrInvalid)
	}
	m, err := mail.Render(mail.Alert{Kind: "test", Title: "Test e-mail from Borgdesk", Body: "If you read this, Borgdesk's alerts reach you.",
		At: a.cfg.Now(), Coordinator: hostname(), Version: a.cfg.Version}, rcpts)
	if err != nil {
		return "", err
	}
	if err := a.outbox.SendNow(ctx, m); err != nil {
		return "", err
	}
	return "Test e-mail delivered to " + strings.Join(rcpts, ", "), nil
}

// MailStatus is the outbox's state.
func (a *Alerts) MailStatus() mail.Status {
	if a.outbox == nil {
		return mail.Status{}
	}
	return a.outbox.Status()
}
