// Command benchgateway measures the agent gateway on this machine: how many
// simulated agents it holds long-polling and heartbeating over mutual TLS,
// at what request rate, latency and CPU, how long a queued task takes to
// reach an agent, and how the fleet comes back after the coordinator
// restarts (every agent reconnecting at once, with the agents' jittered
// backoff). Everything runs on 127.0.0.1 and stops by itself.
package main

import (
	"bytes"
	"context"
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/tls"
	"crypto/x509"
	"crypto/x509/pkix"
	"encoding/json"
	"encoding/pem"
	"flag"
	"fmt"
	"io"
	mrand "math/rand/v2"
	"net/http"
	"os"
	"path/filepath"
	"runtime"
	"runtime/pprof"
	"slices"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"syscall"
	"time"

	"borgdesk/backend/coordinator"
	"borgdesk/backend/service"
	"borgdesk/backend/shared/agentapi"
)

func main() {
	agents := flag.Int("agents", 10000, "simulated agents")
	hold := flag.Duration("hold", 30*time.Second, "how long to hold them all")
	heartbeat := flag.Duration("heartbeat", 10*time.Second, "each agent's heartbeat interval during the hold (agents use 60 s in production)")
	tasks := flag.Int("tasks", 300, "tasks queued to measure queue-to-start")
	flag.DurationVar(&settle, "settle", settle, "wait before measuring, while every agent connects")
	storm := flag.Bool("storm", true, "restart the coordinator after the hold and measure the reconnect storm")
	flag.StringVar(&cpuProfile, "cpuprofile", "", "write a CPU profile of the agents' connecting, the hold and the storm to this file")
	flag.Parse()
	if err := run(*agents, *hold, *heartbeat, *tasks, *storm); err != nil {
		fmt.Fprintln(os.Stderr, "benchgateway:", err)
		os.Exit(1)
	}
}

type sim struct {
	uuid string
	name string
	hc   *http.Client
}

type lat struct {
	mu sync.Mutex
	d  []time.Duration
}

func (l *lat) add(d time.Duration) { l.mu.Lock(); l.d = append(l.d, d); l.mu.Unlock() }
func (l *lat) pct(p float64) time.Duration {
	l.mu.Lock()
	defer l.mu.Unlock()
	if len(l.d) == 0 {
		return 0
	}
	s := slices.Clone(l.d)
	slices.Sort(s)
	return s[min(len(s)-1, int(float64(len(s))*p))]
}
func (l *lat) n() int { l.mu.Lock(); defer l.mu.Unlock(); return len(l.d) }

func cpuTime() time.Duration {
	var ru syscall.Rusage
	syscall.Getrusage(syscall.RUSAGE_SELF, &ru)
	return time.Duration(ru.Utime.Nano() + ru.Stime.Nano())
}

var settle = 10 * time.Second

// cpuProfile, when set, is where the storm's CPU profile goes.
var cpuProfile string

// gw is a running coordinator of the bench.
type gw struct {
	c      *coordinator.Coordinator
	svc    *service.Service
	cancel context.CancelFunc
	done   chan error
}

// open starts a coordinator on dir, its gateway on listen.
func open(dir, listen string) (*gw, error) {
	ctx, cancel := context.WithCancel(context.Background())
	c, err := coordinator.Open(ctx, coordinator.Options{DataDir: dir, Socket: filepath.Join(dir, "s.sock"),
		GatewayListen: listen, SSHListen: "127.0.0.1:0", GatewayHosts: []string{"127.0.0.1"}, AgentDir: dir, Version: "bench", Heartbeat: time.Hour, LazyRepoInit: true})
	if err != nil {
		cancel()
		return nil, err
	}
	g := &gw{c: c, svc: c.Service(), cancel: cancel, done: make(chan error, 1)}
	go func() { g.done <- c.Run(ctx) }()
	for g.svc.GatewayURL() == "" {
		time.Sleep(10 * time.Millisecond)
	}
	return g, nil
}

func (g *gw) stop() {
	g.cancel()
	<-g.done
	g.c.Close()
}

