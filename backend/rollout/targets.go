package rollout

import (
	"encoding/csv"
	"fmt"
	"net"
	"strconv"
	"strings"
)

// ParseTargets reads one host per line: "host", "host:port", "user@host",
// "user@host:port", or CSV "host,port,user" (a header line naming host is
// skipped; blank lines and # comments too). defaultUser fills a missing user.
func ParseTargets(text, defaultUser string) ([]Target, error) {
	var out []Target
	seen := map[string]int{}
	for n, line := range strings.Split(text, "\n") {
		line = strings.TrimSpace(line)
		if line == "" || strings.HasPrefix(line, "#") {
			continue
		}
		t, err := parseLine(line, defaultUser)
		if err != nil {
			return nil, fmt.Errorf("line %d (%q): %w", n+1, line, err)
		}
		if t.Host == "" { // a CSV header
			continue
		}
		key := net.JoinHostPort(t.Host, strconv.Itoa(t.Port))
		if prev, dup := seen[key]; dup {
			return nil, fmt.Errorf("line %d: %s is already on line %d", n+1, key, prev)
		}
		seen[key] = n + 1
		out = append(out, t)
	}
	if len(out) == 0 {
		return nil, fmt.Errorf("no hosts given: one per line, as host, host:port, user@host or host,port,user")
	}
	return out, nil
}

func parseLine(line, defaultUser string) (Target, error) {
	t := Target{Port: 22, User: defaultUser}
	if strings.Contains(line, ",") {
		r := csv.NewReader(strings.NewReader(line))
		r.TrimLeadingSpace = true
		f, err := r.Read()
		if err != nil {
			return t, err
		}
		if strings.EqualFold(strings.TrimSpace(f[0]), "host") {
			return Target{}, nil
		}
		t.Host = strings.TrimSpace(f[0])
		if len(f) > 1 && strings.TrimSpace(f[1]) != "" {
			p, err := strconv.Atoi(strings.TrimSpace(f[1]))
			if err != nil || p < 1 || p > 65535 {
				return t, fmt.Errorf("port %q is not a number from 1 to 65535", f[1])
			}
			t.Port = p
		}
		if len(f) > 2 && strings.TrimSpace(f[2]) != "" {
			t.User = strings.TrimSpace(f[2])
		}
		if len(f) > 3 && strings.TrimSpace(f[3]) != "" {
			t.Name = strings.TrimSpace(f[3])
		}
	} else {
		if u, h, ok := strings.Cut(line, "@"); ok {
			t.User, line = u, h
		}
		if h, p, err := net.SplitHostPort(line); err == nil {
			port, err := strconv.Atoi(p)
			if err != nil || port < 1 || port > 65535 {
				return t, fmt.Errorf("port %q is not a number from 1 to 65535", p)
			}
			t.Host, t.Port = h, port
		} else {
			t.Host = strings.Trim(line, "[]")
		}
	}
	if strings.ContainsAny(t.Host, " \t/") {
		return t, fmt.Errorf("%q is not a host name or address", t.Host)
	}
	if t.User == "" {
		return t, fmt.Errorf("no user: give user@host or a default user")
	}
	return t, nil
}
