package metrics

import (
	"context"
	"path/filepath"
	"testing"
	"time"

	"borgdesk/backend/store"
)

// Ninety days of half-hourly sizes reach the chart as one point a day, the
// newest as it is.
func TestStorageThinsTheHistory(t *testing.T) {
	ctx := context.Background()
	st, err := store.Open(ctx, filepath.Join(t.TempDir(), "db"), store.Options{})
	if err != nil {
		t.Fatal(err)
	}
	defer st.Close()
	sv, err := st.CreateServer(ctx, store.Server{Name: "web1", UUID: "u-1"})
	if err != nil {
		t.Fatal(err)
	}
	now := time.Now()
	start := now.Add(-89 * 24 * time.Hour)
	var n int
	for at := start; !at.After(now); at = at.Add(30 * time.Minute) {
		if err := st.AddRepoSize(ctx, sv.ID, at, int64(n)*1000); err != nil {
			t.Fatal(err)
		}
		n++
	}
	hist, err := st.RepoSizes(ctx, now.Add(-90*24*time.Hour))
	if err != nil {
		t.Fatal(err)
	}
	raw := hist[sv.ID]
	thin := Thin(raw)
	if len(raw) < 4000 || len(thin) < 89 || len(thin) > 91 {
		t.Fatalf("%d points thinned to %d; want about 90", len(raw), len(thin))
	}
	if last := thin[len(thin)-1]; !last.At.Equal(raw[len(raw)-1].At) || last.Bytes != raw[len(raw)-1].Bytes {
		t.Errorf("newest point %+v; want %+v", last, raw[len(raw)-1])
	}
	for i := 1; i < len(thin); i++ {
		if !thin[i].At.After(thin[i-1].At) || thin[i].At.Local().YearDay() == thin[i-1].At.Local().YearDay() {
			t.Fatalf("points %d and %d are not on successive days: %v, %v", i-1, i, thin[i-1].At, thin[i].At)
		}
	}
}