// fleet is the simulated agents and what they measured.
type fleet struct {
	base  string
	sims  []*sim
	polls atomic.Int64
	hbs   atomic.Int64
	errs  atomic.Int64
	// measuring: heartbeat latencies go to hbLat.
	measuring atomic.Bool
	hbLat     *lat
	// lastOK is, per agent, when its last call succeeded (unix ns).
	lastOK    []atomic.Int64
	started   map[int64]chan time.Time
	startedMu sync.Mutex
	heartbeat time.Duration
}

// retry is the agents' wait after a failed call: full jitter over an
// exponential bound from 1 s to 30 s, as the real agent's backoff, so a
// restarted coordinator is not met by every agent in the same second.
func retry(ctx context.Context, failures int) {
	bound := min(time.Second<<min(failures, 5), 30*time.Second)
	sleepCtx(ctx, time.Second/2+time.Duration(mrand.Int64N(int64(bound))))
}

// run has agent i long-poll (starting the tasks it gets) and heartbeat
// until ctx ends.
func (f *fleet) run(ctx context.Context, i int, wg *sync.WaitGroup) {
	s := f.sims[i]
	wg.Add(2)
	go func() { // long poll + start tasks
		defer wg.Done()
		failures := 0
		for ctx.Err() == nil {
			var resp agentapi.TasksResponse
			if err := call(ctx, s.hc, "GET", f.base+agentapi.PathTasks+"?max=4&wait=25", nil, &resp); err != nil {
				if ctx.Err() == nil {
					f.errs.Add(1)
					failures++
					retry(ctx, failures)
				}
				continue
			}
			failures = 0
			f.lastOK[i].Store(time.Now().UnixNano())
			f.polls.Add(1)
			for _, t := range resp.Tasks {
				call(ctx, s.hc, "POST", f.base+"/api/agent/tasks/"+strconv.FormatInt(t.ID, 10)+"/start", struct{}{}, nil)
				f.startedMu.Lock()
				ch := f.started[t.ID]
				f.startedMu.Unlock()
				if ch != nil {
					ch <- time.Now()
				}
			}
		}
	}()
	go func() { // heartbeats
		defer wg.Done()
		// As the agent: a heartbeat at start (within a second), then one
		// every interval, at a phase of its own.
		sleepCtx(ctx, time.Duration(mrand.Int64N(int64(time.Second))))
		first := true
		for ctx.Err() == nil {
			t := time.Now()
			err := call(ctx, s.hc, "POST", f.base+agentapi.PathHeartbeat, agentapi.HeartbeatRequest{AgentVersion: "bench", ProtocolVersion: agentapi.ProtocolVersion,
				Capabilities: agentapi.Capabilities{Hostname: s.name, OS: "debian", Arch: "amd64"},
				Metrics:      agentapi.Metrics{CPUPercent: 3, MemTotal: 8 << 30, MemUsed: 2 << 30, Disks: []agentapi.Disk{{Mount: "/", FSType: "ext4", Total: 100 << 30, Used: 40 << 30}}}}, nil)
			switch {
			case err != nil && ctx.Err() == nil:
				f.errs.Add(1)
			case err == nil:
				f.lastOK[i].Store(time.Now().UnixNano())
				if f.measuring.Load() {
					f.hbs.Add(1)
					f.hbLat.add(time.Since(t))
				}
			}
			if first {
				first = false
				sleepCtx(ctx, time.Duration(mrand.Int64N(int64(f.heartbeat))))
				continue
			}
			sleepCtx(ctx, f.heartbeat)
		}
	}()
}

