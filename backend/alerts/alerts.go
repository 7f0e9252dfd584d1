// Package alerts decides what the operator must hear about and sends it on
// the channels the notify.*.events settings name: the desktop (through the
// function the app gives, backend/notify), e-mail (through the outbox,
// backend/mail) and a webhook. Failed runs, drills and replications and
// new .flx snapshots are alerted as their events arrive; servers past
// their RPO, agents offline too long and certificates about to expire are
// looked for every minute in the fleet's health (backend/health).
//
// It never changes what it watches: it reads events, the store, the
// health and the settings, and writes nothing but its outbox. Raise never
// waits on the network: e-mail is queued to the outbox, webhooks are posted
// in the background. It shows no notification itself and speaks no SMTP:
// notify and mail do.
package alerts

import (
	"context"
	"encoding/json"
	"fmt"
	"log/slog"
	"net/http"
	"os"
	"slices"
	"strings"
	"sync"
	"time"

	"borgdesk/backend/events"
	"borgdesk/backend/health"
	"borgdesk/backend/mail"
	"borgdesk/backend/settings"
	"borgdesk/backend/shared/units"
	"borgdesk/backend/store"
)

// Alert kinds, the names used in the notify.*.events settings (which
// backend/settings validates).
const (
	RunFailed    = settings.AlertRunFailed
	RPOMissed    = settings.AlertRPOMissed
	AgentOffline = settings.AlertAgentOffline
	CertExpiring = settings.AlertCertExpiring
	DrillFailed  = settings.AlertDrillFailed
	FlxInbox     = settings.AlertFlxInbox
	// ReplicaFailed: a repository could not be copied to its replica.
	ReplicaFailed = settings.AlertReplicaFailed
	// RunSucceeded: a run of a job that asks for it succeeded.
	RunSucceeded = settings.AlertRunSucceeded
)

// Kinds lists every alert kind.
var Kinds = settings.AlertKinds

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

// Store is what the alerts read from the database.
type Store interface {
	Run(ctx context.Context, id int64) (store.Run, error)
	Job(ctx context.Context, id int64) (store.Job, error)
	Drill(ctx context.Context, id int64) (store.Drill, error)
	ListServers(ctx context.Context) ([]store.Server, error)
	// The digest's: sizes over time, the runs of its period, and when the
	// last digest went (a coordinator's note, not a setting).
	RepoSizes(ctx context.Context, since time.Time) (map[int64][]store.SizePoint, error)
	RunsFinished(ctx context.Context, from, to time.Time) ([]store.Run, error)
	Setting(ctx context.Context, key string) (string, error)
	SetSetting(ctx context.Context, key, value string) error
}

// Config is everything an Alerts needs; it is complete at construction.
// Store, Bus, Health, Setting, Secret and Go are required.
type Config struct {
	Store Store
	// Bus brings the events alerted as they happen.
	Bus *events.Bus
	// Health rates the fleet, for the conditions checked every minute.
	Health func(ctx context.Context) (health.Fleet, error)
	// Setting reads a setting (notify.*, smtp.*); Secret reads a secret
	// one (smtp.password, notify.webhook.secret), "" when it is not set.
	Setting func(ctx context.Context, key string) (string, error)
	Secret  func(key string) (string, error)
	// Go runs a webhook's delivery in the background, under a context
	// that ends at shutdown (the orchestrator's Go).
	Go func(name string, fn func(ctx context.Context))
	// Desktop shows an alert on the desktop; no desktop alerts when nil.
	Desktop func(Alert)
	// MailDir is the data dir whose outbox (outbox.mbox, sent.mbox) e-mail
	// goes through; the coordinator sends no e-mail when it is empty.
	MailDir string
	// Problem tells the operator about a damaged or locked outbox.
	Problem func(msg string)
	Now     func() time.Time
	Version string
	Logger  *slog.Logger
}

// Alerts is the alert dispatcher.
type Alerts struct {
	cfg    Config
	outbox *mail.Outbox
	hooks  *http.Client
	log    *slog.Logger

	mu      sync.Mutex
	emailed map[string]time.Time // key → last e-mail
	folded  map[string]int       // key → repeats not e-mailed since
	raised  map[string]bool      // condition alerts (RPO, offline) raised and not yet cleared
	certDay map[string]string    // server → day a certificate alert was sent
}

