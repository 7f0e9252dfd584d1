// Package metrics keeps what the fleet measures: each server's samples
// from its heartbeats (CPU, memory, disk, network rates), the
// repositories' sizes over time, and the coordinator's disk with its
// forecast.
//
// It only measures and reads back: it never deletes a repository or an
// archive, never talks to an agent, and writes nothing but samples.
package metrics

import (
	"context"
	"io/fs"
	"os"
	"path/filepath"
	"sync"
	"time"

	"borgdesk/backend/diskspace"
	"borgdesk/backend/events"
	"borgdesk/backend/repos"
	"borgdesk/backend/shared/agentapi"
	"borgdesk/backend/store"
)

// Config is what Metrics needs.
type Config struct {
	Store  *store.Store
	Events events.Log
	Now    func() time.Time
	// Repos holds the repositories (no sizes without it).
	Repos *repos.Repos
}

// Metrics records and reads back the fleet's measurements.
type Metrics struct {
	st     *store.Store
	events events.Log
	now    func() time.Time
	repos  *repos.Repos

	mu   sync.Mutex
	prev map[int64]netCounters
}

// New returns Metrics over cfg.
func New(cfg Config) *Metrics {
	return &Metrics{st: cfg.Store, events: cfg.Events, now: cfg.Now, repos: cfg.Repos}
}

// RepoStorage is one server's repository size over time.
type RepoStorage struct {
	UUID    string            `json:"uuid"`
	Name    string            `json:"name"`
	Bytes   int64             `json:"bytes"`
	History []store.SizePoint `json:"history"`
}

// Storage is the coordinator's disk and its repositories' growth.
type Storage struct {
	DiskPath  string `json:"disk_path"`
	DiskTotal int64  `json:"disk_total"`
	DiskFree  int64  `json:"disk_free"`
	// DiskUsed is what the files take, as df and the agents' metrics count
	// it: the blocks in use, without those the file system keeps for root
	// (total − used − free are those). The dashboard and a server's page
	// show this one figure for the same disk.
	DiskUsed     int64 `json:"disk_used"`
	ReserveBytes int64 `json:"reserve_bytes"`
	ReposBytes   int64 `json:"repos_bytes"`
	// ForecastFullAt is when, at the last 30 days' growth, the free space
	// above the reserve runs out ("" when the repositories do not grow).
	ForecastFullAt string        `json:"forecast_full_at"`
	Servers        []RepoStorage `json:"servers"`
}

// recordRepoSize measures a server's repository after a backup.
func (m *Metrics) RecordRepoSize(ctx context.Context, serverID int64, uuid string) {
	if m.repos == nil {
		return
	}
	if _, onTarget, _ := m.st.RepoTarget(ctx, serverID); onTarget {
		return // measured on the target (a node reports its free space)
	}
	dir, err := m.repos.Path(uuid)
	if err != nil {
		return
	}
	var total int64
	filepath.WalkDir(dir, func(_ string, d fs.DirEntry, err error) error {
		if err == nil && !d.IsDir() {
			if fi, err := d.Info(); err == nil {
				total += fi.Size()
			}
		}
		return nil
	})
	if err := m.st.AddRepoSize(ctx, serverID, m.now(), total); err == nil {
		m.events.Announce(events.JobChanged, uuid, map[string]any{"storage": true})
	}
}

