package operators

import (
	"context"
	"fmt"

	"borgdesk/backend/events"
	"borgdesk/backend/store"
)

// Audit results.
const (
	ResultOK      = "ok"
	ResultFailed  = "failed"
	ResultRefused = "refused"
)

// Record writes one audit entry (every mutating call and every refusal),
// then tells the event log, so the Events page shows it.
func (o *Operators) Record(ctx context.Context, e store.AuditEntry) error {
	saved, err := o.cfg.Store.AppendAudit(ctx, e)
	if err != nil {
		return err
	}
	msg := fmt.Sprintf("%s (%s): %s %s: %s", saved.Operator, saved.Role, saved.Action, saved.Target, saved.Result)
	if saved.Detail != "" {
		msg += ": " + saved.Detail
	}
	return o.cfg.Events.Publish(ctx, events.Audit, saved.Operator, msg, auditData(saved.Operator, Role(saved.Role), saved.Action, saved.Target, saved.Result))
}

func auditData(name string, role Role, action, target, result string) map[string]any {
	return map[string]any{"operator": name, "role": role, "action": action, "target": target, "status": result}
}

// MaxAudit bounds one read of the audit log.
const MaxAudit = 10_000

// Audit returns the newest entries (operator's only when not empty),
// newest first; limit 0 means 100.
func (o *Operators) Audit(ctx context.Context, operator string, limit int) ([]store.AuditEntry, error) {
	if limit <= 0 {
		limit = 100
	}
	limit = min(limit, MaxAudit)
	return o.cfg.Store.ListAudit(ctx, operator, limit)
}
