//go:build linux

package replicate

import (
	"context"
	"crypto/rand"
	"fmt"
	"io"
	mrand "math/rand/v2"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
	"time"

	"borgdesk/backend/rollout/testhost"
	"borgdesk/backend/shared/borg"
)

// TestReplicationThroughput is `make bench`'s replication report, not a
// test: a repository of BENCH_REPL_MB MiB made with real borg is copied
// with cp -a and rsync (the plain copy), with a bare rclone sync, and with
// Replicate (lock, ordered passes, rclone check), to a local directory and
// to a real sshd in a network namespace. Caches are warm: every copy reads
// the repository from memory, so the figures compare the copy paths.
func TestReplicationThroughput(t *testing.T) {
	if os.Getenv("BORGDESK_BENCH_REPLICATE") == "" {
		t.Skip("a benchmark: make bench runs it (BORGDESK_BENCH_REPLICATE=1)")
	}
	mb := 256
	if v, err := strconv.Atoi(os.Getenv("BENCH_REPL_MB")); err == nil && v > 0 {
		mb = v
	}
	need(t)
	ctx := context.Background()
	b := &borg.Borg{BaseDir: t.TempDir(), LockWait: 10}
	repo := borg.Repo{Location: filepath.Join(t.TempDir(), "repo"), Passphrase: "bench"}
	if err := b.Init(ctx, repo); err != nil {
		t.Fatal(err)
	}
	data := t.TempDir()
	writeTree(t, data, mb)
	start := time.Now()
	if _, err := b.Create(ctx, repo, borg.CreateOptions{Archive: "bench-1", Paths: []string{data}}, nil); err != nil {
		t.Fatal(err)
	}
	files, size, _ := sourceSize(repo.Location)
	report := func(what string, d time.Duration, base time.Duration) {
		line := fmt.Sprintf("replication %-44s %7.2f s %8.1f MiB/s", what, d.Seconds(), float64(size)/(1<<20)/d.Seconds())
		if base > 0 {
			line += fmt.Sprintf("   %.2fx the plain copy's time", d.Seconds()/base.Seconds())
		}
		fmt.Println(line)
	}
	fmt.Printf("replication repository: %d MiB of data, %d files, %.1f MiB after borg (%s)\n", mb, files, float64(size)/(1<<20), time.Since(start).Round(10*time.Millisecond))
	cat(t, repo.Location) // warm the cache for every copy alike

	dst := t.TempDir()
	cp := timed(t, "cp", "-a", repo.Location, filepath.Join(dst, "cp"))
	report("cp -a (local)", cp, 0)
	rs := timed(t, "rsync", "-a", repo.Location+"/", filepath.Join(dst, "rsync")+"/")
	report("rsync -a (local)", rs, cp)
	rc := timed(t, "rclone", "--config", os.DevNull, "sync", repo.Location, filepath.Join(dst, "rclone"))
	report("rclone sync (local, bare)", rc, cp)
	r := &Replicator{Borg: b, Rclone: &Rclone{TempDir: t.TempDir()}}
	res := replicate(t, r, repo, Target{Kind: KindLocal, Path: filepath.Join(dst, "replicas")})
	report("Replicate (local: lock, passes, check)", res.Duration, cp)
	fmt.Printf("replication   verified: %s; lock held %.2f s\n", res.Verified, res.LockHeld.Seconds())

	h := testhost.NewNetwork(t).AddHost(t, testhost.Options{})
	tg := sftpTarget(t, h, true)
	tg.Path = "/root/replicas"
	ssh := fmt.Sprintf("ssh -i %s -o UserKnownHostsFile=%s -o StrictHostKeyChecking=yes -o BatchMode=yes", tg.KeyFile, tg.KnownHostsFile)
	rsSSH := timed(t, "rsync", "-a", "-e", ssh, repo.Location+"/", "root@"+h.IP+":/root/rsync/")
	report("rsync -a over ssh (plain copy, network)", rsSSH, 0)
	var steps []string
	r.Trace = func(step string, d time.Duration) { steps = append(steps, fmt.Sprintf("%s %.2f s", step, d.Seconds())) }
	res = replicate(t, r, repo, tg)
	report("Replicate to SFTP (first)", res.Duration, rsSSH)
	fmt.Printf("replication   verified: %s; lock held %.2f s\n", res.Verified, res.LockHeld.Seconds())
	fmt.Printf("replication   its steps: %s\n", strings.Join(steps, ", "))

	os.WriteFile(filepath.Join(data, "new.bin"), randomBytes(8<<20), 0o600)
	if _, err := b.Create(ctx, repo, borg.CreateOptions{Archive: "bench-2", Paths: []string{data}}, nil); err != nil {
		t.Fatal(err)
	}
	rsSSH2 := timed(t, "rsync", "-a", "--delete", "-e", ssh, repo.Location+"/", "root@"+h.IP+":/root/rsync/")
	steps = nil
	res = replicate(t, r, repo, tg)
	r.Trace = nil
	fmt.Printf("replication after one more backup (8 MiB new): rsync over ssh %.2f s, Replicate to SFTP %.2f s (%d files, %.1f MiB copied; lock held %.2f s; verified %s)\n",
		rsSSH2.Seconds(), res.Duration.Seconds(), res.Copied, float64(res.Transferred)/(1<<20), res.LockHeld.Seconds(), res.Verified)
	fmt.Printf("replication   its steps: %s\n", strings.Join(steps, ", "))
	fmt.Printf("replication   machine load (1 min) at the end: %s\n", loadAvg())
}

func loadAvg() string {
	raw, err := os.ReadFile("/proc/loadavg")
	if err != nil {
		return "unknown"
	}
	return strings.Fields(string(raw))[0]
}

func replicate(t *testing.T, r *Replicator, repo borg.Repo, tg Target) Result {
	t.Helper()
	res, err := r.Replicate(context.Background(), repo, "bench", tg)
	if err != nil {
		t.Fatal(err)
	}
	return res
}

func timed(t *testing.T, name string, args ...string) time.Duration {
	t.Helper()
	start := time.Now()
	if out, err := exec.Command(name, args...).CombinedOutput(); err != nil {
		t.Fatalf("%s: %v\n%s", name, err, out)
	}
	return time.Since(start)
}

// writeTree writes mb MiB in files of 1 to 16 MiB: mostly random (as
// compressed or encrypted data is), one in eight repetitive text that borg
// compresses.
func writeTree(t *testing.T, dir string, mb int) {
	t.Helper()
	for i, left := 0, mb; left > 0; i++ {
		n := min(left, 1+mrand.IntN(16))
		var body []byte
		if i%8 != 7 {
			body = randomBytes(n << 20)
		} else {
			line := []byte(fmt.Sprintf("%08d GET /index.html 200 5120 \"Mozilla/5.0\" %x\n", i, mrand.Uint64()))
			for len(body) < n<<20 {
				body = append(body, line...)
			}
		}
		if err := os.WriteFile(filepath.Join(dir, fmt.Sprintf("f%03d", i)), body, 0o600); err != nil {
			t.Fatal(err)
		}
		left -= n
	}
}

func randomBytes(n int) []byte {
	b := make([]byte, n)
	rand.Read(b)
	return b
}

// cat reads every file under dir once.
func cat(t *testing.T, dir string) {
	t.Helper()
	walkRepo(dir, func(rel string, _ int64) {
		if f, err := os.Open(filepath.Join(dir, rel)); err == nil {
			io.Copy(io.Discard, f)
			f.Close()
		}
	})
}
