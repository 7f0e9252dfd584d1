package service

import (
	"encoding/json"
	"fmt"
	"path"
	"strings"
)

// taskLabel names a task's type in the event log, saying "dry run" when
// its payload asks for one: a dry run changes nothing, and the log must
// not read as if it had.
func taskLabel(typ string, payload json.RawMessage) string {
	var p struct {
		DryRun bool `json:"dry_run"`
	}
	if json.Unmarshal(payload, &p) == nil && p.DryRun {
		return typ + " (dry run)"
	}
	return typ
}

// flxRoot checks the folder a snapshot is compared with or restored under
// on the server: "" or "/" is the server's own root, anything else an
// absolute path, cleaned.
func flxRoot(root string) (string, error) {
	root = strings.TrimSpace(root)
	if root == "" || root == "/" {
		return "", nil
	}
	if !path.IsAbs(root) {
		return "", fmt.Errorf("%w: the target root must be an absolute folder on the server (such as /srv/pbx-test), not %q", ErrInvalid, root)
	}
	return path.Clean(root), nil
}
