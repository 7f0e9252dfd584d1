// Package diagnostics writes the report "Copy diagnostics" (the window's
// About section) puts on the clipboard for a bug report: the versions, the
// settings, the last errors and the environment, as plain text.
//
// It must never put a secret in the report: secret settings come from the
// settings room already reduced to "<key>_set", and every value is passed
// through Redact, which also drops passwords and query strings from URLs.
// It reads only; it writes nothing and starts nothing but `borg --version`.
package diagnostics

import (
	"context"
	"fmt"
	"net/url"
	"os"
	"runtime"
	"slices"
	"strings"
	"time"

	"borgdesk/backend/events"
	"borgdesk/backend/store"
)

// Paths are what only the shell knows: where this process listens and
// logs, and the environment it was started with.
type Paths struct {
	Socket  string
	LogFile string
	// Getenv reads the environment (XDG_*, BORGDESK_*); os.Getenv when nil.
	Getenv func(string) string
}

// Sources are where the report's parts come from; the service fills them.
type Sources struct {
	Version string
	DataDir string
	// Settings returns every setting, secrets already hidden.
	Settings func(context.Context) (map[string]string, error)
	// Borg returns `borg --version`; nil when borg is not set up.
	Borg    func(context.Context) (string, error)
	History events.History
	Now     func() time.Time
	Paths   Paths
}

// LastErrors is how many error events the report carries.
const LastErrors = 20

// envVars are the variables the report names (never their neighbours).
var envVars = []string{"XDG_DATA_HOME", "XDG_STATE_HOME", "XDG_CONFIG_HOME", "XDG_RUNTIME_DIR", "XDG_CURRENT_DESKTOP", "XDG_SESSION_TYPE",
	"BORGDESK_DATA", "BORGDESK_SOCKET", "BORGDESK_LISTEN", "BORGDESK_SSH_LISTEN", "BORGDESK_GATEWAY_URL", "BORGDESK_AGENT_DIR", "WAYLAND_DISPLAY", "DISPLAY", "LANG"}

// Gather writes the report. A part that cannot be read says why in its
// place; the report is still made.
func Gather(ctx context.Context, src Sources) string {
	getenv := src.Paths.Getenv
	if getenv == nil {
		getenv = os.Getenv
	}
	now := time.Now
	if src.Now != nil {
		now = src.Now
	}
	var b strings.Builder
	line := func(k, v string) { b.WriteString(strings.TrimRight(fmt.Sprintf("  %-22s %s", k, v), " ") + "\n") }
	fmt.Fprintf(&b, "Borgdesk diagnostics, %s\n\n", now().UTC().Format(time.RFC3339))

	b.WriteString("Versions\n")
	line("borgdesk", src.Version)
	line("borg", borgVersion(ctx, src.Borg))
	line("go", runtime.Version())
	line("os", osRelease())
	line("kernel", readTrim("/proc/sys/kernel/osrelease"))

	b.WriteString("\nEnvironment\n")
	line("os/arch", runtime.GOOS+"/"+runtime.GOARCH)
	line("data dir", src.DataDir)
	line("admin socket", orNone(src.Paths.Socket))
	line("log file", orNone(src.Paths.LogFile))
	for _, k := range envVars {
		if v := getenv(k); v != "" {
			line(k, Redact(v))
		}
	}

	b.WriteString("\nSettings (secrets are never shown)\n")
	if src.Settings == nil {
		line("-", "not available")
	} else if all, err := src.Settings(ctx); err != nil {
		line("-", "cannot read the settings: "+err.Error())
	} else {
		keys := make([]string, 0, len(all))
		for k := range all {
			keys = append(keys, k)
		}
		slices.Sort(keys)
		for _, k := range keys {
			line(k, Redact(all[k]))
		}
	}

	fmt.Fprintf(&b, "\nLast errors (newest first, at most %d)\n", LastErrors)
	if src.History.Store == nil {
		line("-", "not available")
	} else if p, err := src.History.Query(ctx, events.Query{Severity: events.Error, Limit: LastErrors}); err != nil {
		line("-", "cannot read the event log: "+err.Error())
	} else if len(p.Events) == 0 {
		b.WriteString("  none\n")
	} else {
		for _, ev := range p.Events {
			fmt.Fprintf(&b, "  %s  %-14s %s\n", ev.At.UTC().Format(time.RFC3339), ev.Kind, oneLine(ev))
		}
	}
	return b.String()
}

func oneLine(ev store.Event) string {
	return strings.ReplaceAll(Redact(ev.Message), "\n", " ⏎ ")
}

func borgVersion(ctx context.Context, f func(context.Context) (string, error)) string {
	if f == nil {
		return "not set up"
	}
	ctx, cancel := context.WithTimeout(ctx, 10*time.Second)
	defer cancel()
	v, err := f(ctx)
	if err != nil {
		return "cannot run borg: " + err.Error()
	}
	return v
}

// osRelease is PRETTY_NAME of /etc/os-release, else the OS's name.
func osRelease() string {
	raw, err := os.ReadFile("/etc/os-release")
	if err != nil {
		return runtime.GOOS
	}
	for _, l := range strings.Split(string(raw), "\n") {
		if v, ok := strings.CutPrefix(l, "PRETTY_NAME="); ok {
			return strings.Trim(v, `"'`)
		}
	}
	return runtime.GOOS
}

func readTrim(path string) string {
	raw, err := os.ReadFile(path)
	if err != nil {
		return "unknown"
	}
	return strings.TrimSpace(string(raw))
}

func orNone(s string) string {
	if s == "" {
		return "none"
	}
	return s
}

// Redact hides what may be a credential inside a value: a URL's password
// and its query string's values (webhook tokens travel there).
func Redact(v string) string {
	fields := strings.Fields(v)
	changed := false
	for i, f := range fields {
		u, err := url.Parse(f)
		if err != nil || u.Scheme == "" || u.Host == "" {
			continue
		}
		if _, has := u.User.Password(); has {
			u.User = url.UserPassword(u.User.Username(), "REDACTED")
			changed = true
		}
		if u.RawQuery != "" {
			q := u.Query()
			for k := range q {
				q.Set(k, "REDACTED")
			}
			u.RawQuery = q.Encode()
			changed = true
		}
		fields[i] = u.String()
	}
	if !changed {
		return v
	}
	return strings.Join(fields, " ")
}
