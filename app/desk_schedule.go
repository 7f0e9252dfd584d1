package app

import "borgdesk/backend/service"

// DescribeSchedule describes a cron schedule for the job wizard as it is
// typed: its shape (for the window to say in words), its next five runs,
// Go's sentence when the scheduler would refuse it, and whether it can keep
// the backups of server (its name, uuid or id; "" for rpo.default) within
// that server's RPO.
func (d *Desk) DescribeSchedule(expr, server string) (service.ScheduleDescription, error) {
	return d.svc.DescribeSchedule(d.context(), expr, server)
}
