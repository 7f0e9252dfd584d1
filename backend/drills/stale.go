package drills

import (
	"context"
	"strconv"
	"time"

	"borgdesk/backend/store"
)

// staleDays is the drill.stale_days setting.
func (d *Drills) staleDays(ctx context.Context) int {
	v, _ := d.env.Setting(ctx, "drill.stale_days")
	n, err := strconv.Atoi(v)
	if err != nil || n < 1 {
		return 8
	}
	return n
}

// MarkStale sets VerifyStale on servers that have backups no drill verified
// within drill.stale_days.
func (d *Drills) MarkStale(ctx context.Context, servers []store.Server) {
	limit := d.now().Add(-time.Duration(d.staleDays(ctx)) * 24 * time.Hour)
	var backed map[int64]time.Time
	for i := range servers {
		sv := &servers[i]
		if sv.LastVerifiedAt != nil && sv.LastVerifiedAt.After(limit) {
			continue
		}
		if backed == nil {
			var err error
			if backed, err = d.st.LastBackups(ctx); err != nil {
				return
			}
		}
		if _, ok := backed[sv.ID]; ok {
			sv.VerifyStale = true
		}
	}
}
