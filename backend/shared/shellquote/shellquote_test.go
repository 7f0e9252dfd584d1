package shellquote

import (
	"encoding/json"
	"os/exec"
	"slices"
	"strings"
	"testing"

	"borgdesk/backend/shared/testenv"
)

// words are the strings a quoting bug would show on: quotes of both kinds,
// what a shell expands, separators, newlines, and nothing at all.
var words = []struct {
	name, in, want string
}{
	{"empty", "", `''`},
	{"plain", "borg", `'borg'`},
	{"space", "a b", `'a b'`},
	{"single quote", "it's", `'it'"'"'s'`},
	{"only a quote", "'", `''"'"''`},
	{"two quotes", "''", `''"'"''"'"''`},
	{"double quote", `say "hi"`, `'say "hi"'`},
	{"dollar and backtick", "$HOME `id` $(id)", "'$HOME `id` $(id)'"},
	{"backslash", `a\b\'`, `'a\b\'"'"''`},
	{"newline", "line one\nline two\n", "'line one\nline two\n'"},
	{"separators", "a; rm -rf / & b | c > d", `'a; rm -rf / & b | c > d'`},
	{"glob and tilde", "~/*.conf ?[ab]", `'~/*.conf ?[ab]'`},
	{"tab and hash", "\t# not a comment", "'\t# not a comment'"},
	{"dash", "-n", `'-n'`},
	{"unicode", "sauvegarde été ☃", `'sauvegarde été ☃'`},
}

func TestQuote(t *testing.T) {
	for _, tc := range words {
		t.Run(tc.name, func(t *testing.T) {
			if got := Quote(tc.in); got != tc.want {
				t.Errorf("Quote(%q) = %q; want %q", tc.in, got, tc.want)
			}
		})
	}
}

// TestShellRoundTrip hands each quoted word to a real sh: printf must print
// the word itself, once quoted and once quoted twice (sh -c inside sh -c,
// as the rollout's sudo does).
func TestShellRoundTrip(t *testing.T) {
	sh := testenv.NeedCommand(t, "sh")
	for _, tc := range words {
		t.Run(tc.name, func(t *testing.T) {
			out, err := exec.Command(sh, "-c", "printf %s "+Quote(tc.in)).Output()
			if err != nil {
				t.Fatalf("sh: %v", err)
			}
			if string(out) != tc.in {
				t.Errorf("sh printed %q; want %q", out, tc.in)
			}
			inner := `sh -c 'printf %s "$1"' sh ` + Quote(tc.in)
			out, err = exec.Command(sh, "-c", "sh -c "+Quote(inner)).Output()
			if err != nil {
				t.Fatalf("nested sh: %v", err)
			}
			if string(out) != tc.in {
				t.Errorf("nested sh printed %q; want %q", out, tc.in)
			}
		})
	}
}

// TestJoinSplitsBack: the shell splits a joined line into the same words,
// empty ones included.
func TestJoinSplitsBack(t *testing.T) {
	sh := testenv.NeedCommand(t, "sh")
	var in []string
	for _, tc := range words {
		in = append(in, tc.in)
	}
	out, err := exec.Command(sh, "-c", "set -- "+Join(in...)+`; for w in "$@"; do printf '%s\0' "$w"; done`).Output()
	if err != nil {
		t.Fatalf("sh: %v", err)
	}
	got := strings.Split(strings.TrimSuffix(string(out), "\x00"), "\x00")
	if !slices.Equal(got, in) {
		t.Errorf("sh split %q; want %q", got, in)
	}
	if Join() != "" {
		t.Errorf("Join() = %q; want empty", Join())
	}
}

// TestShlexRoundTrip: borg splits BORG_RSH with Python's shlex.split, which
// must give back the same words.
func TestShlexRoundTrip(t *testing.T) {
	py := testenv.NeedCommand(t, "python3")
	var in []string
	for _, tc := range words {
		in = append(in, tc.in)
	}
	out, err := exec.Command(py, "-c", "import json, shlex, sys; print(json.dumps(shlex.split(sys.argv[1])))", Join(in...)).Output()
	if err != nil {
		t.Fatalf("python3: %v", err)
	}
	var got []string
	if err := json.Unmarshal(out, &got); err != nil {
		t.Fatalf("python3 printed %q: %v", out, err)
	}
	if !slices.Equal(got, in) {
		t.Errorf("shlex.split gave %q; want %q", got, in)
	}
}
