// Package coordinator assembles one running Borgdesk coordinator: it owns a
// data dir (lock first, then the database), builds the service layer, and
// runs every server and loop under one context, waiting for all of them at
// shutdown. The desktop app and `borgdesk serve` both use it. It holds no
// use case of its own and never leaves a server, a loop or a background
// job running when Run returns.
package coordinator

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"net"
	"net/url"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"sync"
	"time"

	"golang.org/x/crypto/ssh"

	"borgdesk/backend/adminapi"
	"borgdesk/backend/agentdist"
	"borgdesk/backend/ca"
	"borgdesk/backend/catalog"
	"borgdesk/backend/datadir"
	"borgdesk/backend/events"
	"borgdesk/backend/gateway"
	"borgdesk/backend/jobs"
	"borgdesk/backend/mounts"
	"borgdesk/backend/repos"
	"borgdesk/backend/service"
	"borgdesk/backend/shared/borg"
	"borgdesk/backend/shared/borgssh"
	"borgdesk/backend/store"
)

// Options configure a coordinator.
type Options struct {
	DataDir string // resolved, absolute
	Socket  string // admin socket path
	Version string
	Logger  *slog.Logger
	Now     func() time.Time
	// Ready, if set, is called once every listener is open.
	Ready func()
	// GatewayListen is the agent gateway's address; when empty, the
	// setting gateway.listen (":8443" by default).
	GatewayListen string
	// GatewayURL is how agents reach the gateway; when empty, the setting
	// gateway.url, else derived from this host's name and the gateway's port.
	GatewayURL string
	// AddressSources name the flag or environment variable behind
	// GatewayListen, SSHListen and GatewayURL, by setting key, for the
	// operator to see what overrides the settings (FromOption when absent).
	AddressSources map[string]string
	// GatewayHosts are the names and addresses in the gateway's certificate;
	// this host's names and addresses when empty.
	GatewayHosts []string
	// AgentDir holds borgdesk-agent-<os>-<arch> builds for self-update
	// (the directory of this executable when empty).
	AgentDir string
	// Heartbeat is the agents' heartbeat interval (60 s when zero).
	Heartbeat time.Duration
	// SSHListen is the Borg SSH server's address; when empty, the setting
	// ssh.listen (":2222" by default).
	SSHListen string
	// Borg is the borg binary ("borg" from PATH when empty).
	Borg string
	// LazyRepoInit creates repositories before the first backup instead of
	// right after enrollment (load tests that enroll thousands of agents).
	LazyRepoInit bool
	// RetryDelay is the backoff step between retries of failed runs.
	RetryDelay time.Duration
	// LockWait is how long borg waits for a repository's lock, on the
	// coordinator and on the agents (60 s when zero).
	LockWait time.Duration
	// RepoReserve is the disk space borg leaves free in new repositories
	// ("2G" when empty).
	RepoReserve string
	// Desktop shows alerts on the desktop (the window's notifier); none
	// when nil.
	Desktop func(service.Alert)
}

// Coordinator is an open data dir with its service layer.
type Coordinator struct {
	opts   Options
	log    *slog.Logger
	lock   *datadir.Lock
	store  *store.Store
	cat    *catalog.Catalog
	mounts *mounts.Manager
	svc    *service.Service
	orch   *jobs.Orchestrator
	ca     *ca.CA

	hostKey     ssh.Signer
	repos       *repos.Repos
	interrupted []store.Run
}

