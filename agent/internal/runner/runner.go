// Package runner is the enrolled agent's main loop: it long-polls the
// gateway for tasks and runs them (at most max_concurrent_tasks at once),
// heartbeats with capabilities and metrics, renews its certificate 30 days
// before expiry, reloads configuration and certificates when their files
// change, installs signed updates, and backs off with jitter while the
// coordinator is unreachable. It only ever dials out.
package runner

import (
	"context"
	"crypto/x509"
	"errors"
	"fmt"
	"log/slog"
	"math/rand/v2"
	"os"
	"strconv"
	"sync"
	"sync/atomic"
	"time"

	"borgdesk/agent/internal/client"
	"borgdesk/agent/internal/config"
	"borgdesk/agent/internal/identity"
	"borgdesk/agent/internal/offline"
	"borgdesk/agent/internal/restore"
	"borgdesk/agent/internal/storage"
	"borgdesk/agent/internal/sysinfo"
	"borgdesk/agent/internal/update"
	"borgdesk/backend/shared/agentapi"
)

// ErrRestart asks the caller to re-execute the (updated) binary.
var ErrRestart = errors.New("restart requested")

// RenewBefore is how long before expiry the agent renews its certificate.
const RenewBefore = agentapi.RenewBefore

// Options configure an agent.
type Options struct {
	ConfigPath string
	Version    string
	Logger     *slog.Logger
	// Now is the clock for certificate expiry; time.Now when nil.
	Now func() time.Time
	// CPUSample is how long CPU use is measured per heartbeat (1 s when zero).
	CPUSample time.Duration
	// Exe is the running binary, for updates (os.Executable when empty).
	Exe string
	// Shutdown is how long running tasks may finish after a stop (30 s when zero).
	Shutdown time.Duration
}

// Agent is a running, enrolled agent.
type Agent struct {
	opts     Options
	log      *slog.Logger
	cfg      atomic.Pointer[config.Config]
	cert     identity.Holder
	client   *client.Client
	updater  *update.Updater
	tasks    sync.WaitGroup
	running  atomic.Int32
	taskMu   sync.Mutex
	taskIDs  map[int64]context.CancelFunc
	started  time.Time
	restart  atomic.Bool
	caps     atomic.Pointer[agentapi.Capabilities]
	healthy  chan struct{} // closed after the first accepted heartbeat
	watching chan struct{} // closed once file changes are being watched
	once     sync.Once
	// node serves repositories when this agent is a storage node.
	node *storage.Node
	// off is the signed offline schedule and the queue of runs made while
	// the coordinator was unreachable; passes are its passphrases (memory).
	off         *offline.Store
	passes      passphrases
	lastContact atomic.Int64
}

// New loads the configuration and certificates.
func New(opts Options) (*Agent, error) {
	if opts.Logger == nil {
		opts.Logger = slog.New(slog.DiscardHandler)
	}
	if opts.Now == nil {
		opts.Now = time.Now
	}
	if opts.CPUSample == 0 {
		opts.CPUSample = time.Second
	}
	if opts.Shutdown == 0 {
		opts.Shutdown = 30 * time.Second
	}
	if opts.Exe == "" {
		opts.Exe, _ = os.Executable()
	}
	cfg, err := config.Load(opts.ConfigPath)
	if err != nil {
		return nil, err
	}
	a := &Agent{opts: opts, log: opts.Logger, healthy: make(chan struct{}), watching: make(chan struct{}), started: time.Now()}
	a.cfg.Store(cfg)
	if _, err := a.cert.Load(cfg.File(cfg.TLS.Cert), cfg.File(cfg.TLS.Key)); err != nil {
		return nil, fmt.Errorf("load agent certificate: %w (enroll again with --force)", err)
	}
	caPEM, err := os.ReadFile(cfg.File(cfg.TLS.CACert))
	if err != nil {
		return nil, fmt.Errorf("load CA certificate: %w", err)
	}
	tlsConf, err := client.MutualTLS(caPEM, a.cert.GetClientCertificate)
	if err != nil {
		return nil, err
	}
	a.client, err = client.New(cfg.Server.URL, tlsConf)
	if err != nil {
		return nil, err
	}
	a.updater = &update.Updater{Client: a.client, PublicKey: cfg.Update.PublicKey, Version: opts.Version, Exe: opts.Exe, StateDir: cfg.Dir()}
	a.node = storage.New(cfg.Dir(), "", opts.Logger)
	if a.off, err = offline.Open(cfg.Dir(), cfg.Agent.UUID, caPEM); err != nil {
		a.log.Warn("offline schedule not loaded", "err", err)
	}
	return a, nil
}

// Config is the configuration in use.
func (a *Agent) Config() *config.Config { return a.cfg.Load() }

// Certificate is the certificate in use.
func (a *Agent) Certificate() *x509.Certificate { return a.cert.Leaf() }

// Client is the agent's gateway client (for selfcheck).
func (a *Agent) Client() *client.Client { return a.client }

