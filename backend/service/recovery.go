package service

import (
	"context"
	"errors"
	"fmt"
	"net"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"time"

	"borgdesk/backend/events"
	"borgdesk/backend/recoverykit"
	"borgdesk/backend/store"
)

// Settings the recovery kit keeps. recovery.last_export is a known setting
// (settings get shows it); the others are the coordinator's own notes.
const (
	settingKitLast    = "recovery.last_export"
	settingKitPath    = "recovery.last_export_path"
	settingKitServers = "recovery.last_export_servers"
	settingKitDigest  = "recovery.last_export_digest"
)

// KitExportRequest asks for a recovery kit at Path (absolute, on this
// machine) encrypted with Passphrase.
type KitExportRequest struct {
	Path       string `json:"path"`
	Passphrase string `json:"passphrase"`
}

// KitExport is a kit just written.
type KitExport struct {
	Path      string               `json:"path"`
	Size      int64                `json:"size"`
	CreatedAt time.Time            `json:"created_at" ts_type:"string"`
	Manifest  recoverykit.Manifest `json:"manifest"`
	Warnings  []string             `json:"warnings"`
}

// KitStatus says when the last kit was made and whether it still holds
// everything a new workstation would need.
type KitStatus struct {
	LastExport *time.Time `json:"last_export" ts_type:"string"`
	LastPath   string     `json:"last_path"`
	// Stale: no kit yet, or the fleet's secrets changed since the last.
	Stale bool `json:"stale"`
	// NewServers are the servers enrolled since the last kit.
	NewServers []string `json:"new_servers"`
	// SecretsChanged: keys, passphrases or repositories changed since.
	SecretsChanged bool `json:"secrets_changed"`
}

// ExportRecoveryKit writes a recovery kit of this coordinator: the CA, the
// update-signing key, the SSH host key, every repository passphrase and
// key export, and a consistent copy of the database, encrypted with the
// passphrase. It records when, so the reminder goes away until the fleet
// changes.
func (s *Service) ExportRecoveryKit(ctx context.Context, req KitExportRequest) (KitExport, error) {
	path := strings.TrimSpace(req.Path)
	if path == "" || !filepath.IsAbs(path) {
		return KitExport{}, fmt.Errorf("%w: the recovery kit's path must be absolute, got %q", ErrInvalid, req.Path)
	}
	servers, err := s.st.ListServers(ctx)
	if err != nil {
		return KitExport{}, fmt.Errorf("recovery kit: %w", err)
	}
	names := map[string]string{}
	var uuids []string
	for _, sv := range servers {
		names[sv.UUID] = sv.Name
		if sv.Status != store.ServerRevoked {
			uuids = append(uuids, sv.UUID)
		}
	}
	man := recoverykit.Manifest{Version: s.version, DataDir: s.dataDir, GatewayURL: s.GatewayURL(), Servers: len(uuids)}
	if s.ca != nil {
		man.CAFingerprint = s.ca.Fingerprint()
	}
	if b := s.BorgSSH(); b.Port != 0 {
		man.BorgSSH = net.JoinHostPort(b.Host, strconv.Itoa(b.Port))
	}
	res, err := recoverykit.Export(ctx, recoverykit.ExportOptions{DataDir: s.dataDir, Path: path, Passphrase: req.Passphrase,
		Manifest: man, ServerNames: names, Source: kitSource{s}, Now: s.now})
	if errors.Is(err, recoverykit.ErrPassphrase) || errors.Is(err, recoverykit.ErrPlace) {
		return KitExport{}, fmt.Errorf("%w: %w", ErrInvalid, err)
	}
	if err != nil {
		return KitExport{}, err
	}
	if err := recordKit(ctx, s.st, res.Manifest, path); err != nil {
		return KitExport{}, fmt.Errorf("the recovery kit %s was written, but recording it failed: %w", path, err)
	}
	out := KitExport{Path: path, Size: res.Size, CreatedAt: res.Manifest.CreatedAt, Manifest: *res.Manifest, Warnings: res.Warnings}
	if out.Warnings == nil {
		out.Warnings = []string{}
	}
	msg := fmt.Sprintf("recovery kit written to %s (%d files, %d bytes)", path, res.Manifest.Files, res.Size)
	s.publish(ctx, events.RecoveryExported, "", msg, map[string]any{"path": path, "size": res.Size, "created_at": out.CreatedAt})
	return out, nil
}

