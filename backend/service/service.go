// Package service is the operator's facade: the one API behind the Wails
// bindings, the admin socket and the tests. It assembles the rooms — the
// fleet (agents), the orchestrator and its run queue (what runs later),
// drills, settings — in its constructor and adapts what they ask of each
// other (runEnv, drillEnv, the fleet's hooks).
//
// It validates input, talks to the store and announces what changed. It never
// imports Wails or net/http: front doors adapt to it, not the other way round.
// Every change is written to the store before it is announced, and it never
// starts a goroutine the orchestrator does not wait for.
package service

import (
	"cmp"
	"context"
	"fmt"
	"log/slog"
	"slices"
	"time"

	"borgdesk/backend/agentdist"
	"borgdesk/backend/alerts"
	"borgdesk/backend/archives"
	"borgdesk/backend/ca"
	"borgdesk/backend/catalog"
	"borgdesk/backend/datadir"
	"borgdesk/backend/drills"
	"borgdesk/backend/events"
	"borgdesk/backend/fault"
	"borgdesk/backend/fleet"
	"borgdesk/backend/jobs"
	"borgdesk/backend/metrics"
	"borgdesk/backend/mounts"
	"borgdesk/backend/offline"
	"borgdesk/backend/operators"
	"borgdesk/backend/recoverykit"
	"borgdesk/backend/replicas"
	"borgdesk/backend/repos"
	"borgdesk/backend/restores"
	"borgdesk/backend/rollout"
	"borgdesk/backend/settings"
	"borgdesk/backend/shared/agentapi"
	"borgdesk/backend/shared/replicate"
	"borgdesk/backend/snapshots"
	"borgdesk/backend/store"
	"borgdesk/backend/targets"
)

var (
	// ErrNotFound is returned when a named thing does not exist.
	ErrNotFound = fault.ErrNotFound
	// ErrConflict is returned when a name is already taken.
	ErrConflict = fault.ErrConflict
	// ErrInvalid is returned for input the service refuses.
	ErrInvalid = fault.ErrInvalid
	// ErrUnavailable means something the request needs is not set up on this coordinator.
	ErrUnavailable = fault.ErrUnavailable
)

// Config is what a Service needs.
type Config struct {
	Store   *store.Store
	Bus     *events.Bus
	Now     func() time.Time
	DataDir string
	Version string
	// CA signs agent certificates; enrollment is unavailable without it.
	CA *ca.CA
	// Dist serves signed agent binaries; updates are unavailable without it.
	Dist *agentdist.Dist
	// GatewayURL is the agents' address of the gateway, for install commands.
	GatewayURL string
	// GatewayPin is the pin of the gateway's serving certificate that
	// one-line install commands carry (no one-line install without it).
	GatewayPin string
	// BorgSSH is where agents reach their repositories (no backups to the
	// coordinator without it).
	BorgSSH BorgSSH
	// Addresses are the addresses the coordinator listens on, each with
	// where it came from (Status shows them).
	Addresses []Address
	// OnRevoke runs when an agent is revoked or removed (the Borg SSH
	// server cuts its sessions).
	OnRevoke func(agent string)
	// Heartbeat is how often agents report (60 s when zero); a server is
	// offline after three missed heartbeats.
	Heartbeat time.Duration
	// TaskLease is how long a dispatched task may wait for its agent to
	// start it before it is handed out again (2 minutes when zero).
	TaskLease time.Duration
	// Repos holds the repositories; backups are unavailable without it.
	Repos *repos.Repos
	// RetryDelay is the backoff step for retrying failed runs (30 s when zero).
	RetryDelay time.Duration
	// InitReposAtEnrollment creates each agent's repository right after it
	// enrolls (otherwise before its first backup).
	InitReposAtEnrollment bool
	// RolloutHeartbeatWait bounds an SSH rollout's wait for the new agent's
	// first heartbeat (90 s when zero).
	RolloutHeartbeatWait time.Duration
	// Catalog is the file index; browsing and search are unavailable without it.
	Catalog *catalog.Catalog
	// Mounts manages FUSE mounts; unavailable without it.
	Mounts *mounts.Manager
	// Logger receives background failures (nothing when nil).
	Logger *slog.Logger
	// Self is this program, run as BORG_RSH to reach storage targets
	// (os.Executable when empty).
	Self string
	// Replicator copies repositories to their replicas (rclone from PATH
	// over Repos' borg when nil).
	Replicator *replicate.Replicator
	// Orchestrator runs what happens later or in the background (a new one
	// when nil, which Close stops). New gives it the service's periodic
	// tasks and loops; they start when its Run is called.
	Orchestrator *jobs.Orchestrator
	// SchedulerEvery is how often due runs, drills, checks and replicas
	// are looked for (15 s when zero).
	SchedulerEvery time.Duration
	// SendMail e-mails alerts through the outbox in DataDir (outbox.mbox,
	// sent.mbox), delivered by the orchestrator; without it the service
	// sends no e-mail.
	SendMail bool
	// Desktop shows an alert on the desktop (no desktop alerts when nil).
	Desktop func(Alert)
	// OperatorsURL is where operators reach the operator listener ("" when
	// it is off: no invites then).
	OperatorsURL string
	// OnOperatorRevoke runs when an operator is revoked (the operator
	// listener cuts their connections).
	OnOperatorRevoke func(name string)
}

