package testhost

import (
	"bufio"
	"context"
	"crypto/rand"
	"encoding/binary"
	"errors"
	"fmt"
	"net"
	"os"
	"os/exec"
	"path/filepath"
	"sort"
	"strconv"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"

	"golang.org/x/sys/unix"

	"borgdesk/backend/shared/testenv"
)

func requireRoot(t testing.TB) {
	t.Helper()
	testenv.NeedRoot(t, "make test hosts (network namespaces, mounts)")
	fs, _ := os.ReadFile("/proc/filesystems")
	if !strings.Contains(string(fs), "\toverlay\n") {
		// The module may still load on first use.
		exec.Command("modprobe", "overlay").Run()
		fs, _ = os.ReadFile("/proc/filesystems")
		if !strings.Contains(string(fs), "\toverlay\n") {
			testenv.Missing(t, "testhost: the kernel has no overlayfs")
		}
	}
}

var (
	toolsOnce sync.Once
	toolsErr  error
)

// ensureTools installs, from Debian's packages, what the hosts run and is
// missing on this machine.
func ensureTools() error {
	toolsOnce.Do(func() {
		need := []struct{ pkg, file string }{
			{"sudo", "/usr/bin/sudo"},
			{"openssh-server", "/usr/sbin/sshd"},
			{"iproute2", "/usr/sbin/ip"},
			{"util-linux", "/usr/bin/nsenter"},
		}
		var missing []string
		for _, n := range need {
			if _, err := os.Stat(n.file); err != nil {
				missing = append(missing, n.pkg)
			}
		}
		if len(missing) == 0 {
			return
		}
		install := append([]string{"apt-get", "install", "-y", "-q", "--no-install-recommends", "-o", "DPkg::Lock::Timeout=600"}, missing...)
		if _, err := runTimeout(15*time.Minute, "", install...); err != nil {
			// The package lists may be missing or stale.
			if _, uerr := runTimeout(15*time.Minute, "", "apt-get", "update", "-q", "-o", "DPkg::Lock::Timeout=600"); uerr != nil {
				toolsErr = fmt.Errorf("installing %s: %v; apt-get update: %v", strings.Join(missing, " "), err, uerr)
				return
			}
			if _, err := runTimeout(15*time.Minute, "", install...); err != nil {
				toolsErr = fmt.Errorf("installing %s: %w", strings.Join(missing, " "), err)
			}
		}
	})
	return toolsErr
}

func run(args ...string) (string, error) { return runTimeout(stepTimeout, "", args...) }

func runInput(stdin string, args ...string) (string, error) {
	return runTimeout(stepTimeout, stdin, args...)
}

func runTimeout(d time.Duration, stdin string, args ...string) (string, error) {
	ctx, cancel := context.WithTimeout(context.Background(), d)
	defer cancel()
	cmd := exec.CommandContext(ctx, args[0], args[1:]...)
	cmd.Env = append(os.Environ(), "DEBIAN_FRONTEND=noninteractive", "LC_ALL=C")
	if stdin != "" {
		cmd.Stdin = strings.NewReader(stdin)
	}
	out, err := cmd.CombinedOutput()
	if err != nil {
		return string(out), fmt.Errorf("%s: %w: %s", strings.Join(args, " "), err, strings.TrimSpace(string(out)))
	}
	return string(out), nil
}

func linkExists(name string) bool {
	_, err := os.Stat("/sys/class/net/" + name)
	return err == nil
}

func baseDir() (string, error) {
	base := filepath.Join(os.TempDir(), "borgdesk-testhost")
	if err := os.MkdirAll(base, 0o700); err != nil {
		return "", err
	}
	return base, nil
}

// lockFile takes an exclusive flock, serialising networks' creation (and the
// choice of their subnets) between test processes.
func lockFile(path string) (func(), error) {
	f, err := os.OpenFile(path, os.O_CREATE|os.O_RDWR, 0o600)
	if err != nil {
		return nil, err
	}
	if err := unix.Flock(int(f.Fd()), unix.LOCK_EX); err != nil {
		f.Close()
		return nil, err
	}
	return func() { unix.Flock(int(f.Fd()), unix.LOCK_UN); f.Close() }, nil
}

// processIdentity is a PID with its start time, which a reused PID lacks.
func processIdentity(pid int) string {
	b, err := os.ReadFile(fmt.Sprintf("/proc/%d/stat", pid))
	if err != nil {
		return ""
	}
	s := string(b)
	i := strings.LastIndexByte(s, ')')
	if i < 0 {
		return ""
	}
	f := strings.Fields(s[i+1:])
	if len(f) < 20 {
		return ""
	}
	return fmt.Sprintf("%d %s", pid, f[19]) // field 22, starttime
}