// RecoveryKitStatus reports the last kit and what changed since.
func (s *Service) RecoveryKitStatus(ctx context.Context) (KitStatus, error) {
	st := KitStatus{NewServers: []string{}, Stale: true}
	stored, err := s.st.Settings(ctx)
	if err != nil {
		return st, fmt.Errorf("recovery kit status: %w", err)
	}
	last, err := time.Parse(time.RFC3339, stored[settingKitLast])
	if err != nil {
		return st, nil // never exported (or the setting was cleared)
	}
	st.LastExport, st.LastPath = &last, stored[settingKitPath]
	known := map[string]bool{}
	for _, u := range strings.Split(stored[settingKitServers], ",") {
		known[u] = true
	}
	servers, err := s.st.ListServers(ctx)
	if err != nil {
		return st, fmt.Errorf("recovery kit status: %w", err)
	}
	for _, sv := range servers {
		if sv.Status != store.ServerRevoked && !known[sv.UUID] {
			st.NewServers = append(st.NewServers, sv.Name)
		}
	}
	if digest, err := recoverykit.SecretsDigest(s.dataDir); err == nil {
		st.SecretsChanged = digest != stored[settingKitDigest]
	}
	st.Stale = st.SecretsChanged || len(st.NewServers) > 0
	return st, nil
}

// recordKit notes in the database that a kit of this state exists: when,
// where, the servers it knows and the secrets it holds.
func recordKit(ctx context.Context, st *store.Store, m *recoverykit.Manifest, path string) error {
	servers, err := st.ListServers(ctx)
	if err != nil {
		return err
	}
	var uuids []string
	for _, sv := range servers {
		if sv.Status != store.ServerRevoked {
			uuids = append(uuids, sv.UUID)
		}
	}
	slices.Sort(uuids)
	for k, v := range map[string]string{settingKitLast: m.CreatedAt.Format(time.RFC3339), settingKitPath: path,
		settingKitServers: strings.Join(uuids, ","), settingKitDigest: m.Digest} {
		if err := st.SetSetting(ctx, k, v); err != nil {
			return err
		}
	}
	return nil
}

// ImportRecoveryKit restores a kit into an empty data dir, with no
// coordinator running (see recoverykit.Import). The restored database
// records the kit it came from, so the new coordinator does not ask for a
// kit it already has.
func ImportRecoveryKit(ctx context.Context, kit, dataDir, passphrase string) (*recoverykit.Imported, error) {
	abs, err := filepath.Abs(kit)
	if err != nil {
		return nil, err
	}
	return recoverykit.Import(ctx, recoverykit.ImportOptions{Kit: abs, DataDir: dataDir, Passphrase: passphrase,
		Prepare: func(ctx context.Context, db string, m *recoverykit.Manifest) error {
			st, err := store.Open(ctx, db, store.Options{})
			if err != nil {
				return err
			}
			if err := recordKit(ctx, st, m, abs); err != nil {
				st.Close()
				return err
			}
			return st.Close()
		}})
}

// kitSource gives the export the database and the repositories' keys.
type kitSource struct{ s *Service }

func (k kitSource) SnapshotDatabase(ctx context.Context, dest string) error {
	return k.s.st.Snapshot(ctx, dest)
}

func (k kitSource) ExportKey(ctx context.Context, agent string) ([]byte, error) {
	if k.s.repos == nil {
		return nil, errors.New("no repositories on this coordinator")
	}
	return k.s.repos.ExportKey(ctx, agent)
}
