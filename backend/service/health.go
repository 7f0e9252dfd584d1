package service

import (
	"context"
	"fmt"
	"slices"
	"strings"
	"time"

	"borgdesk/backend/store"
)

// Health states, worst last. A job can also be paused (disabled): it is
// shown as such and never turns its server red.
const (
	HealthGreen  = "green"
	HealthAmber  = "amber"
	HealthRed    = "red"
	HealthPaused = "paused"
)

// Issue codes: what made a server less than green, for the window to say
// in the operator's language (Text is the English sentence).
const (
	IssuePastRPO        = "past_rpo"        // a job's newest backup is older than the RPO
	IssueNearRPO        = "near_rpo"        // … older than three quarters of it
	IssueNeverSucceeded = "never_succeeded" // a job with no successful run since it was created
	IssueLastRunFailed  = "last_run_failed" // a job's newest finished run failed
	IssueNoJob          = "no_job"
	IssueAllPaused      = "all_paused"
	IssueOffline        = "offline"
	IssueCertExpiring   = "cert_expiring"
	IssueNoDrill        = "no_drill"
)

// HealthIssue is one reason a server is not green.
type HealthIssue struct {
	Code  string `json:"code"`
	State string `json:"state"`
	// Job names the job it is about ("" for the server itself).
	Job   string `json:"job,omitempty"`
	JobID int64  `json:"job_id,omitempty"`
	// Since is the time the issue counts from: the job's last backup, its
	// creation, its failed run, the certificate's expiry.
	Since *time.Time `json:"since,omitempty" ts_type:"string"`
	// Detail is the failed run's error, first line.
	Detail string `json:"detail,omitempty"`
	Text   string `json:"text"`
}

// JobHealth is one job's state: green, amber, red or paused.
type JobHealth struct {
	ID          int64      `json:"id"`
	Name        string     `json:"name"`
	State       string     `json:"state"`
	LastSuccess *time.Time `json:"last_success" ts_type:"string"`
	LastStatus  string     `json:"last_status"`
}