// Open prepares and locks the data dir and opens its database. Nothing in
// the data dir is changed when it fails.
func Open(ctx context.Context, opts Options) (*Coordinator, error) {
	if opts.Logger == nil {
		opts.Logger = slog.New(slog.DiscardHandler)
	}
	if opts.Now == nil {
		opts.Now = time.Now
	}
	if err := datadir.Prepare(opts.DataDir); err != nil {
		return nil, err
	}
	layout := datadir.At(opts.DataDir)
	lock, err := datadir.Acquire(opts.DataDir)
	if err != nil {
		return nil, err
	}
	st, err := store.Open(ctx, layout.Database(), store.Options{Now: opts.Now})
	if err != nil {
		lock.Release()
		return nil, err
	}
	fail := func(err error) (*Coordinator, error) {
		st.Close()
		lock.Release()
		return nil, err
	}
	authority, err := ca.LoadOrCreate(layout.CA(), opts.Now)
	if err != nil {
		return fail(fmt.Errorf("certificate authority: %w", err))
	}
	if opts.AgentDir == "" {
		if exe, err := os.Executable(); err == nil {
			opts.AgentDir = filepath.Dir(exe)
		}
	}
	dist, err := agentdist.Open(opts.AgentDir, layout.UpdateKey())
	if err != nil {
		return fail(fmt.Errorf("agent updates: %w", err))
	}
	hostKey, err := borgssh.LoadOrCreateHostKey(layout.HostKey())
	if err != nil {
		return fail(err)
	}
	lockWait := int(opts.LockWait / time.Second)
	if lockWait <= 0 {
		lockWait = 60
	}
	rp := repos.New(opts.DataDir, &borg.Borg{Path: opts.Borg, BaseDir: layout.BorgHome(), LockWait: lockWait})
	rp.Reserve = opts.RepoReserve
	if rp.Reserve == "" {
		rp.Reserve = "2G"
	}
	cat, err := catalog.Open(ctx, layout.Catalog())
	if err != nil {
		return fail(err)
	}
	mnt := mounts.New(layout.Mounts(), rp.Borg, opts.Logger)
	if cleaned, err := mnt.CleanStale(ctx); err != nil {
		opts.Logger.Warn("mounts left by the last run could not all be cleaned", "err", err)
	} else if len(cleaned) > 0 {
		opts.Logger.Info("unmounted what the last run left mounted", "dirs", cleaned)
	}
	if err := st.FailInterruptedDrills(ctx); err != nil {
		return fail(err)
	}
	orch := jobs.New(opts.Logger, opts.Now)
	svc := service.New(service.Config{Orchestrator: orch, Store: st, Bus: events.NewBus(), Now: opts.Now, DataDir: opts.DataDir, Version: opts.Version,
		CA: authority, Dist: dist, GatewayURL: opts.GatewayURL, Heartbeat: opts.Heartbeat, Repos: rp,
		InitReposAtEnrollment: !opts.LazyRepoInit, RetryDelay: opts.RetryDelay, Catalog: cat, Mounts: mnt, Logger: opts.Logger,
		SendMail: true, Desktop: opts.Desktop})
	if err := svc.LoadAgents(ctx); err != nil {
		return fail(err)
	}
	if err := svc.MoveSecretsOutOfDatabase(ctx); err != nil {
		return fail(err)
	}
	interrupted, err := st.FailInterruptedRuns(ctx)
	if err != nil {
		return fail(err)
	}
	if len(interrupted) > 0 {
		opts.Logger.Warn("runs interrupted by the last shutdown were marked failed and will run again", "runs", len(interrupted))
	}
	return &Coordinator{opts: opts, log: opts.Logger, lock: lock, store: st, cat: cat, mounts: mnt, svc: svc, orch: orch, ca: authority, hostKey: hostKey, repos: rp, interrupted: interrupted}, nil
}

// Service is the coordinator's service layer.
func (c *Coordinator) Service() *service.Service { return c.svc }

