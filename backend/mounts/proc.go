package mounts

import (
	"bufio"
	"fmt"
	"os"
	"path/filepath"
	"sort"
	"strconv"
	"strings"
)

// mountInfo is one line of /proc/self/mountinfo.
type mountInfo struct {
	Dir, FSType, Source string
}

// mountTable reads /proc/self/mountinfo: mount point → its mount (the
// last one mounted there, which is the one seen).
func mountTable() (map[string]mountInfo, error) {
	f, err := os.Open("/proc/self/mountinfo")
	if err != nil {
		return nil, err
	}
	defer f.Close()
	out := map[string]mountInfo{}
	sc := bufio.NewScanner(f)
	sc.Buffer(make([]byte, 64<<10), 1<<20)
	for sc.Scan() {
		// id parent major:minor root mountpoint options [optional…] - fstype source superoptions
		fields := strings.Fields(sc.Text())
		sep := -1
		for i := 6; i < len(fields); i++ {
			if fields[i] == "-" {
				sep = i
				break
			}
		}
		if sep < 0 || sep+2 >= len(fields) {
			continue
		}
		mi := mountInfo{Dir: unescape(fields[4]), FSType: fields[sep+1], Source: unescape(fields[sep+2])}
		out[mi.Dir] = mi
	}
	return out, sc.Err()
}

// unescape undoes mountinfo's octal escapes (\040 for a space).
func unescape(s string) string {
	if !strings.Contains(s, `\`) {
		return s
	}
	var b strings.Builder
	for i := 0; i < len(s); i++ {
		if s[i] == '\\' && i+4 <= len(s) {
			if n, err := strconv.ParseUint(s[i+1:i+4], 8, 8); err == nil {
				b.WriteByte(byte(n))
				i += 3
				continue
			}
		}
		b.WriteByte(s[i])
	}
	return b.String()
}

// isMountPoint reports whether dir is a mount point now.
func isMountPoint(dir string) (mountInfo, bool, error) {
	table, err := mountTable()
	if err != nil {
		return mountInfo{}, false, err
	}
	mi, ok := table[dir]
	return mi, ok, nil
}

// Process is a process that holds files under a mount.
type Process struct {
	PID  int    `json:"pid"`
	Name string `json:"name"`
}

func (p Process) String() string { return fmt.Sprintf("%s (pid %d)", p.Name, p.PID) }

// BusyError is an unmount refused because processes use the mount. It
// matches ErrBusy.
type BusyError struct {
	Dir     string
	Holders []Process
}

func (e *BusyError) Error() string {
	if len(e.Holders) == 0 {
		return fmt.Sprintf("%s is in use by a program (one Borgdesk cannot see): close it and try again", e.Dir)
	}
	names := make([]string, len(e.Holders))
	for i, p := range e.Holders {
		names[i] = p.String()
	}
	return fmt.Sprintf("%s is in use by %s: close it and try again", e.Dir, strings.Join(names, ", "))
}

// Is makes errors.Is(err, ErrBusy) true.
func (e *BusyError) Is(target error) bool { return target == ErrBusy }

// holders lists the processes whose working directory, root, program,
// open files or mapped files are under dir. Processes Borgdesk may not
// inspect (other users') are not listed.
func holders(dir string) []Process {
	procs, _ := filepath.Glob("/proc/[0-9]*")
	var out []Process
	for _, p := range procs {
		pid, err := strconv.Atoi(filepath.Base(p))
		if err != nil || !holds(p, dir) {
			continue
		}
		name, _ := os.ReadFile(filepath.Join(p, "comm"))
		out = append(out, Process{PID: pid, Name: strings.TrimSpace(string(name))})
	}
	sort.Slice(out, func(i, j int) bool { return out[i].PID < out[j].PID })
	return out
}

func holds(proc, dir string) bool {
	under := func(path string) bool {
		path = strings.TrimSuffix(path, " (deleted)")
		return path == dir || strings.HasPrefix(path, dir+"/")
	}
	for _, l := range []string{"cwd", "root", "exe"} {
		if t, err := os.Readlink(filepath.Join(proc, l)); err == nil && under(t) {
			return true
		}
	}
	fds, _ := os.ReadDir(filepath.Join(proc, "fd"))
	for _, fd := range fds {
		if t, err := os.Readlink(filepath.Join(proc, "fd", fd.Name())); err == nil && under(t) {
			return true
		}
	}
	maps, err := os.Open(filepath.Join(proc, "maps"))
	if err != nil {
		return false
	}
	defer maps.Close()
	sc := bufio.NewScanner(maps)
	for sc.Scan() {
		// address perms offset dev inode path
		if f := strings.SplitN(sc.Text(), " ", 6); len(f) == 6 && under(strings.TrimSpace(f[5])) {
			return true
		}
	}
	return false
}
