package settings

import (
	"context"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strings"

	"borgdesk/backend/events"
	"borgdesk/backend/shared/atomicfile"
	"borgdesk/backend/store"
)

// secrets are write-only settings: each lives in DATA/keys/<file> (mode
// 0600), outside the database so that a copy of it carries no secret, and
// no reply, listing or event ever holds its value: readers see only
// "<key>_set".
var secrets = map[string]string{
	"smtp.password":         "smtp.password",
	"notify.webhook.secret": "webhook.secret",
}

// IsSecret reports whether key is a write-only setting.
func IsSecret(key string) bool { _, ok := secrets[key]; return ok }

// ErrWriteOnly refuses to read a secret setting back.
var ErrWriteOnly = errors.New("write-only setting")

func (s *Settings) secretPath(key string) string {
	return s.layout.Key(secrets[key])
}

// Secret reads a secret setting ("" when it is not set) for the part that
// uses it (the mailer, the webhook signer), which must never pass it on to
// a reply or an event.
func (s *Settings) Secret(key string) (string, error) {
	raw, err := os.ReadFile(s.secretPath(key))
	if errors.Is(err, os.ErrNotExist) {
		return "", nil
	}
	if err != nil {
		return "", fmt.Errorf("read %s: %w", key, err)
	}
	return strings.TrimRight(string(raw), "\n"), nil
}

// setSecret stores (or, when empty, removes) a secret setting and announces
// only that it changed.
func (s *Settings) setSecret(ctx context.Context, key, value string) error {
	path := s.secretPath(key)
	if value == "" {
		if err := os.Remove(path); err != nil && !errors.Is(err, os.ErrNotExist) {
			return fmt.Errorf("remove %s: %w", key, err)
		}
	} else {
		if err := os.MkdirAll(filepath.Dir(path), 0o700); err != nil {
			return err
		}
		if err := atomicfile.Write(path, []byte(value), 0o600); err != nil {
			return fmt.Errorf("store %s: %w", key, err)
		}
	}
	return s.events.Publish(ctx, events.SettingsChanged, key, key+" changed", map[string]string{"key": key})
}

// secretsSet adds "<key>_set" for every secret, and blanks the secrets.
func (s *Settings) secretsSet(out map[string]string) {
	for key := range secrets {
		out[key] = ""
		out[key+"_set"] = "false"
		if _, err := os.Stat(s.secretPath(key)); err == nil {
			out[key+"_set"] = "true"
		}
	}
}

// MoveSecretsOutOfDatabase moves secrets that earlier versions kept in the
// settings table (the webhook secret) into their files, once, at start-up.
func (s *Settings) MoveSecretsOutOfDatabase(ctx context.Context) error {
	for key := range secrets {
		v, err := s.st.Setting(ctx, key)
		if errors.Is(err, store.ErrNotFound) {
			continue
		}
		if err != nil {
			return err
		}
		if have, _ := s.Secret(key); have == "" && v != "" {
			if err := os.MkdirAll(filepath.Dir(s.secretPath(key)), 0o700); err != nil {
				return err
			}
			if err := atomicfile.Write(s.secretPath(key), []byte(v), 0o600); err != nil {
				return fmt.Errorf("move %s out of the database: %w", key, err)
			}
		}
		if err := s.st.DeleteSetting(ctx, key); err != nil {
			return fmt.Errorf("move %s out of the database: %w", key, err)
		}
	}
	return nil
}
