// Command benchreport turns `go test -bench` output into the report `make
// bench` prints: the median of each benchmark and the ratios that matter.
package main

import (
	"bufio"
	"fmt"
	"io"
	"os"
	"regexp"
	"slices"
	"strconv"
	"strings"
)

// ratio compares two benchmarks: num / den.
type ratio struct {
	label, num, den string
}

var ratios = []ratio{
	{"admin socket vs direct service call (ListServers, 500 servers)", "ListServers500Socket", "ListServers500Direct"},
	{"full admin round trip vs one durable event write", "StatusSocket", "AppendEvent"},
	{"Events page over 100,000 events: an old time range vs the first page", "Events100kOldRange", "Events100kFirstPage"},
	{"Events page over 100,000 events: a rare search vs the first page", "Events100kSearchRare", "Events100kFirstPage"},
	{".flx sanitizing (one core) vs sha256+base64 of the same text", "Sanitize", "ShaBase64Text"},
}

var line = regexp.MustCompile(`^Benchmark([^\s-]+)(?:-\d+)?\s+(\d+)\s+([\d.]+) ns/op(?:\s+([\d.]+) B/op)?(?:\s+([\d.]+) allocs/op)?`)

type sample struct{ ns, bytes, allocs []float64 }

func main() {
	samples, order, err := parse(os.Stdin)
	if err != nil {
		fmt.Fprintln(os.Stderr, "benchreport:", err)
		os.Exit(1)
	}
	if len(order) == 0 {
		fmt.Fprintln(os.Stderr, "benchreport: no benchmark results in the input")
		os.Exit(1)
	}
	fmt.Printf("%-28s %6s %14s %12s %10s\n", "benchmark", "runs", "median", "B/op", "allocs/op")
	for _, name := range order {
		s := samples[name]
		fmt.Printf("%-28s %6d %14s %12.0f %10.0f\n", name, len(s.ns), human(median(s.ns)), median(s.bytes), median(s.allocs))
	}
	fmt.Println()
	for _, r := range ratios {
		n, okN := samples[r.num]
		d, okD := samples[r.den]
		if !okN || !okD {
			fmt.Printf("%-64s  (missing %s or %s)\n", r.label, r.num, r.den)
			continue
		}
		fmt.Printf("%-64s  %6.2f×\n", r.label, median(n.ns)/median(d.ns))
	}
}

func parse(r io.Reader) (map[string]*sample, []string, error) {
	samples := map[string]*sample{}
	var order []string
	sc := bufio.NewScanner(r)
	for sc.Scan() {
		m := line.FindStringSubmatch(sc.Text())
		if m == nil {
			continue
		}
		s, ok := samples[m[1]]
		if !ok {
			s = &sample{}
			samples[m[1]] = s
			order = append(order, m[1])
		}
		s.ns = append(s.ns, num(m[3]))
		s.bytes = append(s.bytes, num(m[4]))
		s.allocs = append(s.allocs, num(m[5]))
	}
	return samples, order, sc.Err()
}

func num(s string) float64 {
	v, _ := strconv.ParseFloat(strings.TrimSpace(s), 64)
	return v
}

func median(xs []float64) float64 {
	if len(xs) == 0 {
		return 0
	}
	s := slices.Clone(xs)
	slices.Sort(s)
	if len(s)%2 == 1 {
		return s[len(s)/2]
	}
	return (s[len(s)/2-1] + s[len(s)/2]) / 2
}

func human(ns float64) string {
	switch {
	case ns >= 1e9:
		return fmt.Sprintf("%.2f s", ns/1e9)
	case ns >= 1e6:
		return fmt.Sprintf("%.2f ms", ns/1e6)
	case ns >= 1e3:
		return fmt.Sprintf("%.1f µs", ns/1e3)
	}
	return fmt.Sprintf("%.0f ns", ns)
}
