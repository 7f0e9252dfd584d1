package flxcli

import (
	"io"

	"borgdesk/backend/shared/flx"
)

// FlexPBXFiles collects the flexpbx profile beneath root as `flx backup
// -p flexpbx` does: the account's home files (the account named user,
// else the one found under root/home) and the system's, in FlexPBX's
// layout, and fills o with the layout, the account and its sanitized
// settings and templates. The agent's flx-backup task (one-off or a .flx
// job's run) uses it, so a scheduled FlexPBX snapshot holds what the
// FlexPBX tools' own would.
func FlexPBXFiles(root, user string, includeData bool, o *flx.Options) ([]flx.File, error) {
	return flexpbxFiles(root, user, includeData, o, Env{Stderr: io.Discard})
}
