// Package units formats quantities for people (stdlib only; the agent
// uses it too). Sizes are in IEC binary units, the same the window shows:
// "1 byte", "671 bytes", "1.5 KiB", "3 GiB".
package units

import (
	"fmt"
	"math"
	"strings"
)

// Bytes formats n bytes: whole bytes below 1 KiB, spelled with the right
// plural, then KiB, MiB, GiB… with one decimal that is dropped when it is
// zero ("1 KiB", not "1.0 KiB").
func Bytes(n int64) string {
	const unit = 1024
	if n < 0 {
		if n == math.MinInt64 { // -n would overflow
			n++
		}
		return "-" + Bytes(-n)
	}
	if n == 1 {
		return "1 byte"
	}
	if n < unit {
		return fmt.Sprintf("%d bytes", n)
	}
	div, exp := int64(unit), 0
	for m := n / unit; m >= unit && exp < 5; m /= unit {
		div *= unit
		exp++
	}
	s := fmt.Sprintf("%.1f", float64(n)/float64(div))
	if s == "1024.0" && exp < 5 { // rounding up crossed into the next unit
		s, exp = "1.0", exp+1
	}
	return strings.TrimSuffix(s, ".0") + " " + string("KMGTPE"[exp]) + "iB"
}
