package service

import (
	"context"
	"fmt"
	"strings"
	"time"

	"borgdesk/backend/store"
)

// Health states, worst last.
const (
	HealthGreen = "green"
	HealthAmber = "amber"
	HealthRed   = "red"
)

// ServerHealth is one server at a glance.
type ServerHealth struct {
	ID         int64      `json:"id"`
	UUID       string     `json:"uuid"`
	Name       string     `json:"name"`
	State      string     `json:"state"`
	Reasons    []string   `json:"reasons"`
	LastBackup *time.Time `json:"last_backup" ts_type:"string"`
	// RPOHours is the server's backup-age target.
	RPOHours       float64    `json:"rpo_hours"`
	Online         bool       `json:"online"`
	LastVerifiedAt *time.Time `json:"last_verified_at" ts_type:"string"`
	CertNotAfter   *time.Time `json:"cert_not_after" ts_type:"string"`
}

// FleetHealth is the fleet at a glance: the worst server's state, counts,
// and every server.
type FleetHealth struct {
	State   string         `json:"state"`
	Green   int            `json:"green"`
	Amber   int            `json:"amber"`
	Red     int            `json:"red"`
	Summary string         `json:"summary"`
	Servers []ServerHealth `json:"servers"`
}

// Health rates every server: red when its newest backup is older than its
// RPO (setting rpo.default, or rpo.<server name>), or it has none while it
// has jobs; amber when it is offline, its certificate expires within 14
// days, no restore drill verified it lately, or its backup is older than
// three quarters of the RPO; green otherwise. Servers without jobs are
// amber ("no backup job").
func (s *Service) Health(ctx context.Context) (FleetHealth, error) {
	servers, err := s.ListServers(ctx)
	if err != nil {
		return FleetHealth{}, err
	}
	last, err := s.st.LastBackups(ctx)
	if err != nil {
		return FleetHealth{}, err
	}
	jobs, err := s.st.ListJobs(ctx)
	if err != nil {
		return FleetHealth{}, err
	}
	hasJobs := map[int64]bool{}
	for _, j := range jobs {
		hasJobs[j.ServerID] = true
	}
	defRPO := s.rpo(ctx, "")
	now := s.now()
	h := FleetHealth{State: HealthGreen, Servers: make([]ServerHealth, 0, len(servers))}
	for _, sv := range servers {
		if sv.Status == store.ServerRevoked {
			continue
		}
		rpo := defRPO
		if v := s.rpo(ctx, sv.Name); v > 0 {
			rpo = v
		}
		sh := ServerHealth{ID: sv.ID, UUID: sv.UUID, Name: sv.Name, State: HealthGreen, Reasons: []string{}, RPOHours: rpo.Hours(),
			Online: sv.Online, LastVerifiedAt: sv.LastVerifiedAt, CertNotAfter: sv.CertNotAfter}
		worse := func(state, reason string) {
			if rank(state) > rank(sh.State) {
				sh.State = state
			}
			sh.Reasons = append(sh.Reasons, reason)
		}
		if t, ok := last[sv.ID]; ok {
			t := t
			sh.LastBackup = &t
			age := now.Sub(t)
			switch {
			case age > rpo:
				worse(HealthRed, fmt.Sprintf("last backup %s ago, past its %s RPO", roundAge(age), roundAge(rpo)))
			case age > rpo*3/4:
				worse(HealthAmber, fmt.Sprintf("last backup %s ago, close to its %s RPO", roundAge(age), roundAge(rpo)))
			}
		} else if hasJobs[sv.ID] {
			worse(HealthRed, "no successful backup yet")
		} else {
			worse(HealthAmber, "no backup job")
		}
		if !sv.Online {
			worse(HealthAmber, "agent offline")
		}
		if sv.CertNotAfter != nil && sv.CertNotAfter.Sub(now) < 14*24*time.Hour {
			worse(HealthAmber, "certificate expires "+sv.CertNotAfter.Format("2006-01-02"))
		}
		if sv.VerifyStale {
			worse(HealthAmber, "no recent restore drill")
		}
		switch sh.State {
		case HealthRed:
			h.Red++
		case HealthAmber:
			h.Amber++
		default:
			h.Green++
		}
		if rank(sh.State) > rank(h.State) {
			h.State = sh.State
		}
		h.Servers = append(h.Servers, sh)
	}
	var parts []string
	if h.Red > 0 {
		parts = append(parts, fmt.Sprintf("%d at risk", h.Red))
	}
	if h.Amber > 0 {
		parts = append(parts, fmt.Sprintf("%d need attention", h.Amber))
	}
	parts = append(parts, fmt.Sprintf("%d healthy", h.Green))
	h.Summary = strings.Join(parts, ", ")
	return h, nil
}

func rank(state string) int {
	switch state {
	case HealthRed:
		return 2
	case HealthAmber:
		return 1
	}
	return 0
}

// rpo is the backup-age target of a server (rpo.<name>), or the default
// (rpo.default) when name is empty; 0 when a server has none of its own.
func (s *Service) rpo(ctx context.Context, name string) time.Duration {
	key := "rpo.default"
	if name != "" {
		v, err := s.st.Setting(ctx, "rpo."+name)
		if err != nil {
			return 0
		}
		d, _ := time.ParseDuration(v)
		return d
	}
	v, _ := s.Setting(ctx, key)
	d, err := time.ParseDuration(v)
	if err != nil || d <= 0 {
		return 26 * time.Hour
	}
	return d
}

func roundAge(d time.Duration) string {
	if d >= 48*time.Hour {
		return fmt.Sprintf("%dd", int(d.Hours()/24))
	}
	if d >= time.Hour {
		return fmt.Sprintf("%dh", int(d.Hours()))
	}
	return fmt.Sprintf("%dm", int(d.Minutes()))
}
