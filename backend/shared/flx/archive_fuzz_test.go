//go:build linux

package flx

import (
	"os"
	"path/filepath"
	"testing"
)

// FuzzWalkFile feeds any bytes to the container detection and the
// archive readers under small caps: they must fail with an error, never
// panic or run away.
func FuzzWalkFile(f *testing.F) {
	for _, seed := range []string{"testdata/flexpbx-1.2.0.flx", "testdata/flexpbx-1.2.0.flxx.gz"} {
		if b, err := os.ReadFile(seed); err == nil {
			f.Add(b)
		}
	}
	f.Add([]byte("PK\x05\x06" + string(make([]byte, 18))))
	f.Add([]byte("\x1f\x8b\x08\x00"))
	f.Fuzz(func(t *testing.T, data []byte) {
		name := filepath.Join(t.TempDir(), "f.flx")
		if err := os.WriteFile(name, data, 0o600); err != nil {
			t.Fatal(err)
		}
		WalkFile(name, nil, Limits{MaxBytes: 1 << 20, MaxEntries: 100, RatioFloor: 1 << 20})
	})
}