// Run works until ctx ends (then it lets running tasks finish, up to the
// shutdown grace) or an update asks for a restart (ErrRestart).
func (a *Agent) Run(ctx context.Context) error {
	cfg := a.cfg.Load()
	a.log.Info("agent running", "name", cfg.Agent.Name, "uuid", cfg.Agent.UUID, "server", cfg.Server.URL, "version", a.opts.Version)
	if cleaned := restore.CleanStaging(cfg.Dir()); len(cleaned) > 0 {
		a.log.Warn("removed the staging folders of restores interrupted by the last stop", "dirs", cleaned)
	}
	if pending, rollback := a.updater.Pending(); rollback {
		a.log.Error("the updated agent never proved healthy; rolling back")
		if err := a.updater.Rollback(); err != nil {
			a.log.Error("roll back failed", "err", err)
		} else {
			return ErrRestart
		}
	} else if pending {
		go a.confirmUpdate(ctx)
	}

	if err := a.node.Start(ctx); err != nil {
		a.log.Error("storage node not started", "err", err)
	}
	defer a.node.Close()

	ctx, cancel := context.WithCancel(ctx)
	defer cancel()
	var loops sync.WaitGroup
	loops.Go(func() { a.heartbeatLoop(ctx) })
	loops.Go(func() { a.offlineLoop(ctx) })
	loops.Go(func() { a.maintenanceLoop(ctx, cancel) })
	loops.Go(func() { a.watch(ctx) })
	a.pollLoop(ctx)
	cancel()
	loops.Wait()
	a.waitTasks()
	if a.restart.Load() {
		return ErrRestart
	}
	return nil
}

// confirmUpdate keeps a fresh update if it heartbeats within two minutes,
// and otherwise puts the previous binary back.
func (a *Agent) confirmUpdate(ctx context.Context) {
	select {
	case <-a.healthy:
		a.updater.Confirm()
		a.log.Info("update confirmed healthy", "version", a.opts.Version)
	case <-time.After(2 * time.Minute):
		a.log.Error("updated agent did not reach the coordinator within 2 minutes; rolling back")
		if err := a.updater.Rollback(); err == nil {
			a.restart.Store(true)
		}
	case <-ctx.Done():
	}
}

func (a *Agent) waitTasks() {
	done := make(chan struct{})
	go func() { a.tasks.Wait(); close(done) }()
	select {
	case <-done:
	case <-time.After(a.opts.Shutdown):
		a.log.Warn("stopping with tasks still running", "running", a.running.Load())
	}
}

// pollLoop long-polls for tasks while there is a free slot.
func (a *Agent) pollLoop(ctx context.Context) {
	slots := make(chan struct{}, a.cfg.Load().Agent.MaxConcurrentTasks)
	bo := newBackoff(time.Second, time.Minute)
	for ctx.Err() == nil {
		free := cap(slots) - len(slots)
		if free == 0 {
			select {
			case slots <- struct{}{}: // wait for one to free, then give it back
				<-slots
			case <-ctx.Done():
				return
			}
			continue
		}
		var resp agentapi.TasksResponse
		path := agentapi.PathTasks + "?max=" + strconv.Itoa(free) + "&wait=" + strconv.Itoa(int(agentapi.LongPoll/time.Second))
		err := a.client.Do(ctx, "GET", path, nil, &resp, agentapi.LongPoll+15*time.Second)
		if err != nil {
			if ctx.Err() != nil {
				return
			}
			wait := bo.next()
			if client.Refused(err, agentapi.CodeForbidden) {
				// Revoked: nothing will change until an operator re-enrolls.
				wait = 5 * time.Minute
				a.log.Error("the coordinator refuses this agent (revoked or removed); enroll it again with a new token", "retry_in", wait)
			} else {
				a.log.Warn("cannot fetch tasks; retrying", "in", wait.Round(time.Millisecond), "err", err)
			}
			sleep(ctx, wait)
			continue
		}
		bo.reset()
		a.contact()
		for _, t := range resp.Tasks {
			slots <- struct{}{}
			a.tasks.Add(1)
			a.running.Add(1)
			tctx, cancelTask := context.WithCancel(ctx)
			a.track(t.ID, cancelTask)
			go func() {
				defer func() { <-slots; a.running.Add(-1); a.track(t.ID, nil); cancelTask(); a.tasks.Done() }()
				a.runTask(tctx, t)
			}()
		}
	}
}

func (a *Agent) heartbeatLoop(ctx context.Context) {
	bo := newBackoff(time.Second, time.Minute)
	for {
		err := a.heartbeat(ctx)
		wait := a.cfg.Load().Agent.HeartbeatInterval.D()
		if err != nil {
			if ctx.Err() != nil {
				return
			}
			wait = min(bo.next(), wait)
			a.log.Warn("heartbeat failed; retrying", "in", wait.Round(time.Millisecond), "err", err)
		} else {
			bo.reset()
		}
		if !sleep(ctx, wait) {
			return
		}
	}
}

