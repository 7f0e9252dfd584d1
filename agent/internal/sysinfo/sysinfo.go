// Package sysinfo reports what the agent's host can back up (capabilities)
// and how loaded it is (metrics), through gopsutil.
package sysinfo

import (
	"context"
	"os"
	"os/exec"
	"regexp"
	"runtime"
	"strings"
	"time"

	"github.com/shirou/gopsutil/v4/cpu"
	"github.com/shirou/gopsutil/v4/disk"
	"github.com/shirou/gopsutil/v4/host"
	"github.com/shirou/gopsutil/v4/load"
	"github.com/shirou/gopsutil/v4/mem"
	"github.com/shirou/gopsutil/v4/net"

	"borgdesk/backend/shared/agentapi"
)

// Tools whose presence the coordinator wants to know.
var tools = map[string][]string{
	"mysqldump": {"mysqldump", "mariadb-dump"},
	"pg_dump":   {"pg_dump"},
	"mongodump": {"mongodump"},
	"docker":    {"docker"},
	"lvm":       {"lvcreate"},
}

// Capabilities describes the host.
func Capabilities(ctx context.Context) agentapi.Capabilities {
	c := agentapi.Capabilities{Arch: runtime.GOARCH, Tools: map[string]bool{}}
	c.Hostname, _ = os.Hostname()
	if info, err := host.InfoWithContext(ctx); err == nil {
		c.OS = info.Platform
		if c.OS == "" {
			c.OS = info.OS
		}
		c.OSVersion = info.PlatformVersion
		c.Kernel = info.KernelVersion
	}
	for name, bins := range tools {
		for _, b := range bins {
			if _, err := exec.LookPath(b); err == nil {
				c.Tools[name] = true
				break
			}
		}
		if !c.Tools[name] {
			c.Tools[name] = false
		}
	}
	c.BorgVersion = borgVersion(ctx)
	return c
}

var borgVer = regexp.MustCompile(`\d+\.\d+(\.\d+)?\S*`)

func borgVersion(ctx context.Context) string {
	ctx, cancel := context.WithTimeout(ctx, 10*time.Second)
	defer cancel()
	out, err := exec.CommandContext(ctx, "borg", "--version").Output()
	if err != nil {
		return ""
	}
	return borgVer.FindString(strings.TrimSpace(string(out)))
}

// Skipped file system types: pseudo and in-memory file systems.
var pseudoFS = map[string]bool{"tmpfs": true, "devtmpfs": true, "overlay": true, "squashfs": true, "proc": true, "sysfs": true, "cgroup2": true, "nsfs": true, "fuse.lxcfs": true}

// Metrics samples the host's load; CPU is measured over sample.
func Metrics(ctx context.Context, sample time.Duration) agentapi.Metrics {
	m := agentapi.Metrics{CollectedAt: time.Now().UTC()}
	if p, err := cpu.PercentWithContext(ctx, sample, false); err == nil && len(p) == 1 {
		m.CPUPercent = p[0]
	}
	if l, err := load.AvgWithContext(ctx); err == nil {
		m.Load1 = l.Load1
	}
	if v, err := mem.VirtualMemoryWithContext(ctx); err == nil {
		m.MemTotal, m.MemUsed = v.Total, v.Used
	}
	if s, err := mem.SwapMemoryWithContext(ctx); err == nil {
		m.SwapTotal, m.SwapUsed = s.Total, s.Used
	}
	if up, err := host.UptimeWithContext(ctx); err == nil {
		m.UptimeSeconds = up
	}
	if parts, err := disk.PartitionsWithContext(ctx, false); err == nil {
		seen := map[string]bool{}
		for _, p := range parts {
			if pseudoFS[p.Fstype] || seen[p.Mountpoint] || strings.HasPrefix(p.Mountpoint, "/snap/") {
				continue
			}
			seen[p.Mountpoint] = true
			if u, err := disk.UsageWithContext(ctx, p.Mountpoint); err == nil && u.Total > 0 {
				m.Disks = append(m.Disks, agentapi.Disk{Mount: p.Mountpoint, FSType: p.Fstype, Total: u.Total, Used: u.Used})
			}
		}
	}
	if ios, err := net.IOCountersWithContext(ctx, true); err == nil {
		for _, io := range ios {
			if io.Name == "lo" {
				continue
			}
			m.Net = append(m.Net, agentapi.NetIO{Name: io.Name, RxBytes: io.BytesRecv, TxBytes: io.BytesSent})
		}
	}
	return m
}
