package service

import (
	"context"
	"strconv"
)

// schedulesPausedKey is the setting that holds every job schedule while it
// is "true": the tray's "Pause all schedules".
const schedulesPausedKey = "schedules.paused"

// SchedulesPaused reports whether scheduled backups are paused. A setting
// that cannot be read counts as not paused: a broken database must not
// silently stop backups.
func (s *Service) SchedulesPaused(ctx context.Context) bool {
	v, err := s.Setting(ctx, schedulesPausedKey)
	return err == nil && v == "true"
}

// PauseSchedules pauses (or resumes) every job's schedule. Slots that fall
// due while paused are skipped, not caught up on resume; runs started by
// hand and runs already queued are not affected. The change is announced as
// settings:changed.
func (s *Service) PauseSchedules(ctx context.Context, paused bool) error {
	return s.SetSetting(ctx, schedulesPausedKey, strconv.FormatBool(paused))
}