// Run serves until ctx ends, then stops every server and waits for them.
// The first server to fail stops the others and its error is returned.
func (c *Coordinator) Run(ctx context.Context) error {
	ctx, cancel := context.WithCancelCause(ctx)
	defer cancel(nil)
	var wg sync.WaitGroup
	start := func(name string, fn func(context.Context) error) {
		wg.Add(1)
		go func() {
			defer wg.Done()
			if err := fn(ctx); err != nil && !errors.Is(err, context.Canceled) {
				cancel(fmt.Errorf("%s: %w", name, err))
			}
		}()
	}
	// Listeners are opened before Run reports ready, so a client started
	// right after the coordinator finds them, and a busy address fails now.
	adminLn, err := adminapi.Listen(c.opts.Socket)
	if err != nil {
		return err
	}
	admin := adminapi.NewServer(c.svc, c.log)
	plan, err := c.planAddresses(ctx)
	if err != nil {
		adminLn.Close()
		return err
	}
	gwLn, err := gateway.Listen(plan.gatewayListen.InUse)
	if err != nil {
		adminLn.Close()
		return listenError(err, plan.gatewayListen)
	}
	hosts := c.opts.GatewayHosts
	if len(hosts) == 0 {
		hosts = certificateHosts(gateway.DefaultHosts(), plan.gatewayURL.InUse)
	}
	gw, err := gateway.New(gateway.Config{Fleet: c.svc, CA: c.ca, Logger: c.log, Now: c.opts.Now, Hosts: hosts, Version: c.opts.Version})
	if err != nil {
		adminLn.Close()
		gwLn.Close()
		return err
	}
	if plan.gatewayURL.InUse == "" {
		plan.gatewayURL.InUse = defaultGatewayURL(gwLn.Addr())
	}
	c.svc.SetGatewayURL(plan.gatewayURL.InUse)
	sshLn, err := borgssh.Listen(plan.sshListen.InUse)
	if err != nil {
		adminLn.Close()
		gwLn.Close()
		return listenError(err, plan.sshListen)
	}
	plan.gatewayListen.InUse, plan.sshListen.InUse = boundAddr(gwLn), boundAddr(sshLn)
	c.svc.SetAddresses([]service.Address{plan.gatewayListen, plan.sshListen, plan.gatewayURL})
	borgSrv := borgssh.New(borgssh.Config{HostKey: c.hostKey, Authorizer: c.svc.Fleet, ReposDir: c.repos.Dir(), Borg: c.opts.Borg,
		BorgBaseDir: datadir.At(c.opts.DataDir).BorgServeHome(), Logger: c.log})
	c.svc.OnRevoke(borgSrv.Disconnect)
	gwURL, _ := url.Parse(c.svc.GatewayURL())
	c.svc.SetBorgSSH(service.BorgSSH{Host: gwURL.Hostname(), Port: sshLn.Addr().(*net.TCPAddr).Port,
		HostKey: strings.TrimSpace(string(ssh.MarshalAuthorizedKey(c.hostKey.PublicKey())))})
	start("admin socket", func(ctx context.Context) error { return admin.Serve(ctx, adminLn) })
	start("agent gateway", func(ctx context.Context) error { return gw.Serve(ctx, gwLn) })
	start("borg ssh", func(ctx context.Context) error { return borgSrv.Serve(ctx, sshLn) })
	// Everything that runs later or in the background (the mail outbox
	// too), awaited on the way out.
	start("orchestrator", c.orch.Run)
	if err := c.svc.Requeue(ctx, c.interrupted); err != nil {
		c.log.Error("requeue interrupted runs", "err", err)
	}
	c.interrupted = nil
	if c.opts.Ready != nil {
		c.opts.Ready()
	}
	c.log.Info("coordinator running", "data", c.opts.DataDir, "socket", c.opts.Socket, "gateway", c.svc.GatewayURL(),
		"gateway_listen", plan.gatewayListen.InUse, "ssh_listen", plan.sshListen.InUse,
		"ca_fingerprint", c.ca.Fingerprint(), "version", c.opts.Version)
	<-ctx.Done()
	wg.Wait()
	c.mounts.UnmountAll(context.WithoutCancel(ctx))
	if err := context.Cause(ctx); err != nil && !errors.Is(err, context.Canceled) {
		return err
	}
	c.log.Info("coordinator stopped")
	return nil
}

// Close closes the database and releases the data dir.
func (c *Coordinator) Close() error {
	if c.svc != nil {
		c.svc.Close()
	}
	c.cat.Close()
	err := c.store.Close()
	if lerr := c.lock.Release(); err == nil {
		err = lerr
	}
	return err
}

// defaultGatewayURL names the gateway by this host's name (or the address it
// listens on, when that is specific) and its actual port.
func defaultGatewayURL(addr net.Addr) string {
	tcp, ok := addr.(*net.TCPAddr)
	if !ok {
		return "https://" + addr.String()
	}
	host := tcp.IP.String()
	if tcp.IP.IsUnspecified() {
		if h, err := os.Hostname(); err == nil {
			host = h
		}
	}
	return "https://" + net.JoinHostPort(host, strconv.Itoa(tcp.Port))
}
