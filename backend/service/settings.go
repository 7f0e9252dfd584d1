package service

import (
	"context"
	"slices"

	"borgdesk/backend/settings"
)

// The settings room is backend/settings; the service keeps its names for
// the front doors (the window, the admin API, the CLI) and its own readers.

// Setting keys and defaults of the coordinator's addresses.
const (
	KeyGatewayListen     = settings.KeyGatewayListen
	KeySSHListen         = settings.KeySSHListen
	KeyGatewayURL        = settings.KeyGatewayURL
	KeyOperatorsListen   = settings.KeyOperatorsListen
	DefaultGatewayListen = settings.DefaultGatewayListen
	DefaultSSHListen     = settings.DefaultSSHListen
)

// Where an address came from, besides the flag or variable that named it.
const (
	FromSetting = settings.FromSetting
	FromDefault = settings.FromDefault
)

// Address is one of the coordinator's addresses as it started.
type Address = settings.Address

// ErrWriteOnly refuses to read a secret setting back.
var ErrWriteOnly = settings.ErrWriteOnly

// SettingKeys lists the known setting keys, sorted.
func SettingKeys() []string { return settings.Keys() }

// IsSecret reports whether key is a write-only setting.
func IsSecret(key string) bool { return settings.IsSecret(key) }

// NeedsRestart reports whether a change of key takes effect only when
// Borgdesk restarts.
func NeedsRestart(key string) bool { return settings.NeedsRestart(key) }

// CheckListenAddr accepts HOST:PORT or :PORT with a port from 1 to 65535.
func CheckListenAddr(v string) error { return settings.CheckListenAddr(v) }

// CheckGatewayURL accepts https://HOST or https://HOST:PORT.
func CheckGatewayURL(v string) error { return settings.CheckGatewayURL(v) }

// Settings returns every known setting, stored values over defaults; a
// secret only as "<key>_set".
func (s *Service) Settings(ctx context.Context) (map[string]string, error) {
	return s.settings.All(ctx)
}

// Setting returns one setting's value (its default when never set).
func (s *Service) Setting(ctx context.Context, key string) (string, error) {
	return s.settings.Get(ctx, key)
}

// SetSetting validates and stores a setting, then announces it.
func (s *Service) SetSetting(ctx context.Context, key, value string) error {
	return s.settings.Set(ctx, key, value)
}

// MoveSecretsOutOfDatabase moves secrets that earlier versions kept in the
// settings table into their files, once, at start-up.
func (s *Service) MoveSecretsOutOfDatabase(ctx context.Context) error {
	return s.settings.MoveSecretsOutOfDatabase(ctx)
}

// SchedulesPaused reports whether scheduled backups are paused (not when
// the setting cannot be read).
func (s *Service) SchedulesPaused(ctx context.Context) bool { return s.settings.SchedulesPaused(ctx) }

// PauseSchedules pauses (or resumes) every job's schedule; slots that fall
// due while paused are skipped, not caught up.
func (s *Service) PauseSchedules(ctx context.Context, paused bool) error {
	return s.settings.PauseSchedules(ctx, paused)
}

// Addresses are the addresses the coordinator started with.
func (s *Service) Addresses() []Address { return slices.Clone(s.addresses) }
