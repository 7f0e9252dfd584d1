package flxcli

import (
	"strings"
	"testing"
)

func TestParseSize(t *testing.T) {
	cases := map[string]int64{"4096": 4096, "64K": 64 << 10, "64G": 64 << 30, "2GiB": 2 << 30, "1t": 1 << 40}
	for in, want := range cases {
		if got, err := parseSize(in); err != nil || got != want {
			t.Errorf("parseSize(%q) = %d, %v; want %d", in, got, err, want)
		}
	}
	for _, bad := range []string{"", "-1", "0", "12X", "G"} {
		if _, err := parseSize(bad); err == nil {
			t.Errorf("parseSize(%q) succeeded", bad)
		}
	}
}

// The caps reach the reader: a snapshot larger than --max-size is refused
// with the sentence that names the flag.
func TestMaxSizeFlag(t *testing.T) {
	var out, errb strings.Builder
	code := Run([]string{"verify", "--max-size", "16", "../testdata/flexpbx-1.2.0.flx"}, Env{Stdout: &out, Stderr: &errb})
	if code != 1 || !strings.Contains(errb.String(), "--max-size") {
		t.Errorf("code %d, stderr %q; want 1 and the cap's sentence", code, errb.String())
	}
}
