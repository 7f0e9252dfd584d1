package store

import (
	"context"
	"fmt"
	"time"
)

// SizePoint is a repository's size at a time.
type SizePoint struct {
	At    time.Time `json:"at" ts_type:"string"`
	Bytes int64     `json:"bytes"`
}

// AddRepoSize records a repository's size.
func (s *Store) AddRepoSize(ctx context.Context, serverID int64, at time.Time, bytes int64) error {
	_, err := s.w.ExecContext(ctx, `INSERT INTO repo_sizes (server_id, at, bytes) VALUES (?, ?, ?)`, serverID, ts(at), bytes)
	return err
}

// RepoSizes returns every server's size history since a time, oldest first.
func (s *Store) RepoSizes(ctx context.Context, since time.Time) (map[int64][]SizePoint, error) {
	rows, err := s.db.QueryContext(ctx, `SELECT server_id, at, bytes FROM repo_sizes WHERE at >= ? ORDER BY at`, ts(since))
	if err != nil {
		return nil, fmt.Errorf("repository sizes: %w", err)
	}
	defer rows.Close()
	out := map[int64][]SizePoint{}
	for rows.Next() {
		var id int64
		var at string
		var p SizePoint
		if err := rows.Scan(&id, &at, &p.Bytes); err != nil {
			return nil, err
		}
		p.At = parseTS(at)
		out[id] = append(out[id], p)
	}
	return out, rows.Err()
}

// MetricPoint is one sample of a server's load.
type MetricPoint struct {
	At          time.Time `json:"at" ts_type:"string"`
	CPUPercent  float64   `json:"cpu_percent"`
	Load1       float64   `json:"load1"`
	MemPercent  float64   `json:"mem_percent"`
	DiskPercent float64   `json:"disk_percent"`
	NetRxBps    float64   `json:"net_rx_bps"`
	NetTxBps    float64   `json:"net_tx_bps"`
}

// LastMetricAt is when a server's newest metric sample was taken.
func (s *Store) LastMetricAt(ctx context.Context, serverID int64) (time.Time, error) {
	var at *string
	if err := s.db.QueryRowContext(ctx, `SELECT max(at) FROM metrics WHERE server_id = ?`, serverID).Scan(&at); err != nil || at == nil {
		return time.Time{}, err
	}
	return parseTS(*at), nil
}

// AddMetric records a sample and drops samples older than keep.
func (s *Store) AddMetric(ctx context.Context, serverID int64, p MetricPoint, keep time.Duration) error {
	_, err := s.w.ExecContext(ctx, `INSERT INTO metrics (server_id, at, cpu, load1, mem, disk, rx, tx) VALUES (?, ?, ?, ?, ?, ?, ?, ?)`,
		serverID, ts(p.At), p.CPUPercent, p.Load1, p.MemPercent, p.DiskPercent, p.NetRxBps, p.NetTxBps)
	if err != nil {
		return err
	}
	_, err = s.w.ExecContext(ctx, `DELETE FROM metrics WHERE server_id = ? AND at < ?`, serverID, ts(p.At.Add(-keep)))
	return err
}

// Metrics returns a server's samples since a time, oldest first.
func (s *Store) Metrics(ctx context.Context, serverID int64, since time.Time) ([]MetricPoint, error) {
	rows, err := s.db.QueryContext(ctx, `SELECT at, cpu, load1, mem, disk, rx, tx FROM metrics WHERE server_id = ? AND at >= ? ORDER BY at`, serverID, ts(since))
	if err != nil {
		return nil, fmt.Errorf("metrics: %w", err)
	}
	defer rows.Close()
	out := []MetricPoint{}
	for rows.Next() {
		var p MetricPoint
		var at string
		if err := rows.Scan(&at, &p.CPUPercent, &p.Load1, &p.MemPercent, &p.DiskPercent, &p.NetRxBps, &p.NetTxBps); err != nil {
			return nil, err
		}
		p.At = parseTS(at)
		out = append(out, p)
	}
	return out, rows.Err()
}
