package backup

import (
	"strings"

	"borgdesk/agent/internal/syscmd"
)

// The system commands a backup drives besides borg and the dump tools.
// Each failure says what ran, its stderr's tail, and what to check.
var (
	docker = &syscmd.Tool{Name: "docker", Hint: dockerHint}

	lvcreate = &syscmd.Tool{Name: "lvcreate", Package: "lvm2", Hint: lvmHint}
	lvremove = &syscmd.Tool{Name: "lvremove", Package: "lvm2", Hint: lvmHint}

	mount  = &syscmd.Tool{Name: "mount", Package: "util-linux"}
	umount = &syscmd.Tool{Name: "umount", Package: "util-linux"}
)

func dockerHint(stderr string) string {
	s := strings.ToLower(stderr)
	switch {
	case strings.Contains(s, "cannot connect to the docker daemon"), strings.Contains(s, "is the docker daemon running"):
		return "is the Docker daemon running? (systemctl status docker)"
	case strings.Contains(s, "permission denied") && strings.Contains(s, "docker"):
		return "the agent may not use the Docker socket; it must run as root or in the docker group"
	case strings.Contains(s, "no such object"), strings.Contains(s, "no such container"):
		return "check the job's container names (docker ps -a lists them)"
	}
	return ""
}

func lvmHint(stderr string) string {
	s := strings.ToLower(stderr)
	switch {
	case strings.Contains(s, "insufficient free space"), strings.Contains(s, "insufficient suitable"), strings.Contains(s, "free extents"):
		return "the volume group has too little free space for the snapshot: lower the job's snapshot size or free space in the group (vgs shows it)"
	case strings.Contains(s, "not found"), strings.Contains(s, "failed to find"):
		return "check the job's volume group and volume (lvs lists them)"
	case strings.Contains(s, "permission denied"), strings.Contains(s, "must be root"):
		return "LVM snapshots need root: run the agent as root"
	}
	return ""
}
