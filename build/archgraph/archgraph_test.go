package main

import (
	"bytes"
	"os"
	"strings"
	"testing"
)

// docs/architecture.md is what archgraph writes today: a package added,
// removed or re-wired without regenerating it fails here.
func TestArchitectureDocIsCurrent(t *testing.T) {
	var b bytes.Buffer
	if err := write(&b, "../.."); err != nil {
		t.Fatal(err)
	}
	got, err := os.ReadFile("../../docs/architecture.md")
	if err != nil {
		t.Fatal(err)
	}
	if !bytes.Equal(got, b.Bytes()) {
		t.Fatal("docs/architecture.md is out of date: run `go run ./build/archgraph > docs/architecture.md`")
	}
	for _, want := range []string{"backend_fleet", "backend_jobs", "backend_service", "backend_shared_agentapi"} {
		if !strings.Contains(b.String(), want) {
			t.Errorf("the graph has no node %s", want)
		}
	}
}

// The reduction drops an arrow that a longer path implies, and keeps the rest.
func TestReduce(t *testing.T) {
	pkgs := []pkg{
		{ImportPath: "a", Imports: []string{"b", "c"}},
		{ImportPath: "b", Imports: []string{"c"}},
		{ImportPath: "c"},
		{ImportPath: "d", Imports: []string{"c", "fmt"}},
	}
	got := reduce(pkgs)
	want := [][2]string{{"a", "b"}, {"b", "c"}, {"d", "c"}}
	if len(got) != len(want) {
		t.Fatalf("reduce = %v; want %v", got, want)
	}
	for i := range want {
		if got[i] != want[i] {
			t.Errorf("edge %d = %v; want %v", i, got[i], want[i])
		}
	}
}

func TestNever(t *testing.T) {
	doc := "Package x does things. It never talks to an agent. It keeps state."
	if got := never(doc); got != "It never talks to an agent." {
		t.Errorf("never = %q", got)
	}
}
