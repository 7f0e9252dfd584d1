package service

import (
	"context"
	"errors"
	"net"
	"strconv"

	"borgdesk/backend/recoverykit"
)

type (
	// KitExportRequest asks for a recovery kit at Path encrypted with Passphrase.
	KitExportRequest = recoverykit.KitExportRequest
	// KitExport is a kit just written.
	KitExport = recoverykit.KitExport
	// KitStatus says when the last kit was made and whether it is stale.
	KitStatus = recoverykit.KitStatus
)

// ExportRecoveryKit writes a recovery kit of this coordinator (see
// recoverykit.Kits.Export).
func (s *Service) ExportRecoveryKit(ctx context.Context, req KitExportRequest) (KitExport, error) {
	return s.kits.Export(ctx, req)
}

// RecoveryKitStatus reports the last kit and what changed since.
func (s *Service) RecoveryKitStatus(ctx context.Context) (KitStatus, error) {
	return s.kits.Status(ctx)
}

// ImportRecoveryKit restores a kit into an empty data dir, with no
// coordinator running (see recoverykit.ImportInto).
func ImportRecoveryKit(ctx context.Context, kit, dataDir, passphrase string) (*recoverykit.Imported, error) {
	return recoverykit.ImportInto(ctx, kit, dataDir, passphrase)
}

// kitManifest describes this coordinator in a kit's manifest.
func (s *Service) kitManifest() recoverykit.Manifest {
	man := recoverykit.Manifest{Version: s.version, GatewayURL: s.GatewayURL()}
	if s.ca != nil {
		man.CAFingerprint = s.ca.Fingerprint()
	}
	if b := s.BorgSSH(); b.Port != 0 {
		man.BorgSSH = net.JoinHostPort(b.Host, strconv.Itoa(b.Port))
	}
	return man
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