// sweepStale removes the networks and hosts of test processes that died
// without cleaning up (killed, or a `go test -timeout` panic).
func sweepStale(base string) {
	entries, _ := os.ReadDir(base)
	for _, e := range entries {
		if !e.IsDir() || !strings.HasPrefix(e.Name(), "bdbr") {
			continue
		}
		dir := filepath.Join(base, e.Name())
		owner, _ := os.ReadFile(filepath.Join(dir, "owner"))
		lines := strings.SplitN(string(owner), "\n", 2)
		if f := strings.Fields(lines[0]); len(f) == 2 {
			if pid, err := strconv.Atoi(f[0]); err == nil && processIdentity(pid) == lines[0] {
				continue // alive
			}
		}
		ok := true
		hosts, _ := os.ReadDir(dir)
		for _, hd := range hosts {
			if hd.IsDir() && strings.HasPrefix(hd.Name(), "bdh") {
				if err := teardownHost(filepath.Join(dir, hd.Name()), hd.Name(), "bdv"+hd.Name()[3:]); err != nil {
					ok = false
				}
			}
		}
		if linkExists(e.Name()) {
			run("ip", "link", "del", e.Name())
		}
		if ok {
			os.RemoveAll(dir)
		}
	}
}

// freeOctet picks X for a 10.X.0.0/24 that no route of the root namespace
// overlaps and no live network of this package uses.
func freeOctet(base string) (int, error) {
	routes, err := routedPrefixes()
	if err != nil {
		return 0, err
	}
	used := map[int]bool{}
	entries, _ := os.ReadDir(base)
	for _, e := range entries {
		owner, _ := os.ReadFile(filepath.Join(base, e.Name(), "owner"))
		var x int
		if lines := strings.Split(string(owner), "\n"); len(lines) > 1 {
			if _, err := fmt.Sscanf(lines[1], "10.%d.0.0/24", &x); err == nil {
				used[x] = true
			}
		}
	}
	for range 200 {
		x := 16 + int(randUint32()%230) // 10.16.0.0 … 10.245.0.0
		if used[x] {
			continue
		}
		subnet := &net.IPNet{IP: net.IPv4(10, byte(x), 0, 0).To4(), Mask: net.CIDRMask(24, 32)}
		clash := false
		for _, r := range routes {
			if r.Contains(subnet.IP) || subnet.Contains(r.IP) {
				clash = true
				break
			}
		}
		if !clash {
			return x, nil
		}
	}
	return 0, errors.New("no free 10.x.0.0/24 subnet")
}

// routedPrefixes are the root namespace's IPv4 routes but the default one,
// its addresses and its DNS servers.
func routedPrefixes() ([]*net.IPNet, error) {
	f, err := os.Open("/proc/net/route")
	if err != nil {
		return nil, err
	}
	defer f.Close()
	var nets []*net.IPNet
	sc := bufio.NewScanner(f)
	sc.Scan() // header
	for sc.Scan() {
		fl := strings.Fields(sc.Text())
		if len(fl) < 8 {
			continue
		}
		dst, err1 := strconv.ParseUint(fl[1], 16, 32)
		mask, err2 := strconv.ParseUint(fl[7], 16, 32)
		if err1 != nil || err2 != nil || mask == 0 {
			continue
		}
		ip, m := make(net.IP, 4), make(net.IPMask, 4)
		binary.LittleEndian.PutUint32(ip, uint32(dst))
		binary.LittleEndian.PutUint32(m, uint32(mask))
		nets = append(nets, &net.IPNet{IP: ip, Mask: m})
	}
	// The real machine's DNS servers, which a bridge must not hide.
	if b, err := os.ReadFile("/etc/resolv.conf"); err == nil {
		for _, line := range strings.Split(string(b), "\n") {
			if f := strings.Fields(line); len(f) >= 2 && f[0] == "nameserver" {
				if ip := net.ParseIP(f[1]).To4(); ip != nil {
					nets = append(nets, &net.IPNet{IP: ip, Mask: net.CIDRMask(32, 32)})
				}
			}
		}
	}
	// Addresses too: an interface may hold one without a route of its own.
	addrs, _ := net.InterfaceAddrs()
	for _, a := range addrs {
		if ipn, ok := a.(*net.IPNet); ok && ipn.IP.To4() != nil {
			nets = append(nets, ipn)
		}
	}
	return nets, sc.Err()
}

func randUint32() uint32 {
	var b [4]byte
	rand.Read(b[:])
	return binary.LittleEndian.Uint32(b[:])
}

