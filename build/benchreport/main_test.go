package main

import (
	"strings"
	"testing"
)

func TestParseAndMedian(t *testing.T) {
	in := `goos: linux
BenchmarkAppendEvent-2   	  200	  30000 ns/op	 624 B/op	 14 allocs/op
BenchmarkAppendEvent-2   	  200	  10000 ns/op	 624 B/op	 14 allocs/op
BenchmarkAppendEvent-2   	  200	  20000 ns/op	 624 B/op	 14 allocs/op
BenchmarkStatusSocket-2  	  100	 170000 ns/op
ok  	borgdesk/backend/store	0.4s`
	s, order, err := parse(strings.NewReader(in))
	if err != nil {
		t.Fatal(err)
	}
	if len(order) != 2 || order[0] != "AppendEvent" || order[1] != "StatusSocket" {
		t.Fatalf("order = %v", order)
	}
	if got := median(s["AppendEvent"].ns); got != 20000 {
		t.Errorf("median = %v; want 20000", got)
	}
	if got := human(1.5e6); got != "1.50 ms" {
		t.Errorf("human = %q", got)
	}
}
