package service

import (
	"bytes"
	"context"
	"crypto/hmac"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"net/http"
	"os"
	"slices"
	"strconv"
	"strings"
	"sync"
	"time"

	"borgdesk/backend/events"
	"borgdesk/backend/mail"
	"borgdesk/backend/settings"
	"borgdesk/backend/store"
)

// Alert kinds, the names used in the notify.*.events settings.
const (
	AlertRunFailed     = settings.AlertRunFailed
	AlertRPOMissed     = settings.AlertRPOMissed
	AlertAgentOffline  = settings.AlertAgentOffline
	AlertCertExpiring  = settings.AlertCertExpiring
	AlertDrillFailed   = settings.AlertDrillFailed
	AlertFlxInbox      = settings.AlertFlxInbox
	AlertReplicaFailed = settings.AlertReplicaFailed
)

// AlertKinds lists every alert kind.
var AlertKinds = settings.AlertKinds

// Alert is something the operator must hear about, on the channels the
// notify.*.events settings name.
type Alert struct {
	Kind string `json:"kind"`
	// Key groups repeats: the same key again is one notification with a count.
	Key    string    `json:"key"`
	Title  string    `json:"title"`
	Body   string    `json:"body"`
	Server string    `json:"server"`
	Route  string    `json:"route"`
	At     time.Time `json:"at" ts_type:"string"`
}

// alerting is the state of the alert dispatcher.
type alerting struct {
	mu       sync.Mutex
	outbox   *mail.Outbox
	desktop  func(Alert)
	emailed  map[string]time.Time // key → last e-mail
	folded   map[string]int       // key → repeats not e-mailed since
	raised   map[string]bool      // condition alerts (RPO, offline) raised and not yet cleared
	certDay  map[string]string    // server → day a certificate alert was sent
	webhooks *http.Client
}

// emailEvery is how often the same alert key may send an e-mail; repeats
// in between are counted in the next one.
const emailEvery = 15 * time.Minute

// SetOutbox gives the service the e-mail outbox.
func (s *Service) SetOutbox(o *mail.Outbox) {
	s.alerts.mu.Lock()
	s.alerts.outbox = o
	s.alerts.mu.Unlock()
}

// SetDesktopNotifier gives the service the desktop's notifier.
func (s *Service) SetDesktopNotifier(fn func(Alert)) {
	s.alerts.mu.Lock()
	s.alerts.desktop = fn
	s.alerts.mu.Unlock()
}

// channelWants reports whether a notify.<channel>.events setting names kind.
func (s *Service) channelWants(ctx context.Context, channel, kind string) bool {
	v, err := s.Setting(ctx, "notify."+channel+".events")
	if err != nil {
		return false
	}
	return slices.Contains(splitList(v), kind)
}

func splitList(v string) []string {
	var out []string
	for _, p := range strings.Split(v, ",") {
		if p = strings.TrimSpace(p); p != "" {
			out = append(out, p)
		}
	}
	return out
}

// Raise sends an alert to the channels that want its kind.
func (s *Service) Raise(ctx context.Context, a Alert) {
	if a.At.IsZero() {
		a.At = s.now()
	}
	if a.Key == "" {
		a.Key = a.Kind + ":" + a.Server
	}
	s.alerts.mu.Lock()
	desktop, outbox := s.alerts.desktop, s.alerts.outbox
	s.alerts.mu.Unlock()
	if desktop != nil && s.channelWants(ctx, "desktop", a.Kind) {
		desktop(a)
	}
	if outbox != nil && s.channelWants(ctx, "email", a.Kind) {
		s.emailAlert(ctx, outbox, a)
	}
	if s.channelWants(ctx, "webhook", a.Kind) {
		s.orch.Go("webhook", func(ctx context.Context) { s.postWebhook(ctx, a) })
	}
}

func (s *Service) emailAlert(ctx context.Context, outbox *mail.Outbox, a Alert) {
	to, _ := s.Setting(ctx, "notify.email.to")
	rcpts := splitList(to)
	if len(rcpts) == 0 {
		return
	}
	s.alerts.mu.Lock()
	if s.alerts.emailed == nil {
		s.alerts.emailed, s.alerts.folded = map[string]time.Time{}, map[string]int{}
	}
	if last, ok := s.alerts.emailed[a.Key]; ok && a.At.Sub(last) < emailEvery {
		s.alerts.folded[a.Key]++
		s.alerts.mu.Unlock()
		return
	}
	count := s.alerts.folded[a.Key]
	s.alerts.emailed[a.Key], s.alerts.folded[a.Key] = a.At, 0
	s.alerts.mu.Unlock()
	m, err := mail.Render(mail.Alert{Kind: a.Kind, Title: a.Title, Body: a.Body, Server: a.Server, Route: a.Route, At: a.At,
		Count: count, Coordinator: hostname(), Version: s.version}, rcpts)
	if err == nil {
		err = outbox.Queue(ctx, m)
	}
	if err != nil {
		s.log().Error("alert e-mail not queued", "alert", a.Title, "err", err)
	}
}