// BorgSSH is where agents reach their repositories.
type BorgSSH = fleet.BorgSSH

// Service is the coordinator's use cases.
type Service struct {
	// Fleet is the side facing the agents (the gateway's and the Borg SSH
	// server's); its methods are the service's too.
	*fleet.Fleet
	st           *store.Store
	bus          *events.Bus
	events       events.Log
	settings     *settings.Settings
	now          func() time.Time
	dataDir      string
	layout       datadir.Layout
	version      string
	started      time.Time
	ca           *ca.CA
	dist         *agentdist.Dist
	gatewayURL   string
	gatewayPin   string
	addresses    []Address
	heartbeat    time.Duration
	offlineAfter time.Duration
	taskLease    time.Duration
	// orch runs everything that outlives a request; Close stops it.
	orch      *jobs.Orchestrator
	repos     *repos.Repos
	runs      *jobs.Runs
	onRevoke  func(agent string)
	initRepos bool
	initQ     chan string
	dueChecks archives.DueChecks
	targets   *targets.Targets
	self      string
	rollouts  *rollout.Manager
	cat       *catalog.Catalog
	archives  *archives.Archives
	restores  *restores.Restores
	drills    *drills.Drills
	alerts    *alerts.Alerts
	metrics   *metrics.Metrics
	logger    *slog.Logger
	replicas  *replicas.Replicas
	snapshots *snapshots.Snapshots
	offline   *offline.Offline
	kits      *recoverykit.Kits
	jobs      *jobs.Definitions
	operators *operators.Operators
}

