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
	"strings"
	"time"

	"borgdesk/backend/shared/flx"
)

func main() {
	child := flag.Int("child", 0, "run one size (MiB) and print its figures")
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
		args := []string{"-child", s}
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
	// The limit: read every file, sha256 it and base64-encode it, nothing else.
	start := time.Now()
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
	limit := mbf / time.Since(start).Seconds()

	out := filepath.Join(tmp, "out")
	time1 := func(f func() error) (float64, error) {
		start := time.Now()
		err := f()
		return mbf / time.Since(start).Seconds(), err
	}
	var name string
	create, err := time1(func() error {
		var err error
		name, _, err = flx.Create(out, "bench", false, files, flx.Options{KeepSecrets: true})
		return err
	})
	if err != nil {
		return err
	}
	sanitized, err := time1(func() error {
		_, _, err := flx.Create(filepath.Join(tmp, "out2"), "bench", false, files, flx.Options{})
		return err
	})
	if err != nil {
		return err
	}
	os.RemoveAll(filepath.Join(tmp, "out2"))
	verify, err := time1(func() error { _, err := flx.Inspect(name); return err })
	if err != nil {
		return err
	}
	restore, err := time1(func() error {
		_, err := flx.Restore(name, flx.RestoreOptions{Root: filepath.Join(tmp, "dst"), Mode: flx.ModeFresh})
		return err
	})
	if err != nil {
		return err
	}
	fi, _ := os.Stat(name)
	fmt.Printf("%5d MiB tree (%d files), snapshot %.0f MiB:\n", mb, nfiles, float64(fi.Size())/(1<<20))
	fmt.Printf("  sha256+base64 of the same files (the limit): %6.0f MiB/s\n", limit)
	fmt.Printf("  create (--keep-secrets):                     %6.0f MiB/s  (%.2f× the limit)\n", create, limit/create)
	fmt.Printf("  create (sanitized):                          %6.0f MiB/s  (%.2f× the limit)\n", sanitized, limit/sanitized)
	fmt.Printf("  verify:                                      %6.0f MiB/s  (%.2f× the limit)\n", verify, limit/verify)
	fmt.Printf("  restore (fresh, verify first, then write):   %6.0f MiB/s  (%.2f× the limit)\n", restore, limit/restore)
	fmt.Printf("  peak memory of the process:                  %s\n", peakRSS())
	return nil
}
