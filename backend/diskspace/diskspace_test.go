package diskspace

import (
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
)

// The figures agree with df(1) (coreutils), an independent reader of the
// same statfs: the size exactly, the available room within what another
// process may have written between the two calls.
func TestOfAgreesWithDf(t *testing.T) {
	dir := t.TempDir()
	u, err := Of(dir)
	if err != nil {
		t.Fatal(err)
	}
	out, err := exec.Command("df", "--block-size=1", "--output=size,avail", dir).Output()
	if err != nil {
		t.Fatalf("df: %v", err)
	}
	f := strings.Fields(strings.Split(strings.TrimSpace(string(out)), "\n")[1])
	size, _ := strconv.ParseUint(f[0], 10, 64)
	avail, _ := strconv.ParseUint(f[1], 10, 64)
	if u.Total != size {
		t.Errorf("Total = %d; df says %d", u.Total, size)
	}
	if diff := int64(u.Avail) - int64(avail); diff < -64<<20 || diff > 64<<20 {
		t.Errorf("Avail = %d; df says %d", u.Avail, avail)
	}
	if u.Used > u.Total || u.Avail > u.Total {
		t.Errorf("Used %d, Avail %d: more than Total %d", u.Used, u.Avail, u.Total)
	}
}

func TestOfMissingPath(t *testing.T) {
	_, err := Of(filepath.Join(t.TempDir(), "missing"))
	if err == nil || !strings.Contains(err.Error(), "missing") {
		t.Fatalf("got %v; want an error naming the path", err)
	}
}
