// Package coordinator assembles one running Borgdesk coordinator: it owns a
// data dir (lock first, then the database), builds the service layer, and
// runs every server and loop under one context, waiting for all of them at
// shutdown. The desktop app and `borgdesk serve` both use it. It holds no
// use case of its own and never leaves a server, a loop or a background
// job running when Run returns.
package coordinator

import (
	"context"
	"crypto/tls"
	"errors"
	"fmt"
	"log/slog"
	"net"
	"net/url"
	"os"
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
	"borgdesk/backend/settings"
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
	// (agentdist.DefaultDir of this executable when empty: beside it, or
	// the packaged ../lib/borgdesk/agents).
	AgentDir string
	// Heartbeat is the agents' heartbeat interval (60 s when zero).
	Heartbeat time.Duration
	// SSHListen is the Borg SSH server's address; when empty, the setting
	// ssh.listen (":2222" by default).
	SSHListen string
	// OperatorsListen is the operator listener's address (the admin API
	// for operators over mutual TLS); when empty, the setting
	// operators.listen (off by default).
	OperatorsListen string
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

	// The servers, built complete in Open on listeners already bound, so
	// a busy address fails Open and the service knows every address.
	ends    *endpoints
	admin   *adminapi.Server
	gateway *gateway.Gateway
	borgSSH *borgssh.Server
}

// endpoints are the listeners Open binds and what they decide: where
// agents reach the gateway, its certificate's pin, the Borg SSH server.
type endpoints struct {
	plan                 addressPlan
	adminLn, gwLn, sshLn net.Listener
	// opLn is the operator listener's (nil when it is off), opURL where
	// operators reach it.
	opLn  net.Listener
	opURL string
	cert  tls.Certificate
	pin   string
}

func (e *endpoints) close() {
	for _, ln := range []net.Listener{e.adminLn, e.gwLn, e.sshLn, e.opLn} {
		if ln != nil {
			ln.Close()
		}
	}
}

// listen binds the admin socket, the gateway and the Borg SSH server on the
// addresses the options and settings give, and makes the gateway's
// certificate. Nothing stays open when it fails.
func listen(ctx context.Context, opts Options, st *store.Store, layout datadir.Layout, authority *ca.CA) (*endpoints, error) {
	e := &endpoints{}
	var err error
	if e.adminLn, err = adminapi.Listen(opts.Socket); err != nil {
		return nil, err
	}
	cfg := settings.New(settings.Config{Store: st, Layout: layout})
	if e.plan, err = planAddresses(ctx, opts, cfg.Get); err != nil {
		e.close()
		return nil, err
	}
	if e.gwLn, err = gateway.Listen(e.plan.gatewayListen.InUse); err != nil {
		e.close()
		return nil, listenError(err, e.plan.gatewayListen)
	}
	hosts := opts.GatewayHosts
	if len(hosts) == 0 {
		hosts = certificateHosts(gateway.DefaultHosts(), e.plan.gatewayURL.InUse)
	}
	if e.cert, e.pin, err = gateway.Certificate(authority, hosts); err != nil {
		e.close()
		return nil, err
	}
	if e.plan.gatewayURL.InUse == "" {
		e.plan.gatewayURL.InUse = defaultGatewayURL(e.gwLn.Addr())
	}
	if e.sshLn, err = borgssh.Listen(e.plan.sshListen.InUse); err != nil {
		e.close()
		return nil, listenError(err, e.plan.sshListen)
	}
	if op := e.plan.operatorsListen.InUse; op != "" {
		if e.opLn, err = adminapi.ListenOperators(op); err != nil {
			e.close()
			return nil, listenError(err, e.plan.operatorsListen)
		}
		e.plan.operatorsListen.InUse = boundAddr(e.opLn)
		e.opURL = operatorsURL(e.plan.gatewayURL.InUse, e.opLn)
	}
	e.plan.gatewayListen.InUse, e.plan.sshListen.InUse = boundAddr(e.gwLn), boundAddr(e.sshLn)
	return e, nil
}

