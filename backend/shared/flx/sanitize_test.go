//go:build linux

package flx

import (
	"bytes"
	"crypto/sha256"
	"encoding/base64"
	"fmt"
	"io"
	"regexp"
	"strings"
	"testing"
)

// emailRule is the e-mail rule's expression, which emails must agree with.
var emailRule = func() *regexp.Regexp {
	for _, r := range lineRules {
		if r.rule == "e-mail address" {
			return r.re
		}
	}
	panic("no e-mail rule")
}()

var emailCases = []string{
	"",
	"no address here",
	"contact: alice@example.org",
	"a@b.cc",
	"two: a@b.cc, bob.smith+tag@mail.corp.example.co.uk; end",
	"user@host.com1",
	"u@host.com1@x.org",
	"x@y.z1@foo.com",
	"a@b@example.com",
	"a@b.cc@d.ee",
	"trailing dot a@b.com.",
	"double dot a@b..com",
	"dash label a@b-c.d-e.fgh-ij",
	"digits only tld a@b.123",
	"one letter tld a@b.c",
	"@example.com",
	"user@",
	"user@.com",
	"ünïcode@exämple.com and ok@plain.org",
	"%weird+local_part.-@x-y.io",
	"user@example.com is the placeholder",
	"xuser@example.com",
	"many @@@ signs a@@b.cc",
	"mixed CASE@Example.COM",
	"invalid utf8 \xff@a.bc and a\xff@x.yz",
}

// emails gives exactly what the e-mail rule's expression gives.
func TestEmailsMatchesTheRule(t *testing.T) {
	for _, line := range emailCases {
		if got, want := emails(line), emailRule.ReplaceAllString(line, ExampleEmail); got != want {
			t.Errorf("emails(%q) = %q; want %q (the expression's)", line, got, want)
		}
	}
}

func FuzzEmails(f *testing.F) {
	for _, line := range emailCases {
		f.Add(line)
	}
	f.Fuzz(func(t *testing.T, line string) {
		if got, want := emails(line), emailRule.ReplaceAllString(line, ExampleEmail); got != want {
			t.Errorf("emails(%q) = %q; want %q (the expression's)", line, got, want)
		}
	})
}

// checkPrefilter fails when the prefilter rules out a rule whose hint
// takes the line, or (on an ASCII line) leaves one whose hint does not.
func checkPrefilter(t *testing.T, line string) {
	t.Helper()
	may := prefilter([]byte(line))
	lower := strings.ToLower(line)
	for i, r := range lineRules {
		hinted := r.hint(line, lower)
		switch {
		case may == mayAll:
		case hinted && may&(1<<i) == 0:
			t.Errorf("prefilter(%q) rules out the %s rule; its hint takes the line", line, r.rule)
		case !hinted && may&(1<<i) != 0:
			t.Errorf("prefilter(%q) leaves the %s rule; its hint does not take the line", line, r.rule)
		}
	}
}

// The prefilter finds exactly the rules whose hints take a line.
func TestPrefilterAgreesWithTheHints(t *testing.T) {
	lines := []string{
		"password = x", "PASSWORD: y", "db_Pass=z", "api_KEY => 'k'", "Secret: s", "TOKEN=t", "md5_cred=abc", "MD5_CRED=abc",
		"root:$6$salt$hash:19000:0:99999:7:::", "mail me at a@b.cc", "fullname = Alice", "CallerID=\"Bob\" <100>",
		"cn: Carol", "display_Name: Dan", "\u212aey = kelvin sign", "plain setting = value", "setting_1 = value 2 ; a comment about it",
		"listen 80;", "[general]", "", "c", "pas", "toke",
	}
	for _, line := range lines {
		checkPrefilter(t, line)
	}
	for line, want := range map[string]int{"setting_1 = value 2 ; a comment about it": 0, "listen 80;": 0, "x = a@b.cc": mayEmail, "h\u00e9": mayAll} {
		if got := prefilter([]byte(line)); got != want {
			t.Errorf("prefilter(%q) = %b; want %b", line, got, want)
		}
	}
}

func FuzzPrefilter(f *testing.F) {
	f.Add("password = x")
	f.Add("a comment, user@example.com")
	f.Add("CallerID: cn")
	f.Fuzz(func(t *testing.T, line string) {
		if strings.Contains(line, "\n") {
			return
		}
		checkPrefilter(t, line)
	})
}

