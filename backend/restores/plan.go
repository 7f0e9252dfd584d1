package restores

import (
	"context"
	"fmt"
	"path"
	"strings"

	"borgdesk/backend/archives"
	"borgdesk/backend/fault"
)

// Landing is where one restored item ends up on the target.
type Landing struct {
	// Path is the item in the archive, relative ("etc/nginx").
	Path string `json:"path"`
	// Final is the absolute path it is written to ("/srv/restore/etc/nginx").
	Final string `json:"final"`
}

// Plan is what a restore would do, for the window to show before it
// starts: how much, and where each item lands.
type Plan struct {
	Files   int64     `json:"files"`
	Bytes   int64     `json:"bytes"`
	To      string    `json:"to"`
	Target  string    `json:"target"`
	Landing []Landing `json:"landing"`
}

// maxLanding bounds the items a plan spells out; the rest are counted.
const maxLanding = 50

// PlanRestore answers what StartRestore would restore for req: the regular
// files and bytes the catalog counts under its paths (the whole archive
// when none) and the final path of each item on the target. It changes
// nothing; a path that is not in the archive is an error naming it. Its
// checks of the destination and the paths repeat StartRestore's: change
// them together.
func (r *Restores) PlanRestore(ctx context.Context, req Request) (Plan, error) {
	src, err := r.env.Server(ctx, req.Server)
	if err != nil {
		return Plan{}, err
	}
	target := src
	if req.TargetServer != "" {
		if target, err = r.env.Server(ctx, req.TargetServer); err != nil {
			return Plan{}, err
		}
	}
	to := strings.TrimSpace(req.To)
	if to == "" {
		to = "/"
	}
	if !path.IsAbs(to) {
		return Plan{}, fmt.Errorf("%w: restore into an absolute directory (such as /srv/restore), not %q", fault.ErrInvalid, req.To)
	}
	to = path.Clean(to)
	var paths []string
	for _, p := range req.Paths {
		if p = strings.Trim(strings.TrimSpace(p), "/"); p == "" {
			continue
		}
		if c := path.Clean(p); c == ".." || strings.HasPrefix(c, "../") {
			return Plan{}, fmt.Errorf("%w: %q climbs out of the archive", fault.ErrInvalid, p)
		}
		paths = append(paths, path.Clean(p))
	}
	if err := r.env.EnsureIndexed(ctx, src, req.Archive); err != nil {
		return Plan{}, archives.CatalogErr(err)
	}
	files, bytes, err := r.cat.Totals(ctx, src.UUID, req.Archive, paths)
	if err != nil {
		return Plan{}, archives.CatalogErr(err)
	}
	plan := Plan{Files: files, Bytes: bytes, To: to, Target: target.Name, Landing: []Landing{}}
	for i, p := range paths {
		if i == maxLanding {
			break
		}
		plan.Landing = append(plan.Landing, Landing{Path: p, Final: path.Join(to, p)})
	}
	return plan, nil
}
