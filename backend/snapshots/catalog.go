package snapshots

import (
	"context"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"time"

	"borgdesk/backend/catalog"
)

// Catalog is the file index the snapshots the coordinator keeps are
// searchable in (*catalog.Catalog): each under its name relative to its
// server's folder ("job-3/flexpbx-….flx" for a .flx job's, the file name
// for a one-off one).
type Catalog interface {
	IndexSnapshot(ctx context.Context, server, name, file string, t time.Time) (int64, error)
	Snapshots(ctx context.Context, server string) (map[string]bool, error)
	ForgetSnapshots(ctx context.Context, server string, names []string) error
}

// IndexServer brings the catalog up to date with the snapshots kept for a
// server: the ones not indexed yet are read (every hash checked), the ones
// gone are forgotten. It returns how many it indexed; without a catalog it
// does nothing.
func (x *Snapshots) IndexServer(ctx context.Context, uuid string) (int, error) {
	if x.cat == nil {
		return 0, nil
	}
	x.indexing.Lock()
	defer x.indexing.Unlock()
	known, err := x.cat.Snapshots(ctx, uuid)
	if err != nil {
		return 0, err
	}
	base := x.dir("servers", uuid)
	onDisk := map[string]kept{}
	for _, d := range x.serverDirs(base) {
		for _, k := range snapshotsIn(d) {
			rel, err := filepath.Rel(base, k.path)
			if err != nil {
				continue
			}
			onDisk[filepath.ToSlash(rel)] = k
		}
	}
	n := 0
	var failed []string
	for name, k := range onDisk {
		if known[name] {
			continue
		}
		if _, err := x.cat.IndexSnapshot(ctx, uuid, name, k.path, k.mod); err != nil {
			failed = append(failed, err.Error())
			continue
		}
		n++
	}
	var gone []string
	for name := range known {
		if _, ok := onDisk[name]; !ok {
			gone = append(gone, name)
		}
	}
	if err := x.cat.ForgetSnapshots(ctx, uuid, gone); err != nil {
		return n, err
	}
	if len(failed) > 0 {
		return n, fmt.Errorf("not in the file catalog: %s", strings.Join(failed, "; "))
	}
	return n, nil
}

// IndexAll brings the catalog up to date with every server's snapshots
// (after a start: a catalog rebuilt from scratch has none).
func (x *Snapshots) IndexAll(ctx context.Context) error {
	entries, err := os.ReadDir(x.dir("servers"))
	if err != nil {
		if os.IsNotExist(err) {
			return nil
		}
		return err
	}
	var failed []string
	for _, e := range entries {
		if !e.IsDir() {
			continue
		}
		if _, err := x.IndexServer(ctx, e.Name()); err != nil {
			failed = append(failed, e.Name()+": "+err.Error())
		}
	}
	if len(failed) > 0 {
		return fmt.Errorf("snapshots %s", strings.Join(failed, "; "))
	}
	return nil
}

// Locate fills in where the coordinator keeps each snapshot a search
// found, so the window can save or open it.
func (x *Snapshots) Locate(hits []catalog.Hit) {
	for i := range hits {
		for j, v := range hits[i].Versions {
			if !v.Snapshot || strings.Contains(v.Archive, "..") {
				continue
			}
			hits[i].Versions[j].File = filepath.Join(x.dir("servers", hits[i].ServerUUID), filepath.FromSlash(v.Archive))
		}
	}
}
