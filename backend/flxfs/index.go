package flxfs

import (
	"fmt"
	"io"
	"strconv"
	"time"

	"borgdesk/backend/shared/flx"
)

// entry is one file as the index knows it.
type entry struct {
	flx.Entry
	rel   string
	mtime time.Time
	// damage is set when the mount-time walk found this entry broken.
	damage error
}

// index is what a mount keeps of a snapshot: metadata, no content.
type index struct {
	files   []*entry // in snapshot order: files[i].Index == i+1
	created time.Time
	// damage is the walk's error when the snapshot is damaged part-way.
	damage error
}

// buildIndex walks the snapshot once. Walk checks every entry as it goes;
// an entry is indexed once it checks out. When the walk fails inside an
// entry, that entry is kept as damaged and the walk's error recorded; when
// it fails before any entry, the file is no snapshot and buildIndex fails.
func buildIndex(name string) (*index, error) {
	ix := &index{}
	var pending *flx.Entry // the entry whose content is being read
	_, err := flx.WalkFile(name, func(m *flx.Meta, e *flx.Entry, _ io.Reader) (func() error, error) {
		if ix.created.IsZero() {
			ix.created = createdTime(m.Created)
		}
		pending = e
		return func() error {
			ix.files = append(ix.files, &entry{Entry: *e}) // hash and size may follow the content
			pending = nil
			return nil
		}, nil
	}, flx.Limits{})
	if err != nil && pending != nil {
		ix.files = append(ix.files, &entry{Entry: *pending, damage: err})
	}
	if err != nil && len(ix.files) == 0 {
		return nil, err
	}
	ix.damage = err
	if ix.created.IsZero() {
		ix.created = time.Now() // directories need some time
	}
	for _, e := range ix.files {
		e.rel, _ = flx.CleanPath(e.Path) // Walk has refused bad paths
		e.mtime = entryTime(e.Mtime, ix.created)
		if e.Size < 0 {
			e.Size = 0 // damaged before its size was read
		}
	}
	if ix.damage != nil {
		ix.damage = damageError(ix)
	}
	return ix, nil
}

// damageError says what the mount shows of a damaged snapshot.
func damageError(ix *index) error {
	last := ix.files[len(ix.files)-1]
	if last.damage == nil {
		return fmt.Errorf("the snapshot is damaged after file %d (%s); the files before read fine, any after cannot be reached and are not shown: %w",
			last.Index, last.rel, ix.damage)
	}
	return fmt.Errorf("the snapshot is damaged at file %d (%s), which reads as an I/O error; files after it cannot be reached and are not shown: %w",
		last.Index, last.rel, ix.damage)
}

// byIndex returns the entry at a snapshot position (from 1), or nil.
func (ix *index) byIndex(i int) *entry {
	if i < 1 || i > len(ix.files) {
		return nil
	}
	return ix.files[i-1]
}

// createdTime parses the snapshot's "created" (local, no zone).
func createdTime(s string) time.Time {
	t, err := time.ParseInLocation("2006-01-02 15:04:05", s, time.Local)
	if err != nil {
		return time.Time{}
	}
	return t
}

// entryTime parses an entry's mtime (RFC 3339, or Unix seconds as some
// producers write), falling back to the snapshot's creation time.
func entryTime(s string, fallback time.Time) time.Time {
	if t, err := time.Parse(time.RFC3339Nano, s); err == nil {
		return t
	}
	if sec, err := strconv.ParseInt(s, 10, 64); err == nil {
		return time.Unix(sec, 0)
	}
	return fallback
}
