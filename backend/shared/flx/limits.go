package flx

import (
	"fmt"
	"io"
)

// Default caps on what reading one snapshot may cost. Configuration
// snapshots are kilobytes to megabytes; these leave room for large .flxx
// files while a hostile gzip (a megabyte that inflates to terabytes) or
// millions of entries are refused early, while streaming.
const (
	DefaultMaxBytes   int64 = 32 << 30 // the snapshot's JSON text, after gunzip
	DefaultMaxEntries       = 1_000_000
	DefaultMaxPathLen       = 4096 // bytes, like PATH_MAX
	// An archive (tar.gz, ZIP) may inflate to DefaultMaxRatio times its
	// packed size, and each ZIP member to that times its own; below
	// DefaultRatioFloor the ratio is not looked at. Configuration files
	// pack 3 to 20 times; a ZIP bomb packs a thousand times and more.
	DefaultMaxRatio   int64 = 100
	DefaultRatioFloor int64 = 64 << 20
)

// Limits cap a snapshot's total size (decompressed), its number of
// entries and the length of each path. Zero fields take the defaults.
type Limits struct {
	MaxBytes   int64
	MaxEntries int
	MaxPathLen int
	// MaxRatio and RatioFloor bound how far an archive may inflate (see
	// DefaultMaxRatio).
	MaxRatio   int64
	RatioFloor int64
}

func (l Limits) withDefaults() Limits {
	if l.MaxBytes <= 0 {
		l.MaxBytes = DefaultMaxBytes
	}
	if l.MaxEntries <= 0 {
		l.MaxEntries = DefaultMaxEntries
	}
	if l.MaxPathLen <= 0 {
		l.MaxPathLen = DefaultMaxPathLen
	}
	if l.MaxRatio <= 0 {
		l.MaxRatio = DefaultMaxRatio
	}
	if l.RatioFloor <= 0 {
		l.RatioFloor = DefaultRatioFloor
	}
	return l
}

// LimitError says which cap a snapshot exceeded and how to raise it.
type LimitError struct {
	What  string // "total size", "entries", "path length"
	Limit int64
	Flag  string // the flx command's flag that raises it
}

func (e *LimitError) Error() string {
	unit := ""
	if e.What != "entries" {
		unit = " bytes"
	}
	return fmt.Sprintf("the snapshot exceeds the cap on its %s (%d%s) and was refused before going further: it is damaged or hostile, or, if you trust it, raise the cap (%s, or Limits in the options)",
		e.What, e.Limit, unit, e.Flag)
}

// capReader fails as soon as more than max bytes were read through it,
// so that a gzip bomb is stopped after max bytes, not after inflating.
type capReader struct {
	r   io.Reader
	n   int64
	max int64
}

func (c *capReader) Read(p []byte) (int, error) {
	if left := c.max - c.n + 1; int64(len(p)) > left {
		p = p[:left] // one byte past the cap is enough to know
	}
	n, err := c.r.Read(p)
	c.n += int64(n)
	if c.n > c.max {
		return 0, &LimitError{What: "total size", Limit: c.max, Flag: "--max-size"}
	}
	return n, err
}
