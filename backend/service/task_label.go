package service

import (
	"fmt"
	"path"
	"strings"
)

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