// Storage reports the disk holding the repositories, each repository's
// size over the last 90 days, and when the disk fills at the recent growth.
func (m *Metrics) Storage(ctx context.Context) (Storage, error) {
	out := Storage{Servers: []RepoStorage{}}
	if m.repos == nil {
		return out, nil
	}
	// The disk the repositories will be on, before the first one exists.
	out.DiskPath = m.repos.Dir()
	for dir := out.DiskPath; ; dir = filepath.Dir(dir) {
		if _, err := os.Stat(dir); err == nil || dir == filepath.Dir(dir) {
			out.DiskPath = dir
			break
		}
	}
	if u, err := diskspace.Of(out.DiskPath); err == nil {
		out.DiskTotal, out.DiskFree, out.DiskUsed = int64(u.Total), int64(u.Avail), int64(u.Used)
	}
	out.ReserveBytes = m.repos.ReserveBytes()
	now := m.now()
	hist, err := m.st.RepoSizes(ctx, now.Add(-90*24*time.Hour))
	if err != nil {
		return out, err
	}
	servers, err := m.st.ListServers(ctx)
	if err != nil {
		return out, err
	}
	var growth float64 // bytes per second over the last 30 days
	for _, sv := range servers {
		h := hist[sv.ID]
		if len(h) == 0 {
			continue
		}
		rs := RepoStorage{UUID: sv.UUID, Name: sv.Name, Bytes: h[len(h)-1].Bytes, History: Thin(h)}
		out.ReposBytes += rs.Bytes
		out.Servers = append(out.Servers, rs)
		var first *store.SizePoint
		for i := range h {
			if h[i].At.After(now.Add(-30 * 24 * time.Hour)) {
				first = &h[i]
				break
			}
		}
		if last := h[len(h)-1]; first != nil && last.At.Sub(first.At) > time.Hour {
			growth += float64(last.Bytes-first.Bytes) / last.At.Sub(first.At).Seconds()
		}
	}
	if room := out.DiskFree - out.ReserveBytes; growth > 0 && room > 0 {
		out.ForecastFullAt = now.Add(time.Duration(float64(room)/growth) * time.Second).UTC().Format(time.RFC3339)
	}
	return out, nil
}

// Server returns a server's samples of the last hours (1 to 720).
func (m *Metrics) Server(ctx context.Context, serverID int64, hours int) ([]store.MetricPoint, error) {
	hours = min(max(hours, 1), 720)
	return m.st.Metrics(ctx, serverID, m.now().Add(-time.Duration(hours)*time.Hour))
}

type netCounters struct {
	at     time.Time
	rx, tx uint64
}

const metricEvery = 5 * time.Minute

// Sample turns a heartbeat's metrics into one stored sample per server
// every five minutes, with network rates from the counters' differences.
func (m *Metrics) Sample(ctx context.Context, serverID int64, hb agentapi.Metrics) {
	now := m.now()
	var rx, tx uint64
	for _, n := range hb.Net {
		if n.Name != "lo" {
			rx, tx = rx+n.RxBytes, tx+n.TxBytes
		}
	}
	p := store.MetricPoint{At: now, CPUPercent: hb.CPUPercent, Load1: hb.Load1}
	if hb.MemTotal > 0 {
		p.MemPercent = 100 * float64(hb.MemUsed) / float64(hb.MemTotal)
	}
	for _, d := range hb.Disks {
		if d.Total > 0 {
			p.DiskPercent = max(p.DiskPercent, 100*float64(d.Used)/float64(d.Total))
		}
	}
	m.mu.Lock()
	if m.prev == nil {
		m.prev = map[int64]netCounters{}
	}
	prev, had := m.prev[serverID]
	m.mu.Unlock()
	if had && now.Sub(prev.at) < metricEvery {
		return
	}
	if last, err := m.st.LastMetricAt(ctx, serverID); err == nil && now.Sub(last) < metricEvery {
		return
	}
	if had && rx >= prev.rx && tx >= prev.tx {
		secs := now.Sub(prev.at).Seconds()
		p.NetRxBps, p.NetTxBps = float64(rx-prev.rx)/secs, float64(tx-prev.tx)/secs
	}
	m.mu.Lock()
	m.prev[serverID] = netCounters{at: now, rx: rx, tx: tx}
	m.mu.Unlock()
	m.st.AddMetric(ctx, serverID, p, 30*24*time.Hour)
}

// Thin keeps what a chart of 90 days can show: the last size of each day
// (the coordinator's local days), and the newest point as it is. A server
// backed up every half hour has 4,320 points in 90 days; the chart gets 90.
// The forecast is computed from every point before thinning.
func Thin(h []store.SizePoint) []store.SizePoint {
	if len(h) <= 1 {
		return h
	}
	out := make([]store.SizePoint, 0, 91)
	day := func(t time.Time) string { return t.Local().Format("2006-01-02") }
	for i, p := range h {
		if i+1 < len(h) && day(h[i+1].At) == day(p.At) {
			continue // a later point of the same day follows
		}
		out = append(out, p)
	}
	return out
}