// New returns a service over cfg's store and bus.
func New(cfg Config) *Service {
	if cfg.Now == nil {
		cfg.Now = time.Now
	}
	if cfg.Bus == nil {
		cfg.Bus = events.NewBus()
	}
	if cfg.Heartbeat == 0 {
		cfg.Heartbeat = 60 * time.Second
	}
	if cfg.TaskLease == 0 {
		cfg.TaskLease = 2 * time.Minute
	}
	s := &Service{st: cfg.Store, bus: cfg.Bus, now: cfg.Now, dataDir: cfg.DataDir, layout: datadir.At(cfg.DataDir), version: cfg.Version, started: cfg.Now(),
		ca: cfg.CA, dist: cfg.Dist, gatewayURL: cfg.GatewayURL, gatewayPin: cfg.GatewayPin, addresses: slices.Clone(cfg.Addresses), onRevoke: cfg.OnRevoke, heartbeat: cfg.Heartbeat,
		offlineAfter: 3 * cfg.Heartbeat, taskLease: cfg.TaskLease, repos: cfg.Repos, initRepos: cfg.InitReposAtEnrollment}
	s.events = events.Log{Store: s.st, Bus: s.bus, Now: s.now}
	s.settings = settings.New(settings.Config{Store: s.st, Events: s.events, Layout: s.layout})
	s.cat, s.logger, s.self = cfg.Catalog, cfg.Logger, cfg.Self
	if s.logger == nil {
		s.logger = slog.New(slog.DiscardHandler)
	}
	s.Fleet = fleet.New(fleet.Config{Store: s.st, Events: s.events, Now: s.now, CA: s.ca, Dist: s.dist, Heartbeat: s.heartbeat,
		TaskLease: s.taskLease, Logger: s.logger, Hooks: s.fleetHooks(), BorgSSH: cfg.BorgSSH, GatewayURL: cfg.GatewayURL, GatewayPin: cfg.GatewayPin})
	s.initQ = make(chan string, 1024)
	s.orch = cfg.Orchestrator
	if s.orch == nil {
		s.orch = jobs.New(s.logger, s.now)
	}
	s.jobs = jobs.NewDefinitions(jobs.DefinitionsConfig{Store: s.st, Events: s.events, Now: s.now, Env: jobsEnv{s}})
	s.metrics = metrics.New(metrics.Config{Store: s.st, Events: s.events, Now: s.now, Repos: s.repos})
	s.alerts = s.newAlerts(cfg)
	s.replicas = replicas.New(replicas.Config{Store: s.st, Events: s.events, Now: s.now, Layout: s.layout, Orchestrator: s.orch,
		Repos: s.repos, Replicator: cfg.Replicator, Logger: s.logger, Env: replicaEnv{s}})
	s.runs = jobs.NewRuns(jobs.RunsConfig{Store: s.st, Events: s.events, Now: s.now, Orchestrator: s.orch, Env: runEnv{s},
		Backoff: jobs.Backoff{Step: cmp.Or(cfg.RetryDelay, 30*time.Second), Attempts: 3}})
	s.drills = drills.New(drills.Config{Store: s.st, Events: s.events, Now: s.now, Orchestrator: s.orch, Layout: s.layout, Repos: s.repos,
		Env: drillEnv{s}, Enabled: s.cat != nil, Logger: s.logger})
	s.targets = targets.New(targets.Config{Store: s.st, Events: s.events, Repos: s.repos, Layout: s.layout, Orchestrator: s.orch,
		Self: s.self, Env: targetsEnv{s}, Logger: s.logger})
	s.rollouts = rollout.NewManager(rollout.ManagerConfig{KnownHosts: s.layout.KnownHosts(), Coord: coordAdapter{s},
		HeartbeatWait: cfg.RolloutHeartbeatWait, Events: s.events, Orchestrator: s.orch, Now: s.now})
	s.archives = archives.New(archives.Config{Store: s.st, Events: s.events, Now: s.now, Repos: s.repos, Catalog: s.cat, Mounts: cfg.Mounts,
		Layout: s.layout, Logger: s.logger, Env: archivesEnv{s}})
	snapCfg := snapshots.Config{Store: s.st, Events: s.events, Layout: s.layout, Env: snapshotsEnv{s}}
	if s.cat != nil { // not a typed nil: no catalog, no indexing
		snapCfg.Catalog = s.cat
	}
	s.snapshots = snapshots.New(snapCfg)
	s.offline = offline.New(offline.Config{Store: s.st, Events: s.events, Now: s.now, CA: s.ca, Repos: s.repos, Orchestrator: s.orch,
		Logger: s.logger, Env: offlineEnv{s}})
	s.kits = recoverykit.NewKits(recoverykit.KitsConfig{Store: s.st, Events: s.events, Now: s.now, DataDir: s.dataDir,
		Describe: s.kitManifest, Source: kitSource{s}})
	s.restores = restores.New(restores.Config{Store: s.st, Events: s.events, Now: s.now, Catalog: s.cat, Repos: s.repos, Env: restoresEnv{s}})
	s.operators = operators.New(operators.Config{Store: s.st, CA: s.ca, Events: s.events, Now: s.now,
		URL: func() string { return cfg.OperatorsURL }, OnRevoke: cfg.OnOperatorRevoke})
	s.schedule(cmp.Or(cfg.SchedulerEvery, 15*time.Second))
	return s
}

// schedule gives the orchestrator what runs for as long as the coordinator
// does: the scheduler and the offline monitor (periodic), and the loops
// that wait for something to happen (a repository to create, a file in the
// inbox, an event to alert about, e-mail to deliver, archives to index).
func (s *Service) schedule(every time.Duration) {
	s.orch.Schedule(jobs.Every("scheduler", every, func(ctx context.Context) error {
		s.runDue(ctx)
		return nil
	}).StartNow())
	// A silent agent is looked for every quarter heartbeat, so "offline"
	// shows within about a heartbeat of the threshold.
	s.orch.Schedule(jobs.Every("offline monitor", max(s.heartbeat/4, time.Second), s.MarkOffline))
	s.orch.Loop("repository init", s.RunRepoInit)
	s.orch.Loop("flx inbox", s.snapshots.WatchInbox)
	s.orch.Loop("file catalog", s.archives.RunCatalog)
	s.orch.Loop("alerts", s.RunAlerts)
	s.orch.Loop("mail outbox", s.alerts.RunOutbox)
}

func (s *Service) log() *slog.Logger { return s.logger }

