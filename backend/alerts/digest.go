package alerts

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"time"

	"borgdesk/backend/health"
	"borgdesk/backend/mail"
	"borgdesk/backend/shared/units"
	"borgdesk/backend/store"
)

// The digest: a daily or weekly e-mail (setting notify.digest, sent at
// notify.digest_at, weekly on Mondays) that says all is well, or what is
// not — each server's last backup, its repository's size and growth over
// the period, the failed runs, backups no drill verified lately and
// certificates about to expire. It goes through the outbox like every
// mail; when it last went is a note in the database, so a restart neither
// sends it twice nor skips one.

// noteDigestLast is when the last digest was queued (RFC 3339).
const noteDigestLast = "notify.digest.last_sent"

// ErrNoDigestRecipients means a digest has no one to go to.
var ErrNoDigestRecipients = errors.New("no recipients: set notify.email.to first")

// digestSlot is the newest time the digest was due at or before now, and
// the period it covers ("" when the digest is off or misconfigured).
func (a *Alerts) digestSlot(ctx context.Context, now time.Time) (slot time.Time, period time.Duration, ok bool) {
	every, _ := a.cfg.Setting(ctx, "notify.digest")
	at, _ := a.cfg.Setting(ctx, "notify.digest_at")
	clock, err := time.Parse("15:04", at)
	if err != nil {
		return time.Time{}, 0, false
	}
	local := now.Local()
	slot = time.Date(local.Year(), local.Month(), local.Day(), clock.Hour(), clock.Minute(), 0, 0, time.Local)
	switch every {
	case "daily":
		if slot.After(local) {
			slot = slot.AddDate(0, 0, -1)
		}
		return slot, 24 * time.Hour, true
	case "weekly":
		for slot.Weekday() != time.Monday || slot.After(local) {
			slot = slot.AddDate(0, 0, -1)
		}
		return slot, 7 * 24 * time.Hour, true
	}
	return time.Time{}, 0, false
}

// sendDigestIfDue queues the digest once per slot. A coordinator that was
// closed at the slot sends it when it is next up, within the period.
func (a *Alerts) sendDigestIfDue(ctx context.Context) {
	if a.outbox == nil {
		return
	}
	now := a.cfg.Now()
	slot, period, ok := a.digestSlot(ctx, now)
	if !ok {
		return
	}
	if v, err := a.cfg.Store.Setting(ctx, noteDigestLast); err == nil {
		if last, err := time.Parse(time.RFC3339, v); err == nil && !last.Before(slot) {
			return // this slot's digest went
		}
	}
	if now.Sub(slot) > period {
		return
	}
	if _, err := a.SendDigest(ctx, period); err != nil {
		a.log.Error("digest e-mail not queued", "err", err)
	}
}

// SendDigest queues a digest of the last period to notify.email.to now,
// and notes that it went. It returns what it queued.
func (a *Alerts) SendDigest(ctx context.Context, period time.Duration) (mail.Message, error) {
	if a.outbox == nil {
		return mail.Message{}, errors.New("this coordinator sends no e-mail")
	}
	to, _ := a.cfg.Setting(ctx, "notify.email.to")
	rcpts := splitList(to)
	if len(rcpts) == 0 {
		return mail.Message{}, ErrNoDigestRecipients
	}
	d, err := a.BuildDigest(ctx, period)
	if err != nil {
		return mail.Message{}, err
	}
	m, err := mail.RenderDigest(d, rcpts)
	if err != nil {
		return mail.Message{}, err
	}
	if err := a.outbox.Queue(ctx, m); err != nil {
		return mail.Message{}, err
	}
	return m, a.cfg.Store.SetSetting(ctx, noteDigestLast, a.cfg.Now().UTC().Format(time.RFC3339))
}

