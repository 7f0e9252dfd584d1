package units

import (
	"math"
	"testing"
)

func TestBytes(t *testing.T) {
	for _, tc := range []struct {
		n    int64
		want string
	}{
		{0, "0 bytes"},
		{1, "1 byte"},
		{2, "2 bytes"},
		{671, "671 bytes"},
		{1023, "1023 bytes"},
		{1024, "1 KiB"},
		{1536, "1.5 KiB"},
		{1024*1024 - 1, "1 MiB"},
		{5 << 30, "5 GiB"},
		{3<<40 + 1<<39, "3.5 TiB"},
		{math.MaxInt64, "8 EiB"},
		{-2048, "-2 KiB"},
		{math.MinInt64, "-8 EiB"},
	} {
		if got := Bytes(tc.n); got != tc.want {
			t.Errorf("Bytes(%d) = %q; want %q", tc.n, got, tc.want)
		}
	}
}