// buildRoot lays out dir/root, the host's root filesystem, with its
// writable parts in dir/disk.
func buildRoot(dir, diskLimit string) error {
	root, disk := filepath.Join(dir, "root"), filepath.Join(dir, "disk")
	for _, d := range []string{root, disk} {
		if err := os.MkdirAll(d, 0o755); err != nil {
			return err
		}
	}
	if diskLimit != "" {
		if err := mountPrivate("tmpfs", disk, "tmpfs", 0, "mode=0755,size="+diskLimit); err != nil {
			return fmt.Errorf("disk of %s: %w", diskLimit, err)
		}
	}
	rootSize := diskLimit
	if rootSize == "" {
		rootSize = "64m"
	}
	// A mount of its own, so that everything under it can be private and
	// nothing mounted for a host propagates elsewhere.
	if err := mountPrivate("tmpfs", root, "tmpfs", 0, "mode=0755,size="+rootSize); err != nil {
		return err
	}
	for _, d := range []string{"proc", "sys", "dev", "run", "tmp", "root", "home", "mnt", "srv", "media", "usr", "etc", "var", "opt"} {
		if err := os.Mkdir(filepath.Join(root, d), 0o755); err != nil {
			return err
		}
	}
	overlays := []string{"usr", "etc", "var", "opt"}
	// Merged /usr (Debian 12): /bin, /lib… are symlinks into usr; elsewhere
	// they are directories and get an overlay of their own.
	for _, d := range []string{"bin", "sbin", "lib", "lib32", "lib64", "libx32"} {
		fi, err := os.Lstat("/" + d)
		switch {
		case err != nil:
		case fi.Mode()&os.ModeSymlink != 0:
			target, err := os.Readlink("/" + d)
			if err != nil {
				return err
			}
			if err := os.Symlink(target, filepath.Join(root, d)); err != nil {
				return err
			}
		case fi.IsDir():
			if err := os.Mkdir(filepath.Join(root, d), 0o755); err != nil {
				return err
			}
			overlays = append(overlays, d)
		}
	}
	for _, d := range overlays {
		upper, work := filepath.Join(disk, "upper", d), filepath.Join(disk, "work", d)
		for _, p := range []string{upper, work} {
			if err := os.MkdirAll(p, 0o755); err != nil {
				return err
			}
		}
		if _, err := os.Stat("/" + d); err != nil {
			continue // no /opt: an empty directory will do
		}
		// volatile: no fsync to the upper layer; a host never outlives its
		// test, so what it writes need not survive a crash.
		opts := fmt.Sprintf("lowerdir=/%s,upperdir=%s,workdir=%s,volatile", d, upper, work)
		if err := mountPrivate("overlay", filepath.Join(root, d), "overlay", 0, opts); err != nil {
			return fmt.Errorf("overlay on /%s: %w", d, err)
		}
	}
	// /tmp, /root and /home are the host's own, on the disk.
	for _, d := range []struct {
		name string
		mode os.FileMode
	}{{"tmp", 0o1777}, {"root", 0o700}, {"home", 0o755}} {
		p := filepath.Join(disk, d.name)
		if err := os.Mkdir(p, 0o755); err != nil {
			return err
		}
		if err := os.Chmod(p, d.mode); err != nil {
			return err
		}
		if err := mountPrivate(p, filepath.Join(root, d.name), "", unix.MS_BIND, ""); err != nil {
			return err
		}
	}
	if err := mountPrivate("tmpfs", filepath.Join(root, "run"), "tmpfs", unix.MS_NOSUID|unix.MS_NODEV, "mode=0755,size=64m"); err != nil {
		return err
	}
	devPath := filepath.Join(root, "dev")
	if err := unix.Mount("/dev", devPath, "", unix.MS_BIND|unix.MS_REC, ""); err != nil {
		return fmt.Errorf("bind /dev: %w", err)
	}
	// Private before anything is mounted under it or unmounted from it:
	// where /dev is shared, either would reach the real /dev.
	if err := unix.Mount("", devPath, "", unix.MS_PRIVATE|unix.MS_REC, ""); err != nil {
		return fmt.Errorf("private /dev: %w", err)
	}
	if err := mountPrivate("tmpfs", filepath.Join(devPath, "shm"), "tmpfs", unix.MS_NOSUID|unix.MS_NODEV, "mode=1777,size=64m"); err != nil {
		return err
	}
	return nil
}

func mountPrivate(source, target, fstype string, flags uintptr, data string) error {
	if err := unix.Mount(source, target, fstype, flags, data); err != nil {
		return fmt.Errorf("mount %s on %s: %w", fstype+source, target, err)
	}
	if err := unix.Mount("", target, "", unix.MS_PRIVATE, ""); err != nil {
		return fmt.Errorf("make %s private: %w", target, err)
	}
	return nil
}

