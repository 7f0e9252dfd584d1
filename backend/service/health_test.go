package service

import (
	"context"
	"path/filepath"
	"testing"
	"time"

	"borgdesk/backend/shared/agentapi"
	"borgdesk/backend/store"
)

func TestSettingsForAlertsAndRPO(t *testing.T) {
	svc, _ := newTest(t)
	ctx := context.Background()
	for _, tt := range []struct {
		key, value string
		ok         bool
	}{
		{"notify.email.events", "run_failed,drill_failed", true},
		{"notify.email.events", "run_failed,coffee", false},
		{"notify.quiet_hours", "22:00-07:00", true},
		{"notify.quiet_hours", "late", false},
		{"notify.webhook.url", "https://chat.example.com/hook", true},
		{"notify.webhook.url", "ftp://x", false},
		{"smtp.security", "tls", true},
		{"smtp.security", "ssl3", false},
		{"rpo.web1", "48h", true},
		{"rpo.web1", "5m", false},
		{"rpo.web1", "", true},
	} {
		err := svc.SetSetting(ctx, tt.key, tt.value)
		if (err == nil) != tt.ok {
			t.Errorf("SetSetting(%s, %q) = %v; ok %v", tt.key, tt.value, err, tt.ok)
		}
	}
}

// sampleMetrics keeps one sample per five minutes, with network rates
// from the counters' differences; loopback is not counted.
func TestMetricSamplesEveryFiveMinutes(t *testing.T) {
	st, err := store.Open(context.Background(), filepath.Join(t.TempDir(), "db"), store.Options{})
	if err != nil {
		t.Fatal(err)
	}
	defer st.Close()
	now := time.Date(2026, 11, 30, 12, 0, 0, 0, time.UTC)
	svc := New(Config{Store: st, DataDir: t.TempDir(), Now: func() time.Time { return now }})
	ctx := context.Background()
	sv, err := st.CreateServer(ctx, store.Server{Name: "web1", UUID: "u-1"})
	if err != nil {
		t.Fatal(err)
	}
	beat := func(rx, tx uint64) {
		svc.metrics.Sample(ctx, sv.ID, agentapi.Metrics{CPUPercent: 50, MemTotal: 1000, MemUsed: 250,
			Disks: []agentapi.Disk{{Total: 100, Used: 10}, {Total: 100, Used: 90}},
			Net:   []agentapi.NetIO{{Name: "lo", RxBytes: 1 << 40}, {Name: "eth0", RxBytes: rx, TxBytes: tx}}})
	}
	beat(1000, 2000)
	now = now.Add(time.Minute)
	beat(5000, 5000) // within five minutes: not kept
	now = now.Add(5 * time.Minute)
	beat(1000+600*6*60, 2000)
	pts, err := svc.GetMetrics(ctx, "web1", 1)
	if err != nil || len(pts) != 2 {
		t.Fatalf("samples = %+v, %v", pts, err)
	}
	if p := pts[1]; p.MemPercent != 25 || p.DiskPercent != 90 || p.CPUPercent != 50 || p.NetRxBps != 600 || p.NetTxBps != 0 {
		t.Fatalf("second sample = %+v", p)
	}
}
