package agentdist

import (
	"regexp"
	"strconv"
)

// releaseVersion is what `git describe --tags` prints for a build: a tag
// vMAJOR.MINOR.PATCH, then for a build past it "-COMMITS-gHASH", then
// "-dirty" for uncommitted changes.
var releaseVersion = regexp.MustCompile(`^v?(\d+)\.(\d+)\.(\d+)(?:-(\d+)-g[0-9a-f]+)?(?:-dirty)?$`)

// parseVersion returns a version's (major, minor, patch, commits past the
// tag), or false for a version that orders with nothing ("dev", a bare
// commit hash).
func parseVersion(v string) ([4]int, bool) {
	m := releaseVersion.FindStringSubmatch(v)
	if m == nil {
		return [4]int{}, false
	}
	var out [4]int
	for i := range out {
		if m[i+1] != "" {
			n, err := strconv.Atoi(m[i+1])
			if err != nil {
				return [4]int{}, false
			}
			out[i] = n
		}
	}
	return out, true
}

// Newer reports whether candidate is a later release than current. Two
// builds are ordered only when both carry a release version: an agent is
// never moved to a build whose place in history is unknown.
func Newer(candidate, current string) bool {
	c, ok1 := parseVersion(candidate)
	k, ok2 := parseVersion(current)
	if !ok1 || !ok2 {
		return false
	}
	for i := range c {
		if c[i] != k[i] {
			return c[i] > k[i]
		}
	}
	return false
}
