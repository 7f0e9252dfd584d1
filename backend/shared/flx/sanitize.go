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
//
// It is one pass over each line: a cheap scan (prefilter) says which
// rules could match it, and only those run; a line no rule can match is
// copied as it is. The e-mail rule, the one that matches most lines of
// real configuration, is a hand-written scanner (emails) that gives what
// its regular expression gives (a fuzz target holds them together).
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
	// Lines go out in 64 KiB writes, not one write per line into the
	// encoder, the hash and the counter.
	bw := bufio.NewWriterSize(dst, 64<<10)
	inKey := false
	var long []byte
	for {
		line, err := br.ReadSlice('\n')
		if err == bufio.ErrBufferFull { // a line longer than the buffer
			long = append(long[:0], line...)
			for err == bufio.ErrBufferFull {
				line, err = br.ReadSlice('\n')
				long = append(long, line...)
			}
			line = long
		}
		if len(line) > 0 {
			var out string
			switch {
			case inKey:
				if bytes.Contains(line, keyMarker) && keyEnd.Match(line) {
					inKey = false
					out = "-----END PRIVATE KEY-----\n"
				}
			case bytes.Contains(line, keyMarker) && keyBegin.Match(line):
				s.counts["private key"]++
				if keyEnd.Match(line) {
					out = "-----BEGIN PRIVATE KEY-----\n" + Redacted + "\n-----END PRIVATE KEY-----\n"
				} else {
					inKey = true
					out = "-----BEGIN PRIVATE KEY-----\n" + Redacted + "\n"
				}
			default:
				if may := prefilter(line); may != 0 {
					out = s.line(string(line), may)
				} else if _, werr := bw.Write(line); werr != nil {
					return werr
				}
			}
			if _, werr := bw.WriteString(out); werr != nil {
				return werr
			}
		}
		if err == io.EOF {
			return bw.Flush()
		}
		if err != nil {
			return err
		}
	}
}

// keyMarker is in every line keyBegin or keyEnd matches.
var keyMarker = []byte("PRIVATE KEY")

// Rules a line may match, as the prefilter finds them (a bit per
// lineRules entry).
const (
	mayHash = 1 << iota
	maySecret
	mayName
	mayEmail
	// mayAll is every rule, left to the rules' own hints: a line with a
	// byte outside ASCII, whose case folding the scan does not know.
	mayAll = mayHash | maySecret | mayName | mayEmail | 1<<7
)

// prefilter says, in one scan of the line, which rules could match it: a
// rule's hint looks for '$', '@' or the words of secret and name settings
// in any case, and the scan finds exactly those (on ASCII lines; others
// get mayAll). A rule the scan rules out cannot match.
func prefilter(line []byte) int {
	m := 0
	for i, c := range line {
		k := scanTable[c]
		if k == 0 {
			continue
		}
		switch {
		case k == scanDollar:
			m |= mayHash
		case k == scanAt:
			m |= mayEmail
		case k == scanHigh:
			return mayAll
		default:
			for _, w := range hintWords[k-scanWords] {
				if hasFold(line[i:], w.word) {
					m |= w.rule
				}
			}
		}
	}
	return m
}

// The scan's table: what each byte may start.
const (
	scanDollar = 1 + iota
	scanAt
	scanHigh
	scanWords // scanWords+i: a word of hintWords[i] starts with this letter
)

// hintWords are the words the secret and name rules' hints look for,
// grouped by their first letter.
var hintWords = [][]struct {
	word string
	rule int
}{
	{{"pass", maySecret}}, {{"secret", maySecret}}, {{"token", maySecret}}, {{"key", maySecret}}, {{"md5_cred", maySecret}},
	{{"name", mayName}}, {{"callerid", mayName}, {"cn", mayName}},
}

var scanTable = func() (t [256]byte) {
	t['$'], t['@'] = scanDollar, scanAt
	for c := 0x80; c < 0x100; c++ {
		t[c] = scanHigh
	}
	for i, ws := range hintWords {
		c := ws[0].word[0]
		t[c], t[c-'a'+'A'] = byte(scanWords+i), byte(scanWords+i)
	}
	return t
}()

// hasFold says whether b starts with the lower-case ASCII word w, in any
// case.
func hasFold(b []byte, w string) bool {
	if len(b) < len(w) {
		return false
	}
	for i := 0; i < len(w); i++ {
		c := b[i]
		if c >= 'A' && c <= 'Z' {
			c |= 0x20
		}
		if c != w[i] {
			return false
		}
	}
	return true
}

