// Command benchflx measures .flx create, verify and restore throughput on a
// generated tree of mixed files against this machine's own sha256+base64
// speed measured in the same run, and the peak memory at two tree sizes
// (each size in a child process, so its peak is its own).
package main

import (
	"bufio"
	"crypto/rand"
	"crypto/sha256"
	"encoding/base64"
	"flag"
	"fmt"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"runtime/pprof"
	"sort"
	"strings"
	"time"

	"golang.org/x/sys/unix"

	"borgdesk/backend/shared/flx"
)

func main() {
	child := flag.Int("child", 0, "run one size (MiB) and print its figures")
	rounds = flag.Int("rounds", 3, "alternating rounds per size (the report gives medians)")
	sizes := flag.String("mb", "256,1024", "tree sizes in MiB")
	profile := flag.String("cpuprofile", "", "write a CPU profile of each size's run to this file (the size appended)")
	flag.Parse()
	if *child > 0 {
		if *profile != "" {
			f, err := os.Create(*profile)
			if err != nil {
				fmt.Fprintln(os.Stderr, "benchflx:", err)
				os.Exit(1)
			}
			pprof.StartCPUProfile(f)
			defer pprof.StopCPUProfile()
		}
		if err := run(*child); err != nil {
			fmt.Fprintln(os.Stderr, "benchflx:", err)
			pprof.StopCPUProfile()
			os.Exit(1)
		}
		return
	}
	exe, _ := os.Executable()
	for _, s := range strings.Split(*sizes, ",") {
		args := []string{"-child", s, "-rounds", fmt.Sprint(*rounds)}
		if *profile != "" {
			args = append(args, "-cpuprofile", *profile+"."+s)
		}
		cmd := exec.Command(exe, args...)
		cmd.Stdout, cmd.Stderr = os.Stdout, os.Stderr
		if err := cmd.Run(); err != nil {
			os.Exit(1)
		}
	}
}

// generate writes mb MiB: many small config-like text files and some large
// binary ones (half the bytes each).
func generate(dir string, mb int) (int64, int, error) {
	total := int64(mb) << 20
	var n int64
	files := 0
	line := "setting_%d = value %d ; a comment about it, user@example.com\n"
	for i := 0; n < total/2; i++ {
		p := filepath.Join(dir, "etc", fmt.Sprintf("d%02d", i%50), fmt.Sprintf("f%05d.conf", i))
		os.MkdirAll(filepath.Dir(p), 0o755)
		f, err := os.Create(p)
		if err != nil {
			return 0, 0, err
		}
		w := bufio.NewWriter(f)
		for j := 0; j < 400; j++ {
			k, _ := fmt.Fprintf(w, line, j, i*j)
			n += int64(k)
		}
		w.Flush()
		f.Close()
		files++
	}
	buf := make([]byte, 1<<20)
	for i := 0; n < total; i++ {
		p := filepath.Join(dir, "var", "lib", fmt.Sprintf("blob%03d.bin", i))
		os.MkdirAll(filepath.Dir(p), 0o755)
		f, err := os.Create(p)
		if err != nil {
			return 0, 0, err
		}
		for j := 0; j < 32 && n < total; j++ {
			rand.Read(buf)
			f.Write(buf)
			n += int64(len(buf))
		}
		f.Close()
		files++
	}
	return n, files, nil
}

var rounds *int

// shaBase64 is the limit: read every file, sha256 it and base64-encode
// it, nothing else.
func shaBase64(files []flx.File) error {
	for _, f := range files {
		in, err := os.Open(f.Abs)
		if err != nil {
			return err
		}
		h := sha256.New()
		enc := base64.NewEncoder(base64.StdEncoding, io.Discard)
		io.Copy(io.MultiWriter(h, enc), in)
		enc.Close()
		in.Close()
	}
	return nil
}

// copyTree is what writing the files costs on this disk: each file copied
// (one goroutine, as cp does), then one syncfs, as a restore ends.
func copyTree(files []flx.File, dst string) error {
	for _, f := range files {
		p := filepath.Join(dst, filepath.FromSlash(f.Rel))
		if err := os.MkdirAll(filepath.Dir(p), 0o755); err != nil {
			return err
		}
		in, err := os.Open(f.Abs)
		if err != nil {
			return err
		}
		out, err := os.Create(p)
		if err == nil {
			_, err = io.Copy(out, in)
			out.Close()
		}
		in.Close()
		if err != nil {
			return err
		}
	}
	d, err := os.Open(dst)
	if err != nil {
		return err
	}
	defer d.Close()
	return unix.Syncfs(int(d.Fd()))
}

