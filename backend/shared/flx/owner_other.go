//go:build !unix

package flx

import "io/fs"

// fileUID: a file has no numeric owner here; the entry's owner stays empty.
func fileUID(fi fs.FileInfo) (int, bool) { return 0, false }