// BuildDigest gathers the digest of the period that ends now.
func (a *Alerts) BuildDigest(ctx context.Context, period time.Duration) (mail.Digest, error) {
	now := a.cfg.Now()
	from := now.Add(-period)
	h, err := a.cfg.Health(ctx)
	if err != nil {
		return mail.Digest{}, err
	}
	sizes, err := a.cfg.Store.RepoSizes(ctx, from.Add(-period)) // one point before the period, to measure growth from
	if err != nil {
		return mail.Digest{}, err
	}
	runs, err := a.cfg.Store.RunsFinished(ctx, from, now)
	if err != nil {
		return mail.Digest{}, err
	}
	word := "Daily"
	if period > 24*time.Hour {
		word = "Weekly"
	}
	d := mail.Digest{At: now, Coordinator: hostname(), Version: a.cfg.Version, Red: h.Red > 0}
	var stale []string
	for _, sv := range h.Servers {
		line := mail.DigestServer{Name: sv.Name, StateWord: stateWord(sv.State), LastBackup: "never", Size: "-", Growth: "-"}
		if sv.LastBackup != nil {
			line.LastBackup = sv.LastBackup.Local().Format("Mon 2 Jan 15:04") + " (" + health.RoundAge(now.Sub(*sv.LastBackup)) + " ago)"
		}
		if pts := sizes[sv.ID]; len(pts) > 0 {
			last := pts[len(pts)-1]
			line.Size = units.Bytes(last.Bytes)
			base := pts[0]
			for _, p := range pts {
				if p.At.After(from) {
					break
				}
				base = p
			}
			line.Growth = signedBytes(last.Bytes - base.Bytes)
		}
		if sv.State != health.Green && sv.State != health.Paused {
			line.Reasons = strings.Join(sv.Reasons, "; ")
		}
		d.Servers = append(d.Servers, line)
		for _, is := range sv.Issues {
			if is.Code == health.IssueNoDrill {
				stale = append(stale, sv.Name)
				break
			}
		}
		if sv.CertNotAfter != nil && sv.CertNotAfter.Sub(now) < 30*24*time.Hour {
			d.Certificates = append(d.Certificates, fmt.Sprintf("%s: expires %s", sv.Name, sv.CertNotAfter.Local().Format("Mon 2 Jan 2006")))
		}
	}
	d.StaleDrills = strings.Join(stale, ", ")
	for _, r := range runs {
		if r.Status == store.RunFailed {
			d.Failures = append(d.Failures, mail.DigestFailure{At: r.FinishedAt.Local().Format("Mon 2 Jan 15:04"), Job: r.ServerName + "/" + r.JobName, Error: firstLine(r.Error)})
		}
	}
	succeeded := 0
	for _, r := range runs {
		if r.Status == store.RunSucceeded || r.Status == store.RunWarning {
			succeeded++
		}
	}
	switch {
	case len(h.Servers) == 0:
		d.Title = word + " digest: no servers yet"
		d.Summary = "No server is enrolled yet."
	case h.Red == 0 && h.Amber == 0 && len(d.Failures) == 0:
		d.Title = fmt.Sprintf("%s digest: all is well (%d servers)", word, len(h.Servers))
		d.Summary = fmt.Sprintf("Every server is within its RPO; %d run(s) succeeded and none failed since %s.", succeeded, from.Local().Format("Mon 2 Jan 15:04"))
	default:
		d.Title = fmt.Sprintf("%s digest: %d red, %d amber, %d failed run(s)", word, h.Red, h.Amber, len(d.Failures))
		d.Summary = fmt.Sprintf("%s. %d run(s) succeeded and %d failed since %s.", h.Summary, succeeded, len(d.Failures), from.Local().Format("Mon 2 Jan 15:04"))
	}
	return d, nil
}

func stateWord(s string) string {
	switch s {
	case health.Green:
		return "OK"
	case health.Amber:
		return "WARN"
	case health.Red:
		return "FAIL"
	}
	return strings.ToUpper(s)
}

func signedBytes(n int64) string {
	if n < 0 {
		return "−" + units.Bytes(-n)
	}
	return "+" + units.Bytes(n)
}

func firstLine(s string) string {
	line, _, _ := strings.Cut(s, "\n")
	return line
}

// Recipients splits a notify.email.to value into addresses.
func Recipients(list string) []string { return splitList(list) }
