package service

import (
	"context"
	"errors"
	"fmt"
	"time"

	"borgdesk/backend/alerts"
	"borgdesk/backend/mail"
)

// Digest is a digest e-mail: to whom, its subject and its text.
type Digest struct {
	To      []string `json:"to"`
	Subject string   `json:"subject"`
	Text    string   `json:"text"`
	// Queued is true when it was put in the outbox (false: a preview).
	Queued bool `json:"queued"`
}

// DigestNow shows (send false) or queues in the outbox (send true) the
// digest of the last day, or week when weekly is set: what notify.digest
// sends by itself.
func (s *Service) DigestNow(ctx context.Context, weekly, send bool) (Digest, error) {
	period := 24 * time.Hour
	if weekly {
		period = 7 * 24 * time.Hour
	}
	if send {
		m, err := s.alerts.SendDigest(ctx, period)
		if err != nil {
			if errors.Is(err, alerts.ErrNoDigestRecipients) {
				return Digest{}, fmt.Errorf("%w: the digest has %v", ErrInvalid, err)
			}
			return Digest{}, err
		}
		return Digest{To: m.To, Subject: m.Subject, Text: m.Text, Queued: true}, nil
	}
	d, err := s.alerts.BuildDigest(ctx, period)
	if err != nil {
		return Digest{}, err
	}
	to, _ := s.Setting(ctx, "notify.email.to")
	m, err := mail.RenderDigest(d, nil)
	return Digest{To: alerts.Recipients(to), Subject: m.Subject, Text: m.Text}, err
}
