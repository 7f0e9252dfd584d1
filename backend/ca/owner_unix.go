//go:build unix

package ca

import (
	"io/fs"
	"syscall"
)

// FileOwner is the uid that owns a file (false where files have no uid).
func FileOwner(fi fs.FileInfo) (int, bool) {
	st, ok := fi.Sys().(*syscall.Stat_t)
	if !ok {
		return 0, false
	}
	return int(st.Uid), true
}
