// Package settings is the operator's settings: the table of known keys with
// their defaults, help and validators, the write-only secrets kept in files
// under DATA/keys, and the coordinator's addresses.
//
// It validates, stores and announces; nothing more. It never applies a
// change itself (whoever needs a setting reads it when it needs it: the
// scheduler, the alerts, the coordinator at start-up), never keeps a copy of
// a value between calls, and never lets a secret's value into the database,
// a reply, a listing or an event: readers of a secret see only "<key>_set".
// A change is stored before it is announced as settings:changed.
package settings

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"strconv"
	"strings"
	"time"

	"borgdesk/backend/datadir"
	"borgdesk/backend/events"
	"borgdesk/backend/fault"
	"borgdesk/backend/store"
)

// Config is what Settings needs.
type Config struct {
	// Store holds the settings table.
	Store *store.Store
	// Events writes and announces settings:changed.
	Events events.Log
	// Layout places the secret files (DATA/keys).
	Layout datadir.Layout
}

// Settings reads, validates, stores and announces the operator's settings.
type Settings struct {
	st     *store.Store
	events events.Log
	layout datadir.Layout
}

// New returns the settings over cfg's store.
func New(cfg Config) *Settings {
	return &Settings{st: cfg.Store, events: cfg.Events, layout: cfg.Layout}
}

// Keys lists the known setting keys, sorted.
func Keys() []string {
	keys := make([]string, 0, len(table))
	for k := range table {
		keys = append(keys, k)
	}
	slices.Sort(keys)
	return keys
}

// All returns every known setting, stored values over defaults.
func (s *Settings) All(ctx context.Context) (map[string]string, error) {
	stored, err := s.st.Settings(ctx)
	if err != nil {
		return nil, err
	}
	out := make(map[string]string, len(table))
	for k, def := range table {
		out[k] = def.def
		if v, ok := stored[k]; ok {
			out[k] = v
		}
	}
	// Per-server RPOs, and the secrets only as "is it set".
	for k, v := range stored {
		if strings.HasPrefix(k, "rpo.") {
			out[k] = v
		}
	}
	s.secretsSet(out)
	return out, nil
}

// Get returns one setting's value (its default when never set).
func (s *Settings) Get(ctx context.Context, key string) (string, error) {
	def, ok := lookup(key)
	if !ok {
		return "", unknown(key)
	}
	if IsSecret(key) {
		return "", fmt.Errorf("%w: %s is %v: it is never shown again; `borgdesk settings get` lists %s_set (true or false)", fault.ErrInvalid, key, ErrWriteOnly, key)
	}
	v, err := s.st.Setting(ctx, key)
	if errors.Is(err, store.ErrNotFound) {
		return def.def, nil
	}
	return v, err
}

// Set validates and stores a setting, then announces it.
func (s *Settings) Set(ctx context.Context, key, value string) error {
	def, ok := lookup(key)
	if !ok {
		return unknown(key)
	}
	if IsSecret(key) {
		return s.setSecret(ctx, key, value)
	}
	value = strings.TrimSpace(value)
	if err := def.validate(value); err != nil {
		return fmt.Errorf("%w: %s: %v (expected %s)", fault.ErrInvalid, key, err, def.help)
	}
	if err := s.st.SetSetting(ctx, key, value); err != nil {
		return err
	}
	return s.events.Publish(ctx, events.SettingsChanged, key, key+" changed", map[string]string{"key": key, "value": value})
}

func unknown(key string) error {
	return fmt.Errorf("%w: unknown setting %q; known settings: %s", fault.ErrInvalid, key, strings.Join(Keys(), ", "))
}

// KeySchedulesPaused is the setting that holds every job schedule while it
// is "true": the tray's "Pause all schedules".
const KeySchedulesPaused = "schedules.paused"

// SchedulesPaused reports whether scheduled backups are paused. A setting
// that cannot be read counts as not paused: a broken database must not
// silently stop backups.
func (s *Settings) SchedulesPaused(ctx context.Context) bool {
	v, err := s.Get(ctx, KeySchedulesPaused)
	return err == nil && v == "true"
}

// PauseSchedules pauses (or resumes) every job's schedule. Slots that fall
// due while paused are skipped, not caught up on resume; runs started by
// hand and runs already queued are not affected (the scheduler reads the
// setting). The change is announced as settings:changed.
func (s *Settings) PauseSchedules(ctx context.Context, paused bool) error {
	return s.Set(ctx, KeySchedulesPaused, strconv.FormatBool(paused))
}

// the default, help and validator of one key the operator may set.
type setting struct {
	def      string
	help     string
	validate func(string) error
}

// lookup finds a key's definition; "rpo.<server name>" is a per-server RPO
// (empty: the default applies).
func lookup(key string) (setting, bool) {
	if def, ok := table[key]; ok {
		return def, true
	}
	if name, ok := strings.CutPrefix(key, "rpo."); ok && name != "" {
		min := minDuration(time.Hour)
		return setting{def: "", help: "a duration of at least 1h for this server, or empty for rpo.default", validate: func(v string) error {
			if v == "" {
				return nil
			}
			return min(v)
		}}, true
	}
	return setting{}, false
}