// line applies the rules the prefilter left (may); with mayAll, those
// whose hints the line passes.
func (s *sanitizer) line(out string, may int) string {
	lower := ""
	if may == mayAll {
		lower = strings.ToLower(out)
	}
	for i, r := range lineRules {
		if may != mayAll && may&(1<<i) == 0 || may == mayAll && !r.hint(out, lower) {
			continue
		}
		n := 0
		var replaced string
		if r.rule == "e-mail address" {
			replaced = emails(out)
		} else {
			replaced, n = replaceRule(r.re, out, r.repl, r.keep)
		}
		if replaced == out {
			continue
		}
		if r.rule == "e-mail address" { // the placeholder itself matches
			n = strings.Count(replaced, ExampleEmail) - strings.Count(out, ExampleEmail)
		}
		if n > 0 {
			s.counts[r.rule] += n
			out = replaced
			if may == mayAll {
				lower = strings.ToLower(out)
			}
		}
	}
	return out
}

// replaceRule replaces each match of re in line with the template repl
// (its submatches expanded), except those keep spares, and counts the
// replaced ones: one pass of the expression over the line.
func replaceRule(re *regexp.Regexp, line, repl string, keep func([]string) bool) (string, int) {
	all := re.FindAllStringSubmatchIndex(line, -1)
	if all == nil {
		return line, 0
	}
	var out []byte
	last, n := 0, 0
	for _, loc := range all {
		if keep != nil {
			sub := make([]string, len(loc)/2)
			for i := range sub {
				if loc[2*i] >= 0 {
					sub[i] = line[loc[2*i]:loc[2*i+1]]
				}
			}
			if keep(sub) {
				continue
			}
		}
		out = append(out, line[last:loc[0]]...)
		out = re.ExpandString(out, repl, line, loc)
		last = loc[1]
		n++
	}
	if n == 0 {
		return line, 0
	}
	return string(append(out, line[last:]...)), n
}

// emails replaces every e-mail address in line with ExampleEmail, as the
// e-mail rule's expression
// [A-Za-z0-9._%+\-]+@[A-Za-z0-9\-]+(?:\.[A-Za-z0-9\-]+)*\.[A-Za-z]{2,}
// does (leftmost first, greedy), without running it: for each '@', the
// local part is the run of local characters before it (after the last
// match), the domain ends after the letters that start its last label
// with two or more of them.
func emails(line string) string {
	var b strings.Builder
	last, from, written := 0, 0, 0
	for {
		i := strings.IndexByte(line[from:], '@')
		if i < 0 {
			break
		}
		at := from + i
		start := at
		for start > last && isLocal(line[start-1]) {
			start--
		}
		end := domainEnd(line, at)
		if start == at || end < 0 {
			from = at + 1
			continue
		}
		if line[start:end] != ExampleEmail { // the placeholder stays as it is
			if b.Len() == 0 {
				b.Grow(len(line))
			}
			b.WriteString(line[written:start])
			b.WriteString(ExampleEmail)
			written = end
		}
		last, from = end, end
	}
	if written == 0 {
		return line
	}
	b.WriteString(line[written:])
	return b.String()
}

// domainEnd is where the domain after the '@' at at ends, or -1: labels
// of [A-Za-z0-9-] joined by dots, at least two, the last one cut after
// its leading letters (two or more); the last label that has them wins.
func domainEnd(s string, at int) int {
	best := -1
	i := at + 1
	for n := 0; ; n++ {
		j := i
		for j < len(s) && isLabel(s[j]) {
			j++
		}
		if j == i {
			return best
		}
		if n > 0 {
			k := i
			for k < j && isAlpha(s[k]) {
				k++
			}
			if k-i >= 2 {
				best = k
			}
		}
		if j >= len(s) || s[j] != '.' {
			return best
		}
		i = j + 1
	}
}

func isAlpha(c byte) bool { return c|0x20 >= 'a' && c|0x20 <= 'z' }
func isLabel(c byte) bool { return isAlpha(c) || c >= '0' && c <= '9' || c == '-' }
func isLocal(c byte) bool {
	return isLabel(c) || c == '.' || c == '_' || c == '%' || c == '+'
}
