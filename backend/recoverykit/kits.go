package recoverykit

import (
	"context"
	"errors"
	"fmt"
	"path/filepath"
	"slices"
	"strings"
	"time"

	"borgdesk/backend/events"
	"borgdesk/backend/fault"
	"borgdesk/backend/store"
)

// KitsConfig is what Kits needs.
type KitsConfig struct {
	Store   *store.Store
	Events  events.Log
	Now     func() time.Time
	DataDir string
	// Describe fills the manifest's description of the coordinator
	// (version, gateway, CA fingerprint, Borg SSH address).
	Describe func() Manifest
	// Source gives the export the database and the repositories' keys.
	Source Source
}

// Kits exports recovery kits of a running coordinator and says when the
// last one is stale.
type Kits struct {
	st       *store.Store
	events   events.Log
	now      func() time.Time
	dataDir  string
	describe func() Manifest
	source   Source
}

// NewKits returns Kits over cfg.
func NewKits(cfg KitsConfig) *Kits {
	return &Kits{st: cfg.Store, events: cfg.Events, now: cfg.Now, dataDir: cfg.DataDir, describe: cfg.Describe, source: cfg.Source}
}

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
	Path      string    `json:"path"`
	Size      int64     `json:"size"`
	CreatedAt time.Time `json:"created_at" ts_type:"string"`
	Manifest  Manifest  `json:"manifest"`
	Warnings  []string  `json:"warnings"`
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

// Export writes a recovery kit of this coordinator: the CA, the
// update-signing key, the SSH host key, every repository passphrase and
// key export, and a consistent copy of the database, encrypted with the
// passphrase. It records when, so the reminder goes away until the fleet
// changes.
func (k *Kits) Export(ctx context.Context, req KitExportRequest) (KitExport, error) {
	path := strings.TrimSpace(req.Path)
	if path == "" || !filepath.IsAbs(path) {
		return KitExport{}, fmt.Errorf("%w: the recovery kit's path must be absolute, got %q", fault.ErrInvalid, req.Path)
	}
	servers, err := k.st.ListServers(ctx)
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
	man := k.describe()
	man.DataDir, man.Servers = k.dataDir, len(uuids)
	res, err := Export(ctx, ExportOptions{DataDir: k.dataDir, Path: path, Passphrase: req.Passphrase,
		Manifest: man, ServerNames: names, Source: k.source, Now: k.now})
	if errors.Is(err, ErrPassphrase) || errors.Is(err, ErrPlace) {
		return KitExport{}, fmt.Errorf("%w: %w", fault.ErrInvalid, err)
	}
	if err != nil {
		return KitExport{}, err
	}
	if err := recordKit(ctx, k.st, res.Manifest, path); err != nil {
		return KitExport{}, fmt.Errorf("the recovery kit %s was written, but recording it failed: %w", path, err)
	}
	out := KitExport{Path: path, Size: res.Size, CreatedAt: res.Manifest.CreatedAt, Manifest: *res.Manifest, Warnings: res.Warnings}
	if out.Warnings == nil {
		out.Warnings = []string{}
	}
	msg := fmt.Sprintf("recovery kit written to %s (%d files, %d bytes)", path, res.Manifest.Files, res.Size)
	k.events.Publish(ctx, events.RecoveryExported, "", msg, map[string]any{"path": path, "size": res.Size, "created_at": out.CreatedAt})
	return out, nil
}

// Status reports the last kit and what changed since.
func (k *Kits) Status(ctx context.Context) (KitStatus, error) {
	st := KitStatus{NewServers: []string{}, Stale: true}
	stored, err := k.st.Settings(ctx)
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
	servers, err := k.st.ListServers(ctx)
	if err != nil {
		return st, fmt.Errorf("recovery kit status: %w", err)
	}
	for _, sv := range servers {
		if sv.Status != store.ServerRevoked && !known[sv.UUID] {
			st.NewServers = append(st.NewServers, sv.Name)
		}
	}
	if digest, err := SecretsDigest(k.dataDir); err == nil {
		st.SecretsChanged = digest != stored[settingKitDigest]
	}
	st.Stale = st.SecretsChanged || len(st.NewServers) > 0
	return st, nil
}

// recordKit notes in the database that a kit of this state exists: when,
// where, the servers it knows and the secrets it holds.
func recordKit(ctx context.Context, st *store.Store, m *Manifest, path string) error {
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

// ImportInto restores a kit into an empty data dir, with no coordinator
// running (see Import). The restored database
// records the kit it came from, so the new coordinator does not ask for a
// kit it already has.
func ImportInto(ctx context.Context, kit, dataDir, passphrase string) (*Imported, error) {
	abs, err := filepath.Abs(kit)
	if err != nil {
		return nil, err
	}
	return Import(ctx, ImportOptions{Kit: abs, DataDir: dataDir, Passphrase: passphrase,
		Prepare: func(ctx context.Context, db string, m *Manifest) error {
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