// measure holds the fleet for hold, queueing ntasks to random agents
// spaced over it, and reports heartbeats, long polls, CPU and queue →
// started latency.
func (f *fleet) measure(ctx context.Context, svc *service.Service, label string, hold time.Duration, ntasks int) error {
	f.hbLat = &lat{}
	queueLat := &lat{}
	f.measuring.Store(true)
	defer f.measuring.Store(false)
	cpu0, wall0, hb0, poll0, err0 := cpuTime(), time.Now(), f.hbs.Load(), f.polls.Load(), f.errs.Load()
	spacing := hold / time.Duration(ntasks+1)
	for i := 0; i < ntasks; i++ {
		s := f.sims[mrand.IntN(len(f.sims))]
		ch := make(chan time.Time, 1)
		q := time.Now()
		f.startedMu.Lock()
		t, err := svc.QueueTask(ctx, s.name, agentapi.TaskTest, agentapi.TestPayload{Message: "bench"})
		if err != nil {
			f.startedMu.Unlock()
			return err
		}
		f.started[t.ID] = ch
		f.startedMu.Unlock()
		go func() {
			select {
			case at := <-ch:
				queueLat.add(at.Sub(q))
			case <-time.After(30 * time.Second):
			}
		}()
		time.Sleep(spacing)
	}
	time.Sleep(time.Second)
	wall := time.Since(wall0)
	cpu := cpuTime() - cpu0
	hbCount := f.hbs.Load() - hb0
	fmt.Printf("%s: held %d agents (each its own mTLS connection, long-polling) for %s; %d errors\n", label, len(f.sims), wall.Round(time.Second), f.errs.Load()-err0)
	fmt.Printf("%s: heartbeats: %d (%.0f/s), latency p50 %s p99 %s\n", label, hbCount, float64(hbCount)/wall.Seconds(), f.hbLat.pct(0.5).Round(10*time.Microsecond), f.hbLat.pct(0.99).Round(10*time.Microsecond))
	fmt.Printf("%s: long polls completed: %d\n", label, f.polls.Load()-poll0)
	fmt.Printf("%s: CPU: %.2f cores busy of %d (coordinator and simulated agents together, one process)\n", label, cpu.Seconds()/wall.Seconds(), maxprocs())
	fmt.Printf("%s: queue → agent started: %d/%d tasks, p50 %s p99 %s\n", label, queueLat.n(), ntasks, queueLat.pct(0.5).Round(10*time.Microsecond), queueLat.pct(0.99).Round(10*time.Microsecond))
	fmt.Printf("%s: projected at 60 s heartbeats: %.0f agents per core at this CPU cost\n", label, float64(len(f.sims))*(60/f.heartbeat.Seconds())/max(cpu.Seconds()/wall.Seconds(), 0.01))
	return nil
}

// reconnected is how many agents had a call succeed after t.
func (f *fleet) reconnected(t time.Time) int {
	n := 0
	for i := range f.lastOK {
		if f.lastOK[i].Load() > t.UnixNano() {
			n++
		}
	}
	return n
}

// raiseFileLimit makes room for every simulated agent's connection twice
// (its end and the coordinator's, in this one process) and the databases.
func raiseFileLimit(n int) {
	var rl syscall.Rlimit
	if err := syscall.Getrlimit(syscall.RLIMIT_NOFILE, &rl); err != nil {
		return
	}
	want := uint64(3*n + 4096)
	if rl.Cur >= want {
		return
	}
	next := rl
	next.Cur = want
	if next.Max < want {
		next.Max = want
	}
	if err := syscall.Setrlimit(syscall.RLIMIT_NOFILE, &next); err != nil {
		next.Cur, next.Max = rl.Max, rl.Max
		syscall.Setrlimit(syscall.RLIMIT_NOFILE, &next)
		fmt.Printf("note: %d open files allowed (the hard limit cannot be raised here); %d agents need about %d in this one process (both ends of each connection): expect SQLITE_CANTOPEN, or run fewer\n", rl.Max, n, want)
	}
}

