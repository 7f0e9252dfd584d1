// Package health rates the fleet at a glance: every job green, amber, red
// or paused against its server's RPO, every server as the worst of its
// jobs, its agent, its certificate and its drills, and the fleet as the
// worst of its servers, with the sentences that say why.
//
// The rating (Rate, RateServer) is pure: it is given the servers, jobs and
// run facts, the RPOs and the time, and answers the same for the same
// input. Check gathers that input from a Source. It never writes anything,
// never raises alerts (backend/alerts turns its answer into alerts) and
// never reads a setting other than the RPOs.
package health

import (
	"context"
	"fmt"
	"slices"
	"strings"
	"time"

	"borgdesk/backend/store"
)

// States, worst last. A job can also be paused (disabled): it is shown as
// such and never turns its server red.
const (
	Green  = "green"
	Amber  = "amber"
	Red    = "red"
	Paused = "paused"
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

// Issue is one reason a server is not green.
type Issue struct {
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

// Job is one job's state: green, amber, red or paused.
type Job struct {
	ID          int64      `json:"id"`
	Name        string     `json:"name"`
	State       string     `json:"state"`
	LastSuccess *time.Time `json:"last_success" ts_type:"string"`
	LastStatus  string     `json:"last_status"`
}

// Server is one server at a glance.
type Server struct {
	ID    int64  `json:"id"`
	UUID  string `json:"uuid"`
	Name  string `json:"name"`
	State string `json:"state"`
	// Reasons are the issues' sentences, worst first.
	Reasons []string `json:"reasons"`
	Issues  []Issue  `json:"issues"`
	Jobs    []Job    `json:"jobs"`
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

// Fleet is the fleet at a glance: the worst server's state, counts, and
// every server.
type Fleet struct {
	State   string   `json:"state"`
	Green   int      `json:"green"`
	Amber   int      `json:"amber"`
	Red     int      `json:"red"`
	Summary string   `json:"summary"`
	Servers []Server `json:"servers"`
}

// Source is what Check reads.
type Source interface {
	// ListServers returns every server with its online and drill state
	// (Online, VerifyStale) as of now.
	ListServers(ctx context.Context) ([]store.Server, error)
	ListJobs(ctx context.Context) ([]store.Job, error)
	JobRunFacts(ctx context.Context) (map[int64]store.JobRunFacts, error)
	// Setting reads a setting: rpo.default and rpo.<server name>.
	Setting(ctx context.Context, key string) (string, error)
}

// Check reads the fleet from src and rates it (see Rate) at now().
func Check(ctx context.Context, src Source, now func() time.Time) (Fleet, error) {
	servers, err := src.ListServers(ctx)
	if err != nil {
		return Fleet{}, err
	}
	facts, err := src.JobRunFacts(ctx)
	if err != nil {
		return Fleet{}, err
	}
	jobs, err := src.ListJobs(ctx)
	if err != nil {
		return Fleet{}, err
	}
	def := RPO(ctx, src.Setting, "")
	rpo := func(server string) time.Duration {
		if v := RPO(ctx, src.Setting, server); v > 0 {
			return v
		}
		return def
	}
	return Rate(servers, jobs, facts, rpo, now()), nil
}

// Rate rates every job, then every server as the worst of its jobs, its
// agent, its certificate and its drills; revoked servers are left out. A
// job is red when its newest backup (or, with none, its creation) is older
// than its server's RPO (rpo(server name)); amber when its last run
// failed, when it has not succeeded yet, or when its backup is older than
// three quarters of the RPO; paused when disabled (never red). A server is
// amber when its agent is offline, its certificate expires within 14
// days, no restore drill verified it lately, or it has no active job.
func Rate(servers []store.Server, jobs []store.Job, facts map[int64]store.JobRunFacts, rpo func(server string) time.Duration, now time.Time) Fleet {
	byServer := map[int64][]store.Job{}
	for _, j := range jobs {
		byServer[j.ServerID] = append(byServer[j.ServerID], j)
	}
	h := Fleet{State: Green, Servers: make([]Server, 0, len(servers))}
	for _, sv := range servers {
		if sv.Status == store.ServerRevoked {
			continue
		}
		sh := RateServer(sv, byServer[sv.ID], facts, rpo(sv.Name), now)
		switch sh.State {
		case Red:
			h.Red++
		case Amber:
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
	return h
}

// RateServer rolls a server's jobs and its own conditions into one state.
func RateServer(sv store.Server, jobs []store.Job, facts map[int64]store.JobRunFacts, rpo time.Duration, now time.Time) Server {
	sh := Server{ID: sv.ID, UUID: sv.UUID, Name: sv.Name, State: Green, Reasons: []string{}, Issues: []Issue{}, Jobs: []Job{},
		RPOHours: rpo.Hours(), Online: sv.Online, LastVerifiedAt: sv.LastVerifiedAt, CertNotAfter: sv.CertNotAfter}
	add := func(is Issue) {
		if rank(is.State) > rank(sh.State) {
			sh.State = is.State
		}
		sh.PastRPO = sh.PastRPO || (is.Code == IssuePastRPO || is.Code == IssueNeverSucceeded) && is.State == Red
		sh.Issues = append(sh.Issues, is)
	}
	active := 0
	for _, j := range jobs {
		f := facts[j.ID]
		if f.LastSuccess != nil && (sh.LastBackup == nil || f.LastSuccess.After(*sh.LastBackup)) {
			sh.LastBackup = f.LastSuccess
		}
		jh := Job{ID: j.ID, Name: j.Name, State: Paused, LastSuccess: f.LastSuccess, LastStatus: f.LastStatus}
		if j.Enabled {
			active++
			jh.State = Green
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
		add(Issue{Code: IssueNoJob, State: Amber, Text: "no backup job"})
	case active == 0:
		add(Issue{Code: IssueAllPaused, State: Amber, Text: fmt.Sprintf("every job is paused (%d)", len(jobs))})
	}
	if !sv.Online {
		add(Issue{Code: IssueOffline, State: Amber, Text: "agent offline"})
	}
	if sv.CertNotAfter != nil && sv.CertNotAfter.Sub(now) < 14*24*time.Hour {
		add(Issue{Code: IssueCertExpiring, State: Amber, Since: sv.CertNotAfter, Text: "certificate expires " + sv.CertNotAfter.Format("2006-01-02")})
	}
	if sv.VerifyStale {
		add(Issue{Code: IssueNoDrill, State: Amber, Text: "no recent restore drill"})
	}
	slices.SortStableFunc(sh.Issues, func(a, b Issue) int { return rank(b.State) - rank(a.State) })
	for _, is := range sh.Issues {
		sh.Reasons = append(sh.Reasons, is.Text)
	}
	return sh
}

// rateJob says what is wrong with an enabled job, if anything.
func rateJob(j store.Job, f store.JobRunFacts, rpo time.Duration, now time.Time) []Issue {
	var out []Issue
	is := func(code, state string, since *time.Time, text string) Issue {
		return Issue{Code: code, State: state, Job: j.Name, JobID: j.ID, Since: since, Text: "job " + j.Name + ": " + text}
	}
	if f.LastSuccess == nil {
		created := j.CreatedAt
		age := now.Sub(created)
		state, text := Amber, fmt.Sprintf("has not succeeded yet (created %s ago)", RoundAge(age))
		if age > rpo {
			state, text = Red, fmt.Sprintf("no successful backup since it was created %s ago, past its %s RPO", RoundAge(age), RoundAge(rpo))
		}
		out = append(out, is(IssueNeverSucceeded, state, &created, text))
	} else {
		switch age := now.Sub(*f.LastSuccess); {
		case age > rpo:
			out = append(out, is(IssuePastRPO, Red, f.LastSuccess, fmt.Sprintf("last backup %s ago, past its %s RPO", RoundAge(age), RoundAge(rpo))))
		case age > rpo*3/4:
			out = append(out, is(IssueNearRPO, Amber, f.LastSuccess, fmt.Sprintf("last backup %s ago, close to its %s RPO", RoundAge(age), RoundAge(rpo))))
		}
	}
	if f.LastStatus == store.RunFailed {
		detail, _, _ := strings.Cut(strings.TrimSpace(f.LastError), "\n")
		x := is(IssueLastRunFailed, Amber, f.LastAt, "last run failed")
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
	case Red:
		return 2
	case Amber:
		return 1
	}
	return 0
}

// RPO is the backup-age target of a server (rpo.<name>, 0 when it has none
// of its own), or the default (rpo.default, 26 hours when unset or not a
// duration) when name is empty; setting reads a setting.
func RPO(ctx context.Context, setting func(ctx context.Context, key string) (string, error), name string) time.Duration {
	if name != "" {
		v, err := setting(ctx, "rpo."+name)
		if err != nil {
			return 0
		}
		d, _ := time.ParseDuration(v)
		return d
	}
	v, _ := setting(ctx, "rpo.default")
	d, err := time.ParseDuration(v)
	if err != nil || d <= 0 {
		return 26 * time.Hour
	}
	return d
}

// RoundAge says a duration the way the sentences do: "3d", "5h", "12m".
func RoundAge(d time.Duration) string {
	if d >= 48*time.Hour {
		return fmt.Sprintf("%dd", int(d.Hours()/24))
	}
	if d >= time.Hour {
		return fmt.Sprintf("%dh", int(d.Hours()))
	}
	return fmt.Sprintf("%dm", int(d.Minutes()))
}
