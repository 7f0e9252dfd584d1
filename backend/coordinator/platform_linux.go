//go:build linux

package coordinator

// supported is nil on Linux, where borg serve, FUSE and the agents'
// repositories are.
func supported() error { return nil }