func run(n int, hold, heartbeat time.Duration, ntasks int, storm bool) error {
	raiseFileLimit(n)
	dir, err := os.MkdirTemp("", "benchgateway-")
	if err != nil {
		return err
	}
	defer os.RemoveAll(dir)
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	g, err := open(dir, "127.0.0.1:0")
	if err != nil {
		return err
	}
	base := g.svc.GatewayURL()
	st, _ := g.svc.Status(ctx)
	caPEM, _ := os.ReadFile(filepath.Join(dir, "ca", "ca.crt"))
	pool := x509.NewCertPool()
	pool.AppendCertsFromPEM(caPEM)
	fmt.Printf("gateway %s, CA %s, %d agents, heartbeat every %s, load average %s\n", base, st.CAFingerprint, n, heartbeat, loadavg())

	// Enroll.
	t0 := time.Now()
	f := &fleet{base: base, sims: make([]*sim, n), lastOK: make([]atomic.Int64, n), started: map[int64]chan time.Time{}, heartbeat: heartbeat, hbLat: &lat{}}
	var wg sync.WaitGroup
	sem := make(chan struct{}, 16)
	var enrollErr atomic.Value
	for i := range n {
		wg.Add(1)
		sem <- struct{}{}
		go func() {
			defer wg.Done()
			defer func() { <-sem }()
			s, err := enroll(ctx, g.svc, base, pool, fmt.Sprintf("sim%05d", i))
			if err != nil {
				enrollErr.Store(err)
				return
			}
			f.sims[i] = s
		}()
	}
	wg.Wait()
	if err, ok := enrollErr.Load().(error); ok {
		g.stop()
		return fmt.Errorf("enroll: %w", err)
	}
	enrollTime := time.Since(t0)
	fmt.Printf("enrolled %d agents in %s (%.0f/s)\n", n, enrollTime.Round(time.Millisecond), float64(n)/enrollTime.Seconds())

	if bp := os.Getenv("BENCH_BLOCKPROFILE"); bp != "" {
		runtime.SetBlockProfileRate(int(time.Millisecond))
		defer func() {
			if pf, err := os.Create(bp); err == nil {
				pprof.Lookup("block").WriteTo(pf, 0)
				pf.Close()
			}
		}()
	}
	if cpuProfile != "" {
		if pf, err := os.Create(cpuProfile); err == nil {
			pprof.StartCPUProfile(pf)
			defer func() { pprof.StopCPUProfile(); pf.Close() }()
		}
	}
	holdCtx, stopHold := context.WithCancel(ctx)
	defer stopHold()
	var agentsWG sync.WaitGroup
	connect := time.Now()
	for i := range f.sims {
		f.run(holdCtx, i, &agentsWG)
	}
	waitAll(f, connect, settle)
	fmt.Printf("connected: %d/%d agents within %s\n", f.reconnected(connect), n, time.Since(connect).Round(100*time.Millisecond))
	time.Sleep(settle) // let every poll park
	if err := f.measure(ctx, g.svc, "steady", hold, ntasks); err != nil {
		return err
	}

	if storm {
		// The coordinator restarts under the whole fleet: every connection
		// drops, every agent backs off with jitter and comes back.
		addr := strings.TrimPrefix(base, "https://")
		down := time.Now()
		g.stop()
		errs0 := f.errs.Load()
		if g, err = open(dir, addr); err != nil {
			stopHold()
			agentsWG.Wait()
			return fmt.Errorf("restart: %w", err)
		}
		up := time.Now()
		fmt.Printf("storm: coordinator down for %s (stop and open again)\n", up.Sub(down).Round(10*time.Millisecond))
		var half, most time.Duration
		for deadline := up.Add(3 * time.Minute); time.Now().Before(deadline); time.Sleep(100 * time.Millisecond) {
			k := f.reconnected(up)
			if half == 0 && k >= n/2 {
				half = time.Since(up)
			}
			if most == 0 && k >= n*99/100 {
				most = time.Since(up)
			}
			if k == n {
				break
			}
		}
		fmt.Printf("storm: %d/%d agents back within %s (half in %s, 99%% in %s), %d failed calls on the way\n",
			f.reconnected(up), n, time.Since(up).Round(100*time.Millisecond), half.Round(100*time.Millisecond), most.Round(100*time.Millisecond), f.errs.Load()-errs0)
		time.Sleep(settle)
		if err := f.measure(ctx, g.svc, "after the storm", hold, ntasks); err != nil {
			return err
		}
	}
	stopHold()
	agentsWG.Wait()
	g.stop()
	fmt.Printf("memory: peak RSS %s (coordinator and %d simulated agents, one process); goroutines now %d\n", peakRSS(), n, runtime.NumGoroutine())
	return nil
}

// waitAll waits up to d for every agent's first successful call after t.
func waitAll(f *fleet, t time.Time, d time.Duration) {
	for deadline := time.Now().Add(d); time.Now().Before(deadline) && f.reconnected(t) < len(f.sims); {
		time.Sleep(100 * time.Millisecond)
	}
}