func (a *Agent) heartbeat(ctx context.Context) error {
	caps := a.caps.Load()
	if caps == nil {
		c := sysinfo.Capabilities(ctx)
		caps = &c
		a.caps.Store(caps)
	}
	req := agentapi.HeartbeatRequest{
		AgentVersion:    a.opts.Version,
		ProtocolVersion: agentapi.ProtocolVersion,
		RunningTasks:    int(a.running.Load()),
		RunningTaskIDs:  a.runningIDs(),
		StartedAt:       a.started,
		Capabilities:    *caps,
		Metrics:         sysinfo.Metrics(ctx, a.opts.CPUSample),
	}
	// Runs made while the coordinator was away reach it before the first
	// heartbeat, so its scheduler never repeats them as catch-up runs.
	if err := a.deliverOffline(ctx); err != nil {
		return fmt.Errorf("deliver offline runs: %w", err)
	}
	var resp agentapi.HeartbeatResponse
	if err := a.client.Do(ctx, "POST", agentapi.PathHeartbeat, req, &resp, 30*time.Second); err != nil {
		return err
	}
	a.contact()
	a.syncSchedule(ctx, resp.ScheduleSerial)
	for _, id := range resp.Cancel {
		a.cancelTask(id)
	}
	a.once.Do(func() { close(a.healthy) })
	return nil
}

// maintenanceLoop renews the certificate when due, refreshes capabilities,
// and installs updates.
func (a *Agent) maintenanceLoop(ctx context.Context, stop context.CancelFunc) {
	// The first update check follows the first accepted heartbeat, so a
	// restarted agent picks up a waiting update within seconds.
	nextUpdate := time.Now().Add(24 * time.Hour)
	select {
	case <-a.healthy:
		nextUpdate = time.Now()
	case <-ctx.Done():
		return
	}
	for {
		if err := a.RenewIfDue(ctx); err != nil && ctx.Err() == nil {
			a.log.Warn("certificate renewal failed; will retry", "err", err)
		}
		cfg := a.cfg.Load()
		if cfg.Update.Auto && !time.Now().Before(nextUpdate) {
			nextUpdate = time.Now().Add(max(cfg.Update.CheckInterval.D(), time.Minute))
			if installed, err := a.UpdateOnce(ctx); err != nil && ctx.Err() == nil {
				a.log.Warn("update failed", "err", err)
			} else if installed {
				a.restart.Store(true)
				stop()
				return
			}
		}
		if !sleep(ctx, 10*time.Minute) {
			return
		}
		a.caps.Store(nil)
	}
}

// UpdateOnce installs an offered update; it reports whether one was installed.
func (a *Agent) UpdateOnce(ctx context.Context) (bool, error) {
	offer, err := a.updater.Offer(ctx)
	if err != nil || offer == nil {
		return false, err
	}
	a.log.Info("installing update", "from", a.opts.Version, "to", offer.Version)
	if err := a.updater.Install(ctx, offer); err != nil {
		if errors.Is(err, update.ErrPackaged) {
			a.log.Info("not updating myself", "reason", err.Error())
			return false, nil
		}
		return false, err
	}
	return true, nil
}

func sleep(ctx context.Context, d time.Duration) bool {
	t := time.NewTimer(d)
	defer t.Stop()
	select {
	case <-t.C:
		return true
	case <-ctx.Done():
		return false
	}
}

// backoff is exponential with full jitter.
type backoff struct {
	min, max, cur time.Duration
}

func newBackoff(min, max time.Duration) *backoff { return &backoff{min: min, max: max, cur: min} }

func (b *backoff) next() time.Duration {
	d := b.min/2 + rand.N(b.cur)
	b.cur = min(b.cur*2, b.max)
	return d
}

func (b *backoff) reset() { b.cur = b.min }

// track records a running task with the function that cancels it (nil: done).
func (a *Agent) track(id int64, cancel context.CancelFunc) {
	a.taskMu.Lock()
	defer a.taskMu.Unlock()
	if a.taskIDs == nil {
		a.taskIDs = map[int64]context.CancelFunc{}
	}
	if cancel != nil {
		a.taskIDs[id] = cancel
	} else {
		delete(a.taskIDs, id)
	}
}

// cancelTask stops a running task the operator cancelled.
func (a *Agent) cancelTask(id int64) {
	a.taskMu.Lock()
	cancel := a.taskIDs[id]
	a.taskMu.Unlock()
	if cancel != nil {
		a.log.Info("task cancelled by the operator", "task", id)
		cancel()
	}
}

func (a *Agent) runningIDs() []int64 {
	a.taskMu.Lock()
	defer a.taskMu.Unlock()
	ids := make([]int64, 0, len(a.taskIDs))
	for id := range a.taskIDs {
		ids = append(ids, id)
	}
	return ids
}
