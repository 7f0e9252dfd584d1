package flx

import (
	"bytes"
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

// The prefilter lets through every line a rule's hint accepts: a line it
// stops is one no rule would have changed.
func TestPrefilterKeepsEveryHintedLine(t *testing.T) {
	lines := []string{
		"password = x", "PASSWORD: y", "db_Pass=z", "api_KEY => 'k'", "Secret: s", "TOKEN=t", "md5_cred=abc",
		"root:$6$salt$hash:19000:0:99999:7:::", "mail me at a@b.cc", "fullname = Alice", "CallerID=\"Bob\" <100>",
		"cn: Carol", "display_Name: Dan", "\u212aey = kelvin sign", "plain setting = value",
	}
	for _, line := range lines {
		lower := strings.ToLower(line)
		hinted := false
		for _, r := range lineRules {
			hinted = hinted || r.hint(line, lower)
		}
		if hinted && !mayMatch([]byte(line)) {
			t.Errorf("mayMatch(%q) = false; a rule's hint takes it", line)
		}
	}
	for _, line := range []string{"setting_1 = value 2 ; a comment about it", "listen 80;", "[general]"} {
		if mayMatch([]byte(line)) {
			t.Errorf("mayMatch(%q) = true; want the line to skip the rules", line)
		}
	}
}

func FuzzPrefilter(f *testing.F) {
	f.Add("password = x")
	f.Add("a comment, user@example.com")
	f.Fuzz(func(t *testing.T, line string) {
		lower := strings.ToLower(line)
		for _, r := range lineRules {
			if r.hint(line, lower) && !mayMatch([]byte(line)) {
				t.Fatalf("mayMatch(%q) = false; the %s rule's hint takes it", line, r.rule)
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
