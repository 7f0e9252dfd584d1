// Command benchgateway measures the agent gateway on this machine: how many
// simulated agents it holds long-polling and heartbeating over mutual TLS,
// at what request rate, latency and CPU, and how long a queued task takes to
// reach an agent. Everything runs on 127.0.0.1 and stops by itself.
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
	"slices"
	"strconv"
	"sync"
	"sync/atomic"
	"syscall"
	"time"

	"borgdesk/backend/coordinator"
	"borgdesk/backend/service"
	"borgdesk/backend/shared/agentapi"
)

func main() {
	agents := flag.Int("agents", 2000, "simulated agents")
	hold := flag.Duration("hold", 30*time.Second, "how long to hold them all")
	heartbeat := flag.Duration("heartbeat", 10*time.Second, "each agent's heartbeat interval during the hold (agents use 60 s in production)")
	tasks := flag.Int("tasks", 300, "tasks queued to measure queue-to-start")
	flag.DurationVar(&settle, "settle", settle, "wait before measuring, while every agent connects")
	flag.Parse()
	if err := run(*agents, *hold, *heartbeat, *tasks); err != nil {
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

func run(n int, hold, heartbeat time.Duration, ntasks int) error {
	dir, err := os.MkdirTemp("", "benchgateway-")
	if err != nil {
		return err
	}
	defer os.RemoveAll(dir)
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	c, err := coordinator.Open(ctx, coordinator.Options{DataDir: dir, Socket: filepath.Join(dir, "s.sock"),
		GatewayListen: "127.0.0.1:0", SSHListen: "127.0.0.1:0", GatewayHosts: []string{"127.0.0.1"}, AgentDir: dir, Version: "bench", Heartbeat: time.Hour, LazyRepoInit: true})
	if err != nil {
		return err
	}
	defer c.Close()
	done := make(chan error, 1)
	go func() { done <- c.Run(ctx) }()
	svc := c.Service()
	for svc.GatewayURL() == "" {
		time.Sleep(10 * time.Millisecond)
	}
	base := svc.GatewayURL()
	st, _ := svc.Status(ctx)
	caPEM, _ := os.ReadFile(filepath.Join(dir, "ca", "ca.crt"))
	pool := x509.NewCertPool()
	pool.AppendCertsFromPEM(caPEM)
	fmt.Printf("gateway %s, CA %s, %d agents\n", base, st.CAFingerprint, n)

	// Enroll.
	t0 := time.Now()
	sims := make([]*sim, n)
	var wg sync.WaitGroup
	sem := make(chan struct{}, 16)
	var enrollErr atomic.Value
	for i := range n {
		wg.Add(1)
		sem <- struct{}{}
		go func() {
			defer wg.Done()
			defer func() { <-sem }()
			s, err := enroll(ctx, svc, base, pool, fmt.Sprintf("sim%05d", i))
			if err != nil {
				enrollErr.Store(err)
				return
			}
			sims[i] = s
		}()
	}
	wg.Wait()
	if err, ok := enrollErr.Load().(error); ok {
		return fmt.Errorf("enroll: %w", err)
	}
	enrollTime := time.Since(t0)
	fmt.Printf("enrolled %d agents in %s (%.0f/s)\n", n, enrollTime.Round(time.Millisecond), float64(n)/enrollTime.Seconds())

	// Hold: every agent long-polls; heartbeats spread over the interval.
	var polls, hbs, errs atomic.Int64
	var measuring atomic.Bool
	hbLat := &lat{}
	started := make(map[int64]chan time.Time)
	var startedMu sync.Mutex
	queueLat := &lat{}
	holdCtx, stopHold := context.WithCancel(ctx)
	defer stopHold()
	var agentsWG sync.WaitGroup
	for _, s := range sims {
		agentsWG.Add(2)
		go func() { // long poll + start tasks
			defer agentsWG.Done()
			for holdCtx.Err() == nil {
				var resp agentapi.TasksResponse
				err := call(holdCtx, s.hc, "GET", base+agentapi.PathTasks+"?max=4&wait=25", nil, &resp)
				if err != nil {
					if holdCtx.Err() == nil {
						errs.Add(1)
						time.Sleep(time.Second)
					}
					continue
				}
				polls.Add(1)
				for _, t := range resp.Tasks {
					call(holdCtx, s.hc, "POST", base+"/api/agent/tasks/"+strconv.FormatInt(t.ID, 10)+"/start", struct{}{}, nil)
					startedMu.Lock()
					ch := started[t.ID]
					startedMu.Unlock()
					if ch != nil {
						ch <- time.Now()
					}
				}
			}
		}()
		go func() { // heartbeats
			defer agentsWG.Done()
			time.Sleep(time.Duration(mrand.Int64N(int64(heartbeat))))
			for holdCtx.Err() == nil {
				t := time.Now()
				err := call(holdCtx, s.hc, "POST", base+agentapi.PathHeartbeat, agentapi.HeartbeatRequest{AgentVersion: "bench", ProtocolVersion: agentapi.ProtocolVersion,
					Capabilities: agentapi.Capabilities{Hostname: s.name, OS: "debian", Arch: "amd64"},
					Metrics:      agentapi.Metrics{CPUPercent: 3, MemTotal: 8 << 30, MemUsed: 2 << 30, Disks: []agentapi.Disk{{Mount: "/", FSType: "ext4", Total: 100 << 30, Used: 40 << 30}}}}, nil)
				if err != nil {
					if holdCtx.Err() == nil {
						errs.Add(1)
					}
				} else if measuring.Load() {
					hbs.Add(1)
					hbLat.add(time.Since(t))
				}
				sleepCtx(holdCtx, heartbeat)
			}
		}()
	}
	time.Sleep(settle) // let every poll park
	measuring.Store(true)
	cpu0, wall0, hb0 := cpuTime(), time.Now(), hbs.Load()

	// Queue tasks to random agents, spaced over the hold, and time their start.
	spacing := hold / time.Duration(ntasks+1)
	for i := 0; i < ntasks; i++ {
		s := sims[mrand.IntN(len(sims))]
		ch := make(chan time.Time, 1)
		q := time.Now()
		startedMu.Lock()
		t, err := svc.QueueTask(ctx, s.name, agentapi.TaskTest, agentapi.TestPayload{Message: "bench"})
		if err != nil {
			startedMu.Unlock()
			return err
		}
		started[t.ID] = ch
		startedMu.Unlock()
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
	hbCount := hbs.Load() - hb0
	stopHold()
	agentsWG.Wait()
	cancel()
	<-done

	fmt.Printf("held %d agents (each its own mTLS connection, long-polling) for %s after a %s settle; %d errors\n", n, wall.Round(time.Second), settle, errs.Load())
	fmt.Printf("heartbeats: %d (%.0f/s), latency p50 %s p99 %s\n", hbCount, float64(hbCount)/wall.Seconds(), hbLat.pct(0.5).Round(10*time.Microsecond), hbLat.pct(0.99).Round(10*time.Microsecond))
	fmt.Printf("long polls completed: %d\n", polls.Load())
	fmt.Printf("CPU: %.2f cores busy of %d (coordinator and simulated agents together, one process)\n", cpu.Seconds()/wall.Seconds(), maxprocs())
	fmt.Printf("queue → agent started: %d/%d tasks, p50 %s p99 %s\n", queueLat.n(), ntasks, queueLat.pct(0.5).Round(10*time.Microsecond), queueLat.pct(0.99).Round(10*time.Microsecond))
	fmt.Printf("projected at 60 s heartbeats: %.0f agents per core at this CPU cost\n", float64(n)*(60/heartbeat.Seconds())/max(cpu.Seconds()/wall.Seconds(), 0.01))
	return nil
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
		SSHPublicKey: sshPub(), Hostname: name, AgentVersion: "bench", ProtocolVersion: agentapi.ProtocolVersion}
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

var sshOnce sync.Once
var sshLine string

// sshPub is one ed25519 authorized_keys line shared by the simulated agents.
func sshPub() string {
	sshOnce.Do(func() { sshLine = mustSSHKey() })
	return sshLine
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