// Open prepares and locks the data dir, opens its database, binds the
// admin socket, the gateway and the Borg SSH server on the addresses the
// options and settings give (a busy address fails here, naming its
// setting), and builds the service and the servers complete: nothing is set
// on them afterwards. Nothing in the data dir is changed when it fails, and
// nothing stays bound. Outside Linux it refuses at once (ErrNotOnThisOS).
func Open(ctx context.Context, opts Options) (*Coordinator, error) {
	if err := supported(); err != nil {
		return nil, err
	}
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
			opts.AgentDir = agentdist.DefaultDir(exe)
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
	ends, err := listen(ctx, opts, st, layout, authority)
	if err != nil {
		return fail(err)
	}
	fail = func(err error) (*Coordinator, error) {
		ends.close()
		st.Close()
		lock.Release()
		return nil, err
	}
	gwURL, _ := url.Parse(ends.plan.gatewayURL.InUse)
	orch := jobs.New(opts.Logger, opts.Now)
	var borgSrv *borgssh.Server // cuts a revoked agent's sessions; built on the service's allow list below
	var admin *adminapi.Server  // cuts a revoked operator's connections; built on the service below
	addresses := []service.Address{ends.plan.gatewayListen, ends.plan.sshListen, ends.plan.gatewayURL}
	if ends.opLn != nil {
		addresses = append(addresses, ends.plan.operatorsListen)
	}
	svc := service.New(service.Config{Orchestrator: orch, Store: st, Bus: events.NewBus(), Now: opts.Now, DataDir: opts.DataDir, Version: opts.Version,
		CA: authority, Dist: dist, GatewayURL: ends.plan.gatewayURL.InUse, GatewayPin: ends.pin,
		BorgSSH: service.BorgSSH{Host: gwURL.Hostname(), Port: ends.sshLn.Addr().(*net.TCPAddr).Port,
			HostKey: strings.TrimSpace(string(ssh.MarshalAuthorizedKey(hostKey.PublicKey())))},
		Addresses:    addresses,
		OnRevoke:     func(agent string) { borgSrv.Disconnect(agent) },
		OperatorsURL: ends.opURL, OnOperatorRevoke: func(name string) { admin.CutOperator(name) },
		Heartbeat: opts.Heartbeat, Repos: rp,
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
	borgSrv = borgssh.New(borgssh.Config{HostKey: hostKey, Authorizer: svc.Fleet, ReposDir: rp.Dir(), Borg: opts.Borg,
		BorgBaseDir: layout.BorgServeHome(), Logger: opts.Logger})
	gw, err := gateway.New(gateway.Config{Fleet: svc, CA: authority, Certificate: ends.cert, Logger: opts.Logger, Now: opts.Now, Version: opts.Version})
	if err != nil {
		return fail(err)
	}
	admin = adminapi.NewServer(svc, opts.Logger)
	return &Coordinator{opts: opts, log: opts.Logger, lock: lock, store: st, cat: cat, mounts: mnt, svc: svc, orch: orch, ca: authority, hostKey: hostKey, repos: rp, interrupted: interrupted,
		ends: ends, admin: admin, gateway: gw, borgSSH: borgSrv}, nil
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
	// The listeners were bound in Open, so a client started right after
	// the coordinator reports ready finds them.
	e := c.ends
	start("admin socket", func(ctx context.Context) error { return c.admin.Serve(ctx, e.adminLn) })
	start("agent gateway", func(ctx context.Context) error { return c.gateway.Serve(ctx, e.gwLn) })
	start("borg ssh", func(ctx context.Context) error { return c.borgSSH.Serve(ctx, e.sshLn) })
	if e.opLn != nil {
		cfg := adminapi.OperatorTLSConfig(e.cert, c.ca.Pool(), c.svc, c.opts.Now)
		start("operator listener", func(ctx context.Context) error { return c.admin.ServeOperators(ctx, e.opLn, cfg) })
	}
	// Everything that runs later or in the background (the mail outbox
	// too), awaited on the way out.
	start("orchestrator", c.orch.Run)
	if err := c.svc.Requeue(ctx, c.interrupted); err != nil {
		c.log.Error("requeue interrupted runs", "err", err)
	}
	c.interrupted = nil
	c.orch.Go("index .flx snapshots", c.svc.IndexSnapshots)
	if c.opts.Ready != nil {
		c.opts.Ready()
	}
	c.log.Info("coordinator running", "data", c.opts.DataDir, "socket", c.opts.Socket, "gateway", c.svc.GatewayURL(),
		"gateway_listen", e.plan.gatewayListen.InUse, "ssh_listen", e.plan.sshListen.InUse,
		"operators", e.opURL, "ca_fingerprint", c.ca.Fingerprint(), "version", c.opts.Version)
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
	c.ends.close() // when Run never served them
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