// peakRSS is this process's VmHWM.
func peakRSS() string {
	raw, _ := os.ReadFile("/proc/self/status")
	for _, l := range strings.Split(string(raw), "\n") {
		if strings.HasPrefix(l, "VmHWM:") {
			return strings.Join(strings.Fields(strings.TrimPrefix(l, "VmHWM:")), " ")
		}
	}
	return "unknown"
}

func loadavg() string {
	raw, _ := os.ReadFile("/proc/loadavg")
	f := strings.Fields(string(raw))
	if len(f) < 3 {
		return "unknown"
	}
	return strings.Join(f[:3], " ")
}

func maxprocs() int { return int(mustAtoi(os.Getenv("GOMAXPROCS"), numCPU())) }

func numCPU() int {
	n := 0
	raw, _ := os.ReadFile("/proc/cpuinfo")
	for _, l := range bytes.Split(raw, []byte("\n")) {
		if bytes.HasPrefix(l, []byte("processor")) {
			n++
		}
	}
	return max(n, 1)
}

func mustAtoi(s string, def int) int {
	if v, err := strconv.Atoi(s); err == nil {
		return v
	}
	return def
}

func sleepCtx(ctx context.Context, d time.Duration) {
	select {
	case <-time.After(d):
	case <-ctx.Done():
	}
}

func enroll(ctx context.Context, svc *service.Service, base string, pool *x509.CertPool, name string) (*sim, error) {
	tok, err := svc.CreateEnrollmentToken(ctx, name, time.Hour)
	if err != nil {
		return nil, err
	}
	key, _ := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	csr, _ := x509.CreateCertificateRequest(rand.Reader, &x509.CertificateRequest{Subject: pkix.Name{CommonName: name}}, key)
	req := agentapi.RegisterRequest{Token: tok.Token, Name: name, CSR: string(pem.EncodeToMemory(&pem.Block{Type: "CERTIFICATE REQUEST", Bytes: csr})),
		SSHPublicKey: mustSSHKey(), Hostname: name, AgentVersion: "bench", ProtocolVersion: agentapi.ProtocolVersion}
	anon := &http.Client{Transport: &http.Transport{TLSClientConfig: &tls.Config{RootCAs: pool}}}
	defer anon.CloseIdleConnections()
	var resp agentapi.RegisterResponse
	if err := call(ctx, anon, "POST", base+agentapi.PathRegister, req, &resp); err != nil {
		return nil, err
	}
	keyDER, _ := x509.MarshalPKCS8PrivateKey(key)
	cert, err := tls.X509KeyPair([]byte(resp.Certificate), pem.EncodeToMemory(&pem.Block{Type: "PRIVATE KEY", Bytes: keyDER}))
	if err != nil {
		return nil, err
	}
	tr := &http.Transport{TLSClientConfig: &tls.Config{RootCAs: pool, Certificates: []tls.Certificate{cert}}, MaxIdleConnsPerHost: 2, ForceAttemptHTTP2: true}
	return &sim{uuid: resp.AgentUUID, name: name, hc: &http.Client{Transport: tr, Timeout: 40 * time.Second}}, nil
}

func call(ctx context.Context, hc *http.Client, method, url string, in, out any) error {
	var body io.Reader
	if in != nil {
		raw, _ := json.Marshal(in)
		body = bytes.NewReader(raw)
	}
	req, err := http.NewRequestWithContext(ctx, method, url, body)
	if err != nil {
		return err
	}
	req.Header.Set(agentapi.ProtocolHeader, strconv.Itoa(agentapi.ProtocolVersion))
	resp, err := hc.Do(req)
	if err != nil {
		return err
	}
	defer resp.Body.Close()
	if resp.StatusCode != 200 {
		raw, _ := io.ReadAll(resp.Body)
		return fmt.Errorf("%s %s: %d %s", method, url, resp.StatusCode, raw)
	}
	if out == nil {
		io.Copy(io.Discard, resp.Body)
		return nil
	}
	return json.NewDecoder(resp.Body).Decode(out)
}
