package service

import (
	"context"

	"borgdesk/backend/alerts"
	"borgdesk/backend/mail"
)

// Alerts are decided and sent by backend/alerts; these names keep the
// service's API as it was.

// Alert is something the operator must hear about.
type Alert = alerts.Alert

// Alert kinds, the names used in the notify.*.events settings.
const (
	AlertRunFailed     = alerts.RunFailed
	AlertRPOMissed     = alerts.RPOMissed
	AlertAgentOffline  = alerts.AgentOffline
	AlertCertExpiring  = alerts.CertExpiring
	AlertDrillFailed   = alerts.DrillFailed
	AlertFlxInbox      = alerts.FlxInbox
	AlertReplicaFailed = alerts.ReplicaFailed
)

// AlertKinds lists every alert kind.
var AlertKinds = alerts.Kinds

// newAlerts builds the alert dispatcher over the service's store, events,
// health and settings; e-mail goes through the outbox in the data dir when
// cfg.SendMail, desktop alerts to cfg.Desktop. A damaged or locked outbox
// is told as a notification under the orchestrator's context (the
// coordinator's).
func (s *Service) newAlerts(cfg Config) *alerts.Alerts {
	mailDir := ""
	if cfg.SendMail {
		mailDir = s.dataDir
	}
	return alerts.New(alerts.Config{Store: s.st, Bus: s.bus, Health: s.Health, Setting: s.Setting, Secret: s.settings.Secret,
		Go: s.orch.Go, Desktop: cfg.Desktop, MailDir: mailDir, Now: s.now, Version: s.version, Logger: s.logger,
		Problem: func(msg string) { s.Notify(s.orch.Context(), msg) }})
}

// Raise sends an alert to the channels that want its kind.
func (s *Service) Raise(ctx context.Context, a Alert) { s.alerts.Raise(ctx, a) }

// RunAlerts turns events and conditions into alerts until ctx ends.
func (s *Service) RunAlerts(ctx context.Context) error { return s.alerts.Run(ctx) }

// MailConfig is the SMTP configuration from the settings.
func (s *Service) MailConfig(ctx context.Context) (mail.Config, error) {
	return s.alerts.MailConfig(ctx)
}

// SendTestEmail queues a test message to notify.email.to and delivers the
// outbox now; the error says what went wrong (unreachable server, wrong
// password, refused recipient). The message stays queued on failure.
func (s *Service) SendTestEmail(ctx context.Context) (string, error) {
	return s.alerts.SendTestEmail(ctx)
}

// MailStatus is the outbox's state.
func (s *Service) MailStatus() mail.Status { return s.alerts.MailStatus() }