func hostname() string {
	h, _ := os.Hostname()
	return h
}

// postWebhook POSTs the alert as JSON, signed with HMAC-SHA256 when a
// secret is set, retrying three times with backoff.
func (s *Service) postWebhook(ctx context.Context, a Alert) {
	url, _ := s.Setting(ctx, "notify.webhook.url")
	if url == "" {
		return
	}
	secret, _ := s.settings.Secret("notify.webhook.secret")
	body, _ := json.Marshal(a)
	s.alerts.mu.Lock()
	if s.alerts.webhooks == nil {
		s.alerts.webhooks = &http.Client{Timeout: 10 * time.Second}
	}
	client := s.alerts.webhooks
	s.alerts.mu.Unlock()
	delay := 2 * time.Second
	var last error
	for attempt := 1; attempt <= 3; attempt++ {
		req, err := http.NewRequestWithContext(ctx, http.MethodPost, url, bytes.NewReader(body))
		if err != nil {
			last = err
			break
		}
		req.Header.Set("Content-Type", "application/json")
		req.Header.Set("User-Agent", "Borgdesk/"+s.version)
		if secret != "" {
			mac := hmac.New(sha256.New, []byte(secret))
			mac.Write(body)
			req.Header.Set("X-Borgdesk-Signature", "sha256="+hex.EncodeToString(mac.Sum(nil)))
		}
		resp, err := client.Do(req)
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
	s.log().Warn("webhook not delivered", "url", url, "alert", a.Title, "err", last)
}

// RunAlerts turns events and conditions into alerts until ctx ends:
// failed runs and drills and new snapshots as they happen; servers past
// their RPO, agents offline longer than notify.offline_after, and
// certificates about to expire, checked every minute.
func (s *Service) RunAlerts(ctx context.Context) error {
	sub := s.Subscribe(256)
	defer sub.Close()
	tick := time.NewTicker(time.Minute)
	defer tick.Stop()
	s.checkConditions(ctx)
	for {
		select {
		case <-ctx.Done():
			return nil
		case <-tick.C:
			s.checkConditions(ctx)
		case ev, ok := <-sub.C:
			if !ok {
				sub = s.Subscribe(256)
				continue
			}
			s.alertFor(ctx, ev)
		}
	}
}

func (s *Service) alertFor(ctx context.Context, ev store.Event) {
	var d struct {
		RunID  int64  `json:"run_id"`
		ID     int64  `json:"id"`
		Status string `json:"status"`
		Path   string `json:"path"`
	}
	json.Unmarshal(ev.Data, &d)
	switch {
	case ev.Kind == events.RunProgress && d.Status == store.RunFailed && d.RunID > 0:
		r, err := s.st.Run(ctx, d.RunID)
		if err != nil {
			return
		}
		s.Raise(ctx, Alert{Kind: AlertRunFailed, Key: fmt.Sprintf("run_failed:job:%d", r.JobID), Server: r.ServerName,
			Title: fmt.Sprintf("Backup %s/%s failed", r.ServerName, r.JobName), Body: r.Error, Route: fmt.Sprintf("#/jobs/%d?run=%d", r.JobID, r.ID)})
	case ev.Kind == events.DrillChanged && d.Status == store.DrillFailed && d.ID > 0:
		dr, err := s.st.Drill(ctx, d.ID)
		if err != nil {
			return
		}
		s.Raise(ctx, Alert{Kind: AlertDrillFailed, Key: fmt.Sprintf("drill_failed:job:%d", dr.JobID), Server: dr.ServerName,
			Title: fmt.Sprintf("Restore drill of %s/%s failed", dr.ServerName, dr.JobName), Body: dr.Error, Route: fmt.Sprintf("#/jobs/%d", dr.JobID)})
	case ev.Kind == events.FlxInbox && ev.Message != "":
		s.Raise(ctx, Alert{Kind: AlertFlxInbox, Key: "flx_inbox:" + ev.Message, Title: "A .flx snapshot arrived", Body: ev.Message, Route: "#/restore"})
	}
}

// checkConditions raises RPO, offline and certificate alerts once per
// occurrence (again only after the condition cleared).
func (s *Service) checkConditions(ctx context.Context) {
	h, err := s.Health(ctx)
	if err != nil {
		return
	}
	offlineAfter := 30 * time.Minute
	if v, err := s.Setting(ctx, "notify.offline_after"); err == nil {
		if d, err := time.ParseDuration(v); err == nil && d > 0 {
			offlineAfter = d
		}
	}
	servers, _ := s.st.ListServers(ctx)
	lastSeen := map[string]*time.Time{}
	for _, sv := range servers {
		lastSeen[sv.UUID] = sv.LastSeen
	}
	now := s.now()
	s.alerts.mu.Lock()
	if s.alerts.raised == nil {
		s.alerts.raised, s.alerts.certDay = map[string]bool{}, map[string]string{}
	}
	var raise []Alert
	for _, sv := range h.Servers {
		rpoKey := "rpo_missed:" + sv.UUID
		past := sv.PastRPO
		if past && !s.alerts.raised[rpoKey] {
			raise = append(raise, Alert{Kind: AlertRPOMissed, Key: rpoKey, Server: sv.Name, Title: sv.Name + " is past its RPO",
				Body: strings.Join(sv.Reasons, "; "), Route: fmt.Sprintf("#/servers/%d", sv.ID)})
		}
		s.alerts.raised[rpoKey] = past
		offKey := "agent_offline:" + sv.UUID
		off := false
		if ls := lastSeen[sv.UUID]; !sv.Online && ls != nil && now.Sub(*ls) > offlineAfter {
			off = true
			if !s.alerts.raised[offKey] {
				raise = append(raise, Alert{Kind: AlertAgentOffline, Key: offKey, Server: sv.Name, Title: sv.Name + "'s agent is offline",
					Body: fmt.Sprintf("no heartbeat since %s (%s)", ls.Local().Format("2006-01-02 15:04"), roundAge(now.Sub(*ls))), Route: fmt.Sprintf("#/servers/%d", sv.ID)})
			}
		}
		s.alerts.raised[offKey] = off
		if sv.CertNotAfter != nil && sv.CertNotAfter.Sub(now) < 14*24*time.Hour && s.alerts.certDay[sv.UUID] != now.Format("2006-01-02") {
			s.alerts.certDay[sv.UUID] = now.Format("2006-01-02")
			raise = append(raise, Alert{Kind: AlertCertExpiring, Key: "cert_expiring:" + sv.UUID, Server: sv.Name,
				Title: sv.Name + "'s certificate expires " + sv.CertNotAfter.Format("2006-01-02"),
				Body:  "the agent renews it by itself 30 days before expiry; if it did not, check that the agent runs and reaches the coordinator", Route: fmt.Sprintf("#/servers/%d", sv.ID)})
		}
	}
	s.alerts.mu.Unlock()
	for _, a := range raise {
		s.Raise(ctx, a)
	}
}

// MailConfig is the SMTP configuration from the settings.
func (s *Service) MailConfig(ctx context.Context) (mail.Config, error) {
	get := func(k string) string { v, _ := s.Setting(ctx, k); return v }
	port, _ := strconv.Atoi(get("smtp.port"))
	pw, err := s.settings.Secret("smtp.password")
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

// SendTestEmail queues a test message to notify.email.to and delivers the
// outbox now; the error says what went wrong (unreachable server, wrong
// password, refused recipient). The message stays queued on failure.
func (s *Service) SendTestEmail(ctx context.Context) (string, error) {
	s.alerts.mu.Lock()
	outbox := s.alerts.outbox
	s.alerts.mu.Unlock()
	if outbox == nil {
		return "", fmt.Errorf("%w: this coordinator sends no e-mail", ErrUnavailable)
	}
	to, _ := s.Setting(ctx, "notify.email.to")
	rcpts := splitList(to)
	if len(rcpts) == 0 {
		return "", fmt.Errorf("%w: set the recipients first (notify.email.to)", ErrInvalid)
	}
	m, err := mail.Render(mail.Alert{Kind: "test", Title: "Test e-mail from Borgdesk", Body: "If you read this, Borgdesk's alerts reach you.",
		At: s.now(), Coordinator: hostname(), Version: s.version}, rcpts)
	if err != nil {
		return "", err
	}
	if err := outbox.SendNow(ctx, m); err != nil {
		return "", err
	}
	return "Test e-mail delivered to " + strings.Join(rcpts, ", "), nil
}

// MailStatus is the outbox's state.
func (s *Service) MailStatus() mail.Status {
	s.alerts.mu.Lock()
	outbox := s.alerts.outbox
	s.alerts.mu.Unlock()
	if outbox == nil {
		return mail.Status{}
	}
	return outbox.Status()
}