// emailEvery is how often the same alert key may send an e-mail; repeats
// in between are counted in the next one.
const emailEvery = 15 * time.Minute

// New returns the dispatcher cfg describes, with its outbox when
// cfg.MailDir is set (RunOutbox delivers it).
func New(cfg Config) *Alerts {
	if cfg.Now == nil {
		cfg.Now = time.Now
	}
	if cfg.Logger == nil {
		cfg.Logger = slog.New(slog.DiscardHandler)
	}
	if cfg.Store == nil || cfg.Bus == nil || cfg.Health == nil || cfg.Setting == nil || cfg.Secret == nil || cfg.Go == nil {
		panic("alerts.New: Store, Bus, Health, Setting, Secret and Go are required")
	}
	a := &Alerts{cfg: cfg, log: cfg.Logger, hooks: &http.Client{Timeout: 10 * time.Second},
		emailed: map[string]time.Time{}, folded: map[string]int{}, raised: map[string]bool{}, certDay: map[string]string{}}
	if cfg.MailDir != "" {
		a.outbox = mail.Open(cfg.MailDir, mail.Options{Config: a.MailConfig, Logger: cfg.Logger, Problem: cfg.Problem})
	}
	return a
}

// channelWants reports whether a notify.<channel>.events setting names kind.
func (a *Alerts) channelWants(ctx context.Context, channel, kind string) bool {
	v, err := a.cfg.Setting(ctx, "notify."+channel+".events")
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
func (a *Alerts) Raise(ctx context.Context, al Alert) {
	if al.At.IsZero() {
		al.At = a.cfg.Now()
	}
	if al.Key == "" {
		al.Key = al.Kind + ":" + al.Server
	}
	if a.cfg.Desktop != nil && a.channelWants(ctx, "desktop", al.Kind) {
		a.cfg.Desktop(al)
	}
	if a.outbox != nil && a.channelWants(ctx, "email", al.Kind) {
		a.emailAlert(ctx, al)
	}
	if a.channelWants(ctx, "webhook", al.Kind) {
		a.cfg.Go("webhook", func(ctx context.Context) { a.postWebhook(ctx, al) })
	}
}

func hostname() string {
	h, _ := os.Hostname()
	return h
}

// Run turns events and conditions into alerts until ctx ends: failed runs
// and drills and new snapshots as they happen; servers past their RPO,
// agents offline longer than notify.offline_after, and certificates about
// to expire, checked every minute.
func (a *Alerts) Run(ctx context.Context) error {
	sub := a.cfg.Bus.Subscribe(256)
	defer sub.Close()
	tick := time.NewTicker(time.Minute)
	defer tick.Stop()
	a.checkConditions(ctx)
	for {
		select {
		case <-ctx.Done():
			return nil
		case <-tick.C:
			a.checkConditions(ctx)
			a.sendDigestIfDue(ctx)
		case ev, ok := <-sub.C:
			if !ok {
				sub = a.cfg.Bus.Subscribe(256)
				continue
			}
			a.alertFor(ctx, ev)
		}
	}
}

func (a *Alerts) alertFor(ctx context.Context, ev store.Event) {
	var d struct {
		RunID  int64  `json:"run_id"`
		ID     int64  `json:"id"`
		Status string `json:"status"`
		Path   string `json:"path"`
	}
	json.Unmarshal(ev.Data, &d)
	switch {
	case ev.Kind == events.RunProgress && d.Status == store.RunFailed && d.RunID > 0:
		r, err := a.cfg.Store.Run(ctx, d.RunID)
		if err != nil {
			return
		}
		a.Raise(ctx, Alert{Kind: RunFailed, Key: fmt.Sprintf("run_failed:job:%d", r.JobID), Server: r.ServerName,
			Title: fmt.Sprintf("Backup %s/%s failed", r.ServerName, r.JobName), Body: r.Error, Route: fmt.Sprintf("#/jobs/%d?run=%d", r.JobID, r.ID)})
	case ev.Kind == events.RunProgress && (d.Status == store.RunSucceeded || d.Status == store.RunWarning) && d.RunID > 0:
		r, err := a.cfg.Store.Run(ctx, d.RunID)
		if err != nil {
			return
		}
		if j, err := a.cfg.Store.Job(ctx, r.JobID); err != nil || !j.NotifySuccess {
			return // only jobs that ask for it
		}
		title := fmt.Sprintf("Backup %s/%s succeeded", r.ServerName, r.JobName)
		body := fmt.Sprintf("archive %s: %d files, %s read, %s new", r.Archive, r.Files, units.Bytes(r.Bytes), units.Bytes(r.Deduplicated))
		if r.Status == store.RunWarning {
			title = fmt.Sprintf("Backup %s/%s succeeded with warnings", r.ServerName, r.JobName)
			body += "; " + r.Error
		}
		a.Raise(ctx, Alert{Kind: RunSucceeded, Key: fmt.Sprintf("run_succeeded:run:%d", r.ID), Server: r.ServerName,
			Title: title, Body: body, Route: fmt.Sprintf("#/jobs/%d?run=%d", r.JobID, r.ID)})
	case ev.Kind == events.DrillChanged && d.Status == store.DrillFailed && d.ID > 0:
		dr, err := a.cfg.Store.Drill(ctx, d.ID)
		if err != nil {
			return
		}
		a.Raise(ctx, Alert{Kind: DrillFailed, Key: fmt.Sprintf("drill_failed:job:%d", dr.JobID), Server: dr.ServerName,
			Title: fmt.Sprintf("Restore drill of %s/%s failed", dr.ServerName, dr.JobName), Body: dr.Error, Route: fmt.Sprintf("#/jobs/%d", dr.JobID)})
	case ev.Kind == events.FlxInbox && ev.Message != "":
		a.Raise(ctx, Alert{Kind: FlxInbox, Key: "flx_inbox:" + ev.Message, Title: "A .flx snapshot arrived", Body: ev.Message, Route: "#/restore"})
	}
}

// checkConditions raises RPO, offline and certificate alerts once per
// occurrence (again only after the condition cleared).
func (a *Alerts) checkConditions(ctx context.Context) {
	h, err := a.cfg.Health(ctx)
	if err != nil {
		return
	}
	offlineAfter := 30 * time.Minute
	if v, err := a.cfg.Setting(ctx, "notify.offline_after"); err == nil {
		if d, err := time.ParseDuration(v); err == nil && d > 0 {
			offlineAfter = d
		}
	}
	servers, _ := a.cfg.Store.ListServers(ctx)
	lastSeen := map[string]*time.Time{}
	for _, sv := range servers {
		lastSeen[sv.UUID] = sv.LastSeen
	}
	now := a.cfg.Now()
	a.mu.Lock()
	var raise []Alert
	for _, sv := range h.Servers {
		rpoKey := "rpo_missed:" + sv.UUID
		past := sv.PastRPO
		if past && !a.raised[rpoKey] {
			raise = append(raise, Alert{Kind: RPOMissed, Key: rpoKey, Server: sv.Name, Title: sv.Name + " is past its RPO",
				Body: strings.Join(sv.Reasons, "; "), Route: fmt.Sprintf("#/servers/%d", sv.ID)})
		}
		a.raised[rpoKey] = past
		offKey := "agent_offline:" + sv.UUID
		off := false
		if ls := lastSeen[sv.UUID]; !sv.Online && ls != nil && now.Sub(*ls) > offlineAfter {
			off = true
			if !a.raised[offKey] {
				raise = append(raise, Alert{Kind: AgentOffline, Key: offKey, Server: sv.Name, Title: sv.Name + "'s agent is offline",
					Body: fmt.Sprintf("no heartbeat since %s (%s)", ls.Local().Format("2006-01-02 15:04"), health.RoundAge(now.Sub(*ls))), Route: fmt.Sprintf("#/servers/%d", sv.ID)})
			}
		}
		a.raised[offKey] = off
		if sv.CertNotAfter != nil && sv.CertNotAfter.Sub(now) < 14*24*time.Hour && a.certDay[sv.UUID] != now.Format("2006-01-02") {
			a.certDay[sv.UUID] = now.Format("2006-01-02")
			raise = append(raise, Alert{Kind: CertExpiring, Key: "cert_expiring:" + sv.UUID, Server: sv.Name,
				Title: sv.Name + "'s certificate expires " + sv.CertNotAfter.Format("2006-01-02"),
				Body:  "the agent renews it by itself 30 days before expiry; if it did not, check that the agent runs and reaches the coordinator", Route: fmt.Sprintf("#/servers/%d", sv.ID)})
		}
	}
	a.mu.Unlock()
	for _, al := range raise {
		a.Raise(ctx, al)
	}
}
