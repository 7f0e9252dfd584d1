package flx

import (
	"bufio"
	"bytes"
	"io"
	"path"
	"regexp"
	"strings"
)

// Placeholders written in place of what sanitizing removes.
const (
	Redacted          = "REDACTED"
	HashedPlaceholder = "HASHED_PLACEHOLDER"
	ExampleEmail      = "user@example.com"
	GenericName       = "User Name"
)

// excludeRules keep files out of every snapshot: they are noise (caches,
// logs, temp files), personal data (recordings, call records) or live
// credentials (sessions, push subscriptions).
var excludeRules = []struct {
	rule  string
	match func(rel, base string) bool
}{
	{"excluded: log", func(rel, base string) bool {
		return strings.HasSuffix(base, ".log") || hasDir(rel, "log", "logs") || strings.Contains(base, ".log.")
	}},
	{"excluded: cache", func(rel, base string) bool { return hasDir(rel, "cache", ".cache") }},
	{"excluded: temporary file", func(rel, base string) bool {
		return hasDir(rel, "tmp", "temp") || strings.HasSuffix(base, ".tmp") || strings.HasSuffix(base, ".swp") || strings.HasSuffix(base, "~")
	}},
	{"excluded: recording", func(rel, base string) bool {
		return hasDir(rel, "recordings", "monitor", "voicemail") || hasExt(base, ".wav", ".gsm", ".mp3", ".ogg", ".ulaw", ".alaw", ".g722")
	}},
	{"excluded: call records", func(rel, base string) bool {
		return hasDir(rel, "cdr-csv", "cdr-custom", "cdr") || base == "Master.csv" || strings.HasPrefix(base, "cdr")
	}},
	{"excluded: session", func(rel, base string) bool {
		return hasDir(rel, "sessions", "session") || strings.HasPrefix(base, "sess_")
	}},
	{"excluded: push subscription", func(rel, base string) bool {
		b := strings.ToLower(base)
		return strings.Contains(b, "push") && strings.Contains(b, "subscri")
	}},
}

func hasDir(rel string, names ...string) bool {
	parts := strings.Split(path.Dir(rel), "/")
	for _, p := range parts {
		for _, n := range names {
			if p == n {
				return true
			}
		}
	}
	return false
}

func hasExt(base string, exts ...string) bool {
	b := strings.ToLower(base)
	for _, e := range exts {
		if strings.HasSuffix(b, e) {
			return true
		}
	}
	return false
}

// Excluded says which rule keeps a file out of snapshots ("" if none).
func Excluded(rel string) string {
	base := path.Base(rel)
	for _, r := range excludeRules {
		if r.match(rel, base) {
			return r.rule
		}
	}
	return ""
}

var lineRules = []struct {
	rule string
	// hint is a cheap test a line must pass before the regexp runs.
	hint func(line, lower string) bool
	re   *regexp.Regexp
	repl string
	// keep, when set, spares a match (its submatches) that only looks
	// like a secret.
	keep func(sub []string) bool
}{
	{"password hash", func(l, _ string) bool { return strings.Contains(l, "$") }, regexp.MustCompile(`\$(?:2[abxy]|5|6|y|argon2(?:id|i|d)|apr1|1)\$[^\s:"',;]+`), HashedPlaceholder, nil},
	{"secret setting", func(_, lo string) bool {
		return strings.Contains(lo, "pass") || strings.Contains(lo, "secret") || strings.Contains(lo, "token") || strings.Contains(lo, "key") || strings.Contains(lo, "md5_cred")
	}, regexp.MustCompile(`(?i)(["']?)([A-Za-z0-9_.\-]*(?:password|passwd|secret|token|api[_\-]?key|apikey|auth[_\-]?key|md5_cred|private[_\-]?key|access[_\-]?key)[A-Za-z0-9_.\-]*)(["']?[ \t]*(?:=>|=|:)[ \t]*)(["']?)([^"'\s,;]+)`), "${1}${2}${3}${4}" + Redacted,
		// sudoers' NOPASSWD: and PASSWD: tags name commands, not secrets.
		func(sub []string) bool {
			return strings.EqualFold(sub[2], "NOPASSWD") || strings.EqualFold(sub[2], "PASSWD")
		}},
	{"real name", func(_, lo string) bool {
		return strings.Contains(lo, "name") || strings.Contains(lo, "callerid") || strings.Contains(lo, "cn")
	}, regexp.MustCompile(`(?i)(["']?(?:full_?name|display_?name|real_?name|first_?name|last_?name|callerid|cn)["']?[ \t]*(?:=>|=|:)[ \t]*)(["']?)([^"'\n,;<>]*[^"'\n,;<> \t])`), "${1}${2}" + GenericName, nil},
	{"e-mail address", func(l, _ string) bool { return strings.Contains(l, "@") }, regexp.MustCompile(`[A-Za-z0-9._%+\-]+@[A-Za-z0-9\-]+(?:\.[A-Za-z0-9\-]+)*\.[A-Za-z]{2,}`), ExampleEmail, nil},
}

var (
	keyBegin = regexp.MustCompile(`-----BEGIN [A-Z0-9 ]*PRIVATE KEY( BLOCK)?-----`)
	keyEnd   = regexp.MustCompile(`-----END [A-Z0-9 ]*PRIVATE KEY( BLOCK)?-----`)
)

// sanitizer rewrites a text file line by line, counting what it redacts.
// Binary files (a NUL in the first 8 KiB) pass unchanged.
type sanitizer struct {
	counts map[string]int
}

func (s *sanitizer) copy(dst io.Writer, src io.Reader) error {
	br := bufio.NewReaderSize(src, 64<<10)
	head, _ := br.Peek(8 << 10)
	if bytes.IndexByte(head, 0) >= 0 {
		_, err := io.Copy(dst, br)
		return err
	}
	inKey := false
	for {
		line, err := br.ReadString('\n')
		if len(line) > 0 {
			out := line
			switch {
			case inKey:
				if keyEnd.MatchString(line) {
					inKey = false
					out = "-----END PRIVATE KEY-----\n"
				} else {
					out = ""
				}
			case keyBegin.MatchString(line):
				s.counts["private key"]++
				if keyEnd.MatchString(line) {
					out = "-----BEGIN PRIVATE KEY-----\n" + Redacted + "\n-----END PRIVATE KEY-----\n"
				} else {
					inKey = true
					out = "-----BEGIN PRIVATE KEY-----\n" + Redacted + "\n"
				}
			default:
				lower := strings.ToLower(out)
				for _, r := range lineRules {
					if !r.hint(out, lower) {
						continue
					}
					n := 0
					replaced := r.re.ReplaceAllStringFunc(out, func(match string) string {
						if r.keep != nil && r.keep(r.re.FindStringSubmatch(match)) {
							return match
						}
						n++
						return r.re.ReplaceAllString(match, r.repl)
					})
					if replaced == out {
						continue
					}
					if r.rule == "e-mail address" { // the placeholder itself matches
						n = strings.Count(replaced, ExampleEmail) - strings.Count(out, ExampleEmail)
					}
					if n > 0 {
						s.counts[r.rule] += n
						out = replaced
						lower = strings.ToLower(out)
					}
				}
			}
			if _, werr := io.WriteString(dst, out); werr != nil {
				return werr
			}
		}
		if err == io.EOF {
			return nil
		}
		if err != nil {
			return err
		}
	}
}