func median(v []float64) float64 {
	s := append([]float64(nil), v...)
	sort.Float64s(s)
	if len(s)%2 == 1 {
		return s[len(s)/2]
	}
	return (s[len(s)/2-1] + s[len(s)/2]) / 2
}

// loadavg is the machine's 1-minute load average.
func loadavg() string {
	raw, _ := os.ReadFile("/proc/loadavg")
	if f := strings.Fields(string(raw)); len(f) > 0 {
		return f[0]
	}
	return "?"
}

func peakRSS() string {
	raw, _ := os.ReadFile("/proc/self/status")
	for _, l := range strings.Split(string(raw), "\n") {
		if strings.HasPrefix(l, "VmHWM:") {
			return strings.TrimSpace(strings.TrimPrefix(l, "VmHWM:"))
		}
	}
	return "?"
}

func run(mb int) error {
	tmp, err := os.MkdirTemp("", "benchflx-")
	if err != nil {
		return err
	}
	defer os.RemoveAll(tmp)
	src := filepath.Join(tmp, "src")
	bytes, nfiles, err := generate(src, mb)
	if err != nil {
		return err
	}
	mbf := float64(bytes) / (1 << 20)
	files, _, err := flx.Collect(src, []string{"etc", "var"})
	if err != nil {
		return err
	}
	load := loadavg()
	// Each round measures the limit and every operation once, in turn,
	// so a change in the machine's load falls on all of them alike; the
	// report gives the medians.
	var limit, copies, create, sanitized, verify, restore []float64
	var name string
	for r := 0; r < *rounds; r++ {
		out := filepath.Join(tmp, fmt.Sprint("out", r))
		steps := []struct {
			into *[]float64
			run  func() error
		}{
			{&limit, func() error { return shaBase64(files) }},
			{&copies, func() error {
				dst := filepath.Join(tmp, "copy")
				defer os.RemoveAll(dst)
				return copyTree(files, dst)
			}},
			{&create, func() error {
				var err error
				name, _, err = flx.Create(out, "bench", false, files, flx.Options{KeepSecrets: true})
				return err
			}},
			{&sanitized, func() error {
				_, _, err := flx.Create(filepath.Join(tmp, "sanitized"), "bench", false, files, flx.Options{})
				os.RemoveAll(filepath.Join(tmp, "sanitized"))
				return err
			}},
			{&verify, func() error { _, err := flx.Inspect(name); return err }},
			{&restore, func() error {
				dst := filepath.Join(tmp, "dst")
				defer os.RemoveAll(dst)
				_, err := flx.Restore(name, flx.RestoreOptions{Root: dst, Mode: flx.ModeFresh})
				return err
			}},
		}
		for _, st := range steps {
			start := time.Now()
			if err := st.run(); err != nil {
				return err
			}
			*st.into = append(*st.into, mbf/time.Since(start).Seconds())
		}
		if r < *rounds-1 {
			os.RemoveAll(out)
		}
	}
	lim := median(limit)
	ratio := func(v []float64) string {
		return fmt.Sprintf("%6.0f MiB/s  (%.2f× the limit's time)", median(v), lim/median(v))
	}
	fi, _ := os.Stat(name)
	fmt.Printf("%5d MiB tree (%d files), snapshot %.0f MiB, medians of %d alternating rounds, load average %s → %s:\n",
		mb, nfiles, float64(fi.Size())/(1<<20), *rounds, load, loadavg())
	fmt.Printf("  sha256+base64 of the same files (the limit): %6.0f MiB/s\n", lim)
	fmt.Printf("  copying the files (write + one syncfs):      %s\n", ratio(copies))
	fmt.Printf("  create (--keep-secrets):                     %s\n", ratio(create))
	fmt.Printf("  create (sanitized):                          %s\n", ratio(sanitized))
	fmt.Printf("  verify:                                      %s\n", ratio(verify))
	fmt.Printf("  restore (fresh: one verifying read, staged files renamed into place, one syncfs): %s; %.2f× the copy's time\n",
		ratio(restore), median(copies)/median(restore))
	fmt.Printf("  peak memory of the process:                  %s\n", peakRSS())
	return nil
}