// oldReplace is how the rules were applied before replaceRule: the
// expression run again on each match, for its submatches and its
// replacement.
func oldReplace(re *regexp.Regexp, line, repl string, keep func([]string) bool) (string, int) {
	n := 0
	out := re.ReplaceAllStringFunc(line, func(match string) string {
		if keep != nil && keep(re.FindStringSubmatch(match)) {
			return match
		}
		n++
		return re.ReplaceAllString(match, repl)
	})
	return out, n
}

var ruleCases = []string{
	"password = hunter2", `"db_password": "s3cret", "api_key": 'k1'`, "Defaults:bob NOPASSWD: ALL", "bob ALL=(ALL) PASSWD: /bin/ls",
	"root:$6$salt$hash:19000:0:99999:7:::", "x=$2y$10$abcdefghijk, y=$1$a$b", "fullname = Alice Smith", `callerid="Bob" <100>`,
	"cn: Carol; display_name => 'Dan'", "token:abc token = def", "secret=", "PRIVATE_KEY=xyz ACCESS-KEY: q", "no rule here",
}

// replaceRule gives what the expression-per-match way gave, count included.
func TestReplaceRuleMatchesTheOldWay(t *testing.T) {
	for _, line := range ruleCases {
		for _, r := range lineRules[:3] {
			gotS, gotN := replaceRule(r.re, line, r.repl, r.keep)
			wantS, wantN := oldReplace(r.re, line, r.repl, r.keep)
			if gotS != wantS || gotN != wantN {
				t.Errorf("%s on %q: %q (%d); want %q (%d)", r.rule, line, gotS, gotN, wantS, wantN)
			}
		}
	}
}

func FuzzReplaceRule(f *testing.F) {
	for _, line := range ruleCases {
		f.Add(line)
	}
	f.Fuzz(func(t *testing.T, line string) {
		for _, r := range lineRules[:3] {
			gotS, gotN := replaceRule(r.re, line, r.repl, r.keep)
			wantS, wantN := oldReplace(r.re, line, r.repl, r.keep)
			if gotS != wantS || gotN != wantN {
				t.Errorf("%s on %q: %q (%d); want %q (%d)", r.rule, line, gotS, gotN, wantS, wantN)
			}
		}
	})
}

// A long line (past the reader's buffer) and a last line without a newline
// are sanitized like any other.
func TestSanitizeLongAndLastLines(t *testing.T) {
	long := strings.Repeat("x", 100<<10) + " password = hunter2 " + strings.Repeat("y", 100<<10) + "\n"
	in := "first a@b.cc\n" + long + "last: token=abc"
	var out bytes.Buffer
	s := &sanitizer{counts: map[string]int{}}
	if err := s.copy(&out, strings.NewReader(in)); err != nil {
		t.Fatal(err)
	}
	want := "first " + ExampleEmail + "\n" + strings.Replace(long, "hunter2", Redacted, 1) + "last: token=" + Redacted
	if out.String() != want {
		t.Errorf("sanitized text differs from the expected (%d bytes against %d)", out.Len(), len(want))
	}
	if got := s.counts; got["secret setting"] != 2 || got["e-mail address"] != 1 {
		t.Errorf("counts = %v; want 2 secret settings and 1 e-mail address", got)
	}
}

// benchText is config-like text with an e-mail address on every line (the
// placeholder itself, as benchflx writes it) and a few secrets.
func benchText() []byte {
	var b bytes.Buffer
	for j := 0; b.Len() < 4<<20; j++ {
		if j%50 == 0 {
			fmt.Fprintf(&b, "db_password = s3cret%d\n", j)
		}
		fmt.Fprintf(&b, "setting_%d = value %d ; a comment about it, user@example.com\n", j, j*7)
	}
	return b.Bytes()
}

func BenchmarkSanitize(b *testing.B) {
	text := benchText()
	b.SetBytes(int64(len(text)))
	for b.Loop() {
		s := &sanitizer{counts: map[string]int{}}
		if err := s.copy(io.Discard, bytes.NewReader(text)); err != nil {
			b.Fatal(err)
		}
	}
}

// BenchmarkShaBase64Text is the limit BenchmarkSanitize is compared with
// (benchreport): sha256 and base64 of the same text, nothing else.
func BenchmarkShaBase64Text(b *testing.B) {
	text := benchText()
	b.SetBytes(int64(len(text)))
	for b.Loop() {
		h := sha256.New()
		enc := base64.NewEncoder(base64.StdEncoding, io.Discard)
		io.Copy(io.MultiWriter(h, enc), bytes.NewReader(text))
		enc.Close()
	}
}
