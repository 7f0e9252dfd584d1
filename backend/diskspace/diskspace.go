// Package diskspace measures the file system a path is on, the same way
// on every OS Borgdesk builds for: statfs(2) on Linux and macOS,
// GetDiskFreeSpaceEx on Windows. It only reads; it never reserves or
// frees anything.
package diskspace

// Usage is a file system's size in bytes.
type Usage struct {
	// Total is the file system's size.
	Total uint64
	// Avail is what an unprivileged process may still write (quotas and
	// the blocks reserved for root left out).
	Avail uint64
	// Used is Total minus the free blocks (the reserved ones count as free).
	Used uint64
}

// Of measures the file system path is on.
func Of(path string) (Usage, error) { return of(path) }