// teardownHost removes a host, whether or not this process made it: kills
// every process in its network namespace or chrooted under its directory,
// deletes its netns and veth, unmounts everything under dir, removes dir.
func teardownHost(dir, ns, veth string) error {
	var errs []error
	var netns *syscall.Stat_t
	var st syscall.Stat_t
	if syscall.Stat("/run/netns/"+ns, &st) == nil {
		netns = &st
	}
	if err := killProcesses(dir, netns); err != nil {
		errs = append(errs, err)
	}
	if linkExists(veth) {
		if _, err := run("ip", "link", "del", veth); err != nil {
			errs = append(errs, err)
		}
	}
	if _, err := os.Stat("/run/netns/" + ns); err == nil {
		if _, err := run("ip", "netns", "del", ns); err != nil {
			errs = append(errs, err)
		}
	}
	if err := unmountUnder(dir); err != nil {
		errs = append(errs, err)
	} else if err := os.RemoveAll(dir); err != nil {
		errs = append(errs, err)
	}
	return errors.Join(errs...)
}

// killProcesses SIGKILLs every process whose root is under dir or that is
// in the network namespace netns (nil: none), until there are none.
func killProcesses(dir string, netns *syscall.Stat_t) error {
	self := os.Getpid()
	prefix := dir + "/"
	for round := 0; ; round++ {
		var found []int
		ents, err := os.ReadDir("/proc")
		if err != nil {
			return err
		}
		for _, e := range ents {
			pid, err := strconv.Atoi(e.Name())
			if err != nil || pid == self {
				continue
			}
			match := false
			if root, err := os.Readlink(fmt.Sprintf("/proc/%d/root", pid)); err == nil && strings.HasPrefix(root+"/", prefix) {
				match = true
			}
			if !match && netns != nil {
				var st syscall.Stat_t
				if syscall.Stat(fmt.Sprintf("/proc/%d/ns/net", pid), &st) == nil && st.Dev == netns.Dev && st.Ino == netns.Ino {
					match = true
				}
			}
			if match {
				found = append(found, pid)
			}
		}
		if len(found) == 0 {
			return nil
		}
		if round == 250 {
			return fmt.Errorf("processes %v of %s do not die", found, dir)
		}
		for _, pid := range found {
			syscall.Kill(pid, syscall.SIGKILL)
		}
		time.Sleep(20 * time.Millisecond)
	}
}

// mountsUnder lists the mount points at or under dir, last mounted first.
func mountsUnder(dir string) ([]string, error) {
	b, err := os.ReadFile("/proc/self/mountinfo")
	if err != nil {
		return nil, err
	}
	var mps []string
	for _, line := range strings.Split(string(b), "\n") {
		f := strings.Fields(line)
		if len(f) < 5 {
			continue
		}
		mp := unescapeMount(f[4])
		if mp == dir || strings.HasPrefix(mp, dir+"/") {
			mps = append(mps, mp)
		}
	}
	// Deepest first, then latest first among equals.
	rev := make([]string, len(mps))
	for i, mp := range mps {
		rev[len(mps)-1-i] = mp
	}
	sort.SliceStable(rev, func(i, j int) bool { return strings.Count(rev[i], "/") > strings.Count(rev[j], "/") })
	return rev, nil
}

func unescapeMount(s string) string {
	if !strings.Contains(s, `\`) {
		return s
	}
	var b strings.Builder
	for i := 0; i < len(s); i++ {
		if s[i] == '\\' && i+3 < len(s) {
			if v, err := strconv.ParseUint(s[i+1:i+4], 8, 8); err == nil {
				b.WriteByte(byte(v))
				i += 3
				continue
			}
		}
		b.WriteByte(s[i])
	}
	return b.String()
}

func unmountUnder(dir string) error {
	for round := 0; round < 5; round++ {
		mps, err := mountsUnder(dir)
		if err != nil {
			return err
		}
		if len(mps) == 0 {
			return nil
		}
		for _, mp := range mps {
			if err := unix.Unmount(mp, 0); err != nil && !errors.Is(err, unix.EINVAL) && !errors.Is(err, unix.ENOENT) {
				unix.Unmount(mp, unix.MNT_DETACH)
			}
		}
	}
	mps, _ := mountsUnder(dir)
	if len(mps) > 0 {
		return fmt.Errorf("still mounted: %s", strings.Join(mps, " "))
	}
	return nil
}

// childPIDs are the children of pid (its main thread's).
func childPIDs(pid int) []int {
	b, err := os.ReadFile(fmt.Sprintf("/proc/%d/task/%d/children", pid, pid))
	if err != nil {
		return nil
	}
	var pids []int
	for _, f := range strings.Fields(string(b)) {
		if p, err := strconv.Atoi(f); err == nil {
			pids = append(pids, p)
		}
	}
	return pids
}
