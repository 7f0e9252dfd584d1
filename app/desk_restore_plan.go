package app

import "borgdesk/backend/service"

// PlanRestore says what a restore would do before it starts: the files and
// bytes it restores and where each item lands on the target.
func (d *Desk) PlanRestore(req service.RestoreRequest) (service.RestorePlan, error) {
	return d.svc.PlanRestore(d.context(), req)
}