// ServerHealth is one server at a glance.
type ServerHealth struct {
	ID    int64  `json:"id"`
	UUID  string `json:"uuid"`
	Name  string `json:"name"`
	State string `json:"state"`
	// Reasons are the issues' sentences, worst first.
	Reasons []string      `json:"reasons"`
	Issues  []HealthIssue `json:"issues"`
	Jobs    []JobHealth   `json:"jobs"`
	// PastRPO: some active job has gone longer than the RPO without a backup.
	PastRPO bool `json:"past_rpo"`
	// LastBackup is the newest backup of any of its jobs.
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

// Health rates every job, then every server as the worst of its jobs, its
// agent, its certificate and its drills. A job is red when its newest
// backup (or, with none, its creation) is older than the RPO (rpo.<server
// name>, else rpo.default); amber when its last run failed, when it has
// not succeeded yet, or when its backup is older than three quarters of
// the RPO; paused when disabled (never red). A server is amber when its
// agent is offline, its certificate expires within 14 days, no restore
// drill verified it lately, or it has no active job.
func (s *Service) Health(ctx context.Context) (FleetHealth, error) {
	servers, err := s.ListServers(ctx)
	if err != nil {
		return FleetHealth{}, err
	}
	facts, err := s.st.JobRunFacts(ctx)
	if err != nil {
		return FleetHealth{}, err
	}
	jobs, err := s.st.ListJobs(ctx)
	if err != nil {
		return FleetHealth{}, err
	}
	byServer := map[int64][]store.Job{}
	for _, j := range jobs {
		byServer[j.ServerID] = append(byServer[j.ServerID], j)
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
		sh := rateServer(sv, byServer[sv.ID], facts, rpo, now)
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

// rateServer rolls a server's jobs and its own conditions into one state.
func rateServer(sv store.Server, jobs []store.Job, facts map[int64]store.JobRunFacts, rpo time.Duration, now time.Time) ServerHealth {
	sh := ServerHealth{ID: sv.ID, UUID: sv.UUID, Name: sv.Name, State: HealthGreen, Reasons: []string{}, Issues: []HealthIssue{}, Jobs: []JobHealth{},
		RPOHours: rpo.Hours(), Online: sv.Online, LastVerifiedAt: sv.LastVerifiedAt, CertNotAfter: sv.CertNotAfter}
	add := func(is HealthIssue) {
		if rank(is.State) > rank(sh.State) {
			sh.State = is.State
		}
		sh.PastRPO = sh.PastRPO || (is.Code == IssuePastRPO || is.Code == IssueNeverSucceeded) && is.State == HealthRed
		sh.Issues = append(sh.Issues, is)
	}
	active := 0
	for _, j := range jobs {
		f := facts[j.ID]
		if f.LastSuccess != nil && (sh.LastBackup == nil || f.LastSuccess.After(*sh.LastBackup)) {
			sh.LastBackup = f.LastSuccess
		}
		jh := JobHealth{ID: j.ID, Name: j.Name, State: HealthPaused, LastSuccess: f.LastSuccess, LastStatus: f.LastStatus}
		if j.Enabled {
			active++
			jh.State = HealthGreen
			for _, is := range rateJob(j, f, rpo, now) {
				if rank(is.State) > rank(jh.State) {
					jh.State = is.State
				}
				add(is)
			}
		}
		sh.Jobs = append(sh.Jobs, jh)
	}
	switch {
	case len(jobs) == 0:
		add(HealthIssue{Code: IssueNoJob, State: HealthAmber, Text: "no backup job"})
	case active == 0:
		add(HealthIssue{Code: IssueAllPaused, State: HealthAmber, Text: fmt.Sprintf("every job is paused (%d)", len(jobs))})
	}
	if !sv.Online {
		add(HealthIssue{Code: IssueOffline, State: HealthAmber, Text: "agent offline"})
	}
	if sv.CertNotAfter != nil && sv.CertNotAfter.Sub(now) < 14*24*time.Hour {
		add(HealthIssue{Code: IssueCertExpiring, State: HealthAmber, Since: sv.CertNotAfter, Text: "certificate expires " + sv.CertNotAfter.Format("2006-01-02")})
	}
	if sv.VerifyStale {
		add(HealthIssue{Code: IssueNoDrill, State: HealthAmber, Text: "no recent restore drill"})
	}
	slices.SortStableFunc(sh.Issues, func(a, b HealthIssue) int { return rank(b.State) - rank(a.State) })
	for _, is := range sh.Issues {
		sh.Reasons = append(sh.Reasons, is.Text)
	}
	return sh
}

// rateJob says what is wrong with an enabled job, if anything.
func rateJob(j store.Job, f store.JobRunFacts, rpo time.Duration, now time.Time) []HealthIssue {
	var out []HealthIssue
	is := func(code, state string, since *time.Time, text string) HealthIssue {
		return HealthIssue{Code: code, State: state, Job: j.Name, JobID: j.ID, Since: since, Text: "job " + j.Name + ": " + text}
	}
	if f.LastSuccess == nil {
		created := j.CreatedAt
		age := now.Sub(created)
		state, text := HealthAmber, fmt.Sprintf("has not succeeded yet (created %s ago)", roundAge(age))
		if age > rpo {
			state, text = HealthRed, fmt.Sprintf("no successful backup since it was created %s ago, past its %s RPO", roundAge(age), roundAge(rpo))
		}
		out = append(out, is(IssueNeverSucceeded, state, &created, text))
	} else {
		switch age := now.Sub(*f.LastSuccess); {
		case age > rpo:
			out = append(out, is(IssuePastRPO, HealthRed, f.LastSuccess, fmt.Sprintf("last backup %s ago, past its %s RPO", roundAge(age), roundAge(rpo))))
		case age > rpo*3/4:
			out = append(out, is(IssueNearRPO, HealthAmber, f.LastSuccess, fmt.Sprintf("last backup %s ago, close to its %s RPO", roundAge(age), roundAge(rpo))))
		}
	}
	if f.LastStatus == store.RunFailed {
		detail, _, _ := strings.Cut(strings.TrimSpace(f.LastError), "\n")
		x := is(IssueLastRunFailed, HealthAmber, f.LastAt, "last run failed")
		if detail != "" {
			x.Text += ": " + detail
		}
		x.Detail = detail
		out = append(out, x)
	}
	return out
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
