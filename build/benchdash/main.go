// Command benchdash measures the dashboard in the real desktop window: it
// seeds a fleet of 500 servers with 100,000 runs (and a 5-server fleet as
// the baseline) through backend/store, opens the desktop binary on each
// with --self-test --self-test-bench, and prints the first paint and the
// cost of live updates as the page timed them, medians over the rounds,
// with the ratio of the big fleet to the small one.
//
// It needs a display: bench.sh runs it under xvfb-run and dbus-run-session.
package main

import (
	"bufio"
	"bytes"
	"context"
	"encoding/json"
	"flag"
	"fmt"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"runtime"
	"strconv"
	"strings"
	"time"
)

func main() {
	bin := flag.String("bin", "build/bin/borgdesk", "the desktop binary (make build)")
	fleets := flag.String("fleets", "5,500", "fleet sizes; the first is the baseline")
	runs := flag.Int("runs", 200, "runs per job (one job per server): 200 gives 100,000 runs for 500 servers")
	rounds := flag.Int("rounds", 3, "windows opened per fleet (alternating); medians are reported")
	raw := flag.String("raw", "", "write each window's report (JSON lines) to this file")
	keep := flag.Bool("keep", false, "keep the seeded data dirs")
	flag.Parse()
	if err := run(*bin, *fleets, *runs, *rounds, *raw, *keep); err != nil {
		fmt.Fprintln(os.Stderr, "benchdash:", err)
		os.Exit(1)
	}
}

func run(bin, fleetList string, runsPerJob, rounds int, rawPath string, keep bool) error {
	if os.Getenv("DISPLAY") == "" {
		return fmt.Errorf("no display: run it under xvfb-run (build/scripts/bench.sh does)")
	}
	bin, err := filepath.Abs(bin)
	if err != nil {
		return err
	}
	if _, err := os.Stat(bin); err != nil {
		return fmt.Errorf("no desktop binary %s: make build first", bin)
	}
	var sizes []int
	for _, f := range strings.Split(fleetList, ",") {
		n, err := strconv.Atoi(strings.TrimSpace(f))
		if err != nil || n < 1 {
			return fmt.Errorf("fleet size %q: want a number of servers", f)
		}
		sizes = append(sizes, n)
	}
	work, err := os.MkdirTemp("", "benchdash")
	if err != nil {
		return err
	}
	if keep {
		fmt.Println("data dirs kept in", work)
	} else {
		defer os.RemoveAll(work)
	}
	var rawOut io.Writer = io.Discard
	if rawPath != "" {
		f, err := os.Create(rawPath)
		if err != nil {
			return err
		}
		defer f.Close()
		rawOut = f
	}
	ctx := context.Background()
	loadBefore := loadAverage()
	var seeded []*fleet
	for _, n := range sizes {
		start := time.Now()
		f, err := seedFast(ctx, filepath.Join(work, fmt.Sprintf("fleet-%d", n)), n, runsPerJob)
		if err != nil {
			return fmt.Errorf("seed %d servers: %w", n, err)
		}
		fmt.Printf("seeded %d servers: %d jobs, %d runs (%d running), %d repository sizes, %d drills; %d red and %d amber by design (%.1f s)\n",
			f.Servers, f.Jobs, f.Runs, f.Running, f.SizePoints, f.Drills, f.Red, f.Amber, time.Since(start).Seconds())
		seeded = append(seeded, f)
	}
	results := make([][]report, len(seeded))
	for round := range rounds {
		for i, f := range seeded {
			if err := heartbeat(ctx, f); err != nil {
				return err
			}
			line, rep, err := openWindow(ctx, bin, f.dir, filepath.Join(work, fmt.Sprintf("window-%d-%d.log", f.Servers, round)))
			if err != nil {
				return fmt.Errorf("%d servers, round %d: %w", f.Servers, round+1, err)
			}
			fmt.Fprintf(rawOut, "{\"servers\":%d,\"round\":%d,\"report\":%s}\n", f.Servers, round+1, line)
			results[i] = append(results[i], rep)
			fmt.Printf("round %d, %d servers: first paint %.0f ms, 1000 progress records on screen in %.0f ms\n",
				round+1, f.Servers, rep.Marks.Painted, rep.burst(1000).Painted)
		}
	}
	if rounds > 0 {
		fmt.Println()
		printTable(os.Stdout, seeded, results, fmt.Sprintf("%d cores, load average %s before and %s after", runtime.NumCPU(), loadBefore, loadAverage()))
	}
	return nil
}

// seedFast seeds on a tmpfs when there is one (SQLite's many small
// commits are several times faster there) and copies the database into
// dir, where the window then reads and writes it.
func seedFast(ctx context.Context, dir string, n, runsPerJob int) (*fleet, error) {
	scratch, err := os.MkdirTemp("/dev/shm", "benchdash")
	if err != nil {
		return seed(ctx, dir, n, runsPerJob)
	}
	defer os.RemoveAll(scratch)
	f, err := seed(ctx, scratch, n, runsPerJob)
	if err != nil {
		return nil, err
	}
	if err := os.MkdirAll(dir, 0o700); err != nil {
		return nil, err
	}
	for _, name := range []string{"borgdesk.db", markerFile} {
		b, err := os.ReadFile(filepath.Join(scratch, name))
		if err != nil {
			return nil, err
		}
		if err := os.WriteFile(filepath.Join(dir, name), b, 0o600); err != nil {
			return nil, err
		}
	}
	f.dir = dir
	return f, nil
}

// openWindow runs the desktop binary's dashboard bench on dir and returns
// its report line and the report.
func openWindow(ctx context.Context, bin, dir, logPath string) (string, report, error) {
	ctx, cancel := context.WithTimeout(ctx, 3*time.Minute)
	defer cancel()
	logf, err := os.Create(logPath)
	if err != nil {
		return "", report{}, err
	}
	defer logf.Close()
	cmd := exec.CommandContext(ctx, bin, "--data", dir, "--self-test", "--self-test-bench",
		"--listen", "127.0.0.1:0", "--ssh-listen", "127.0.0.1:0", "--agent-dir", filepath.Dir(logPath))
	var out bytes.Buffer
	cmd.Stdout = &out
	cmd.Stderr = logf
	err = cmd.Run()
	var line string
	sc := bufio.NewScanner(&out)
	sc.Buffer(make([]byte, 1<<20), 16<<20)
	for sc.Scan() {
		if rest, ok := strings.CutPrefix(sc.Text(), "self-test-bench: "); ok {
			line = rest
		}
	}
	if err != nil || line == "" {
		tail, _ := os.ReadFile(logPath)
		if len(tail) > 2000 {
			tail = tail[len(tail)-2000:]
		}
		return "", report{}, fmt.Errorf("the window's bench failed (%v); its log ends:\n%s", err, tail)
	}
	var rep report
	if err := json.Unmarshal([]byte(line), &rep); err != nil {
		return "", report{}, fmt.Errorf("bad report: %w", err)
	}
	return line, rep, nil
}

// loadAverage is the one-minute load average ("?" where unknown): the
// machine is shared, and the figures mean little when it is busy.
func loadAverage() string {
	b, err := os.ReadFile("/proc/loadavg")
	if f := strings.Fields(string(b)); err == nil && len(f) > 0 {
		return f[0]
	}
	return "?"
}
