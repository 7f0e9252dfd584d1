package tail

import (
	"fmt"
	"os/exec"
	"regexp"
	"slices"
	"strings"
	"sync"
	"testing"

	"borgdesk/backend/shared/testenv"
)

func TestWriter(t *testing.T) {
	tests := []struct {
		name   string
		max    int
		writes []string
		want   string
	}{
		{"nothing", 8, nil, ""},
		{"fits", 8, []string{"abc"}, "abc"},
		{"exactly max", 3, []string{"abc"}, "abc"},
		{"blanks trimmed", 16, []string{"  \n abc \n\n"}, "abc"},
		{"one big write", 4, []string{"abcdefgh"}, Cut + "efgh"},
		{"many small writes", 4, []string{"ab", "cd", "ef", "g"}, Cut + "defg"},
		{"a write of max after others", 3, []string{"a", "xyz"}, Cut + "xyz"},
		{"keeps the end across writes", 5, []string{"line 1\n", "line 2\n"}, Cut + "ne 2"},
		{"no half character", 4, []string{"été☃"}, Cut + "☃"},
		{"whole characters kept", 5, []string{"été☃"}, Cut + "é☃"},
		{"only blanks kept", 2, []string{"abc", "\n\n"}, ""},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			w := New(tc.max)
			for _, s := range tc.writes {
				if n, err := w.Write([]byte(s)); n != len(s) || err != nil {
					t.Fatalf("Write(%q) = %d, %v; want %d, nil", s, n, err, len(s))
				}
			}
			if got := w.String(); got != tc.want {
				t.Errorf("String() = %q; want %q", got, tc.want)
			}
			if got := Of([]byte(strings.Join(tc.writes, "")), tc.max); got != tc.want {
				t.Errorf("Of = %q; want %q", got, tc.want)
			}
		})
	}
}

func TestLines(t *testing.T) {
	w := New(1 << 10)
	fmt.Fprint(w, "first\n\n  second  \nthird\n\n")
	if got, want := w.Lines(2), []string{"second", "third"}; !slices.Equal(got, want) {
		t.Errorf("Lines(2) = %q; want %q", got, want)
	}
	if got, want := w.Lines(10), []string{"first", "second", "third"}; !slices.Equal(got, want) {
		t.Errorf("Lines(10) = %q; want %q", got, want)
	}
	if got := New(8).Lines(3); len(got) != 0 {
		t.Errorf("Lines of nothing = %q; want none", got)
	}
}

// TestBoundedMemory: a command that floods its stderr costs the Writer its
// max, never what was written.
func TestBoundedMemory(t *testing.T) {
	sh := testenv.NeedCommand(t, "sh")
	w := New(1000)
	cmd := exec.Command(sh, "-c", `i=0; while [ $i -lt 20000 ]; do echo "noise line $i" >&2; i=$((i+1)); done; echo "the reason it failed" >&2; exit 3`)
	cmd.Stderr = w
	if err := cmd.Run(); err == nil {
		t.Fatal("the command succeeded; want exit 3")
	}
	if c := cap(w.buf); c > 1000 {
		t.Errorf("the buffer grew to %d bytes; want at most 1000", c)
	}
	got := w.Lines(2)
	if want := []string{"noise line 19999", "the reason it failed"}; !slices.Equal(got, want) {
		t.Errorf("Lines(2) = %q; want %q", got, want)
	}
	if s := w.String(); !strings.HasPrefix(s, Cut) || len(s) > 1000+len(Cut) {
		t.Errorf("String() is %d bytes starting %q; want at most 1000 after %q", len(s), s[:min(len(s), 20)], Cut)
	}
}

var whole = regexp.MustCompile(`^g\d-\d{4}$`)

// TestConcurrentWrites: stdout and stderr copied into one Writer by two
// goroutines lose no line of the tail and never break its bound.
func TestConcurrentWrites(t *testing.T) {
	w := New(64)
	var wg sync.WaitGroup
	for g := range 4 {
		wg.Go(func() {
			for i := range 1000 {
				fmt.Fprintf(w, "g%d-%04d\n", g, i)
			}
		})
	}
	wg.Wait()
	lines := w.Lines(100)
	if len(lines) < 64/8-1 {
		t.Fatalf("kept %d lines; want about %d", len(lines), 64/8)
	}
	for _, l := range lines[1:] { // the first may be cut
		if !whole.MatchString(l) {
			t.Errorf("line %q is torn", l)
		}
	}
	if c := cap(w.buf); c > 64 {
		t.Errorf("the buffer grew to %d bytes; want at most 64", c)
	}
}
