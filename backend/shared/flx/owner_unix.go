//go:build unix

package flx

import (
	"io/fs"
	"syscall"
)

// fileUID is the owner of a file os.Lstat (or os.Stat) described.
func fileUID(fi fs.FileInfo) (int, bool) {
	st, ok := fi.Sys().(*syscall.Stat_t)
	if !ok {
		return 0, false
	}
	return int(st.Uid), true
}