// Close stops the background work the service started (drills, webhooks,
// rollouts, retries, pushing keys to storage nodes…) and waits for it: the
// coordinator calls it at shutdown, before the store is closed under them.
func (s *Service) Close() { s.orch.Close() }

// GatewayURL is where agents reach the gateway.
func (s *Service) GatewayURL() string { return s.gatewayURL }

// Status is a summary of the coordinator.
type Status struct {
	Version     string    `json:"version"`
	DataDir     string    `json:"data_dir"`
	Schema      int       `json:"schema"`
	StartedAt   time.Time `json:"started_at" ts_type:"string"`
	Servers     int       `json:"servers"`
	Jobs        int       `json:"jobs"`
	RunsRunning int       `json:"runs_running"`
	// GatewayURL is where agents reach the coordinator; CAFingerprint is
	// the pin install commands carry.
	GatewayURL    string `json:"gateway_url"`
	CAFingerprint string `json:"ca_fingerprint"`
	// Addresses are the gateway's and the Borg SSH server's addresses as
	// the coordinator started, with where each came from.
	Addresses []Address `json:"addresses"`
}

// Status reports the coordinator's version, data dir and counts.
func (s *Service) Status(ctx context.Context) (Status, error) {
	st := Status{Version: s.version, DataDir: s.dataDir, StartedAt: s.started.UTC(), GatewayURL: s.GatewayURL(), Addresses: s.Addresses()}
	if s.ca != nil {
		st.CAFingerprint = s.ca.Fingerprint()
	}
	var err error
	if st.Schema, err = s.st.SchemaVersion(ctx); err != nil {
		return Status{}, fmt.Errorf("status: %w", err)
	}
	if st.Servers, err = s.st.CountServers(ctx); err != nil {
		return Status{}, fmt.Errorf("status: %w", err)
	}
	if st.Jobs, err = s.st.CountJobs(ctx); err != nil {
		return Status{}, fmt.Errorf("status: %w", err)
	}
	if st.RunsRunning, err = s.st.CountRunning(ctx); err != nil {
		return Status{}, fmt.Errorf("status: %w", err)
	}
	return st, nil
}

// Subscribe returns a live feed of events; see events.Bus.
func (s *Service) Subscribe(buf int) *events.Subscription { return s.bus.Subscribe(buf) }

// ListEvents returns the newest events first; limit is clamped to 1..1000.
func (s *Service) ListEvents(ctx context.Context, limit int) ([]store.Event, error) {
	return s.st.ListEvents(ctx, clampLimit(limit))
}

// announce publishes a live-only event (not written to the log): metrics
// and progress that would flood the log.
func (s *Service) announce(kind, subject string, data any) { s.events.Announce(kind, subject, data) }

// publish persists an event, then announces it.
func (s *Service) publish(ctx context.Context, kind, subject, message string, data any) error {
	return s.events.Publish(ctx, kind, subject, message, data)
}

func clampLimit(n int) int {
	switch {
	case n <= 0:
		return 50
	case n > 1000:
		return 1000
	}
	return n
}

// fleetHooks is what the service does when the fleet reports.
func (s *Service) fleetHooks() fleet.Hooks {
	return fleet.Hooks{
		PrepareTask: s.withPassphrase,
		TaskEnded: func(ctx context.Context, t store.Task) {
			if t.Type == agentapi.TaskBackup || t.Type == agentapi.TaskFlxBackup { // a .flx job's run is an flx-backup task
				s.runs.Finish(ctx, t)
			}
			s.taskEnded(t)
		},
		Enrolled: func(ctx context.Context, agent string) {
			s.orch.Go("push keys to storage nodes", s.pushNodeKeys) // storage nodes accept the new agent
			if s.repos != nil && s.initRepos {
				select { // borg init takes a moment: a worker does it; the first backup waits for it if needed
				case s.initQ <- agent:
				default:
				}
			}
		},
		Online: func(ctx context.Context, sv store.Server) {
			s.orch.Go("wake runs waiting for a storage node", func(ctx context.Context) { s.wakeNodeRepos(ctx, sv.ID) })
		},
		Offline:        func(ctx context.Context, sv store.Server) { s.restores.WarnOffline(ctx, sv) },
		Metrics:        func(ctx context.Context, id int64, m agentapi.Metrics) { s.metrics.Sample(ctx, id, m) },
		ScheduleSerial: func(ctx context.Context, sv store.Server) string { return s.offline.Serial(ctx, sv) },
		Setting:        s.Setting,
	}
}
