package service

import (
	"go/ast"
	"go/parser"
	"go/token"
	"path/filepath"
	"strings"
	"testing"
)

// Nothing the service or its rooms start outlives the coordinator: work
// that outlives a request runs on the orchestrator (Go/After/Loop), whose
// Close the coordinator waits for. A bare go statement is allowed only for a fan-out
// its own function waits for (a WaitGroup's Wait in the same function), and
// no context is cut loose from its parent.
func TestNoDetachedGoroutines(t *testing.T) {
	var files []string
	// The service and the rooms it assembles.
	for _, dir := range []string{".", "../fleet", "../drills", "../replicas", "../targets", "../archives", "../restores", "../snapshots", "../alerts", "../health", "../settings"} {
		m, err := filepath.Glob(filepath.Join(dir, "*.go"))
		if err != nil || len(m) == 0 {
			t.Fatalf("no Go files in %s (%v)", dir, err)
		}
		files = append(files, m...)
	}
	fset := token.NewFileSet()
	checked := 0
	for _, name := range files {
		if strings.HasSuffix(name, "_test.go") {
			continue
		}
		f, err := parser.ParseFile(fset, name, nil, 0)
		if err != nil {
			t.Fatal(err)
		}
		checked++
		for _, decl := range f.Decls {
			fn, ok := decl.(*ast.FuncDecl)
			if !ok || fn.Body == nil {
				continue
			}
			waits := false
			ast.Inspect(fn.Body, func(n ast.Node) bool {
				if call, ok := n.(*ast.CallExpr); ok {
					if sel, ok := call.Fun.(*ast.SelectorExpr); ok && sel.Sel.Name == "Wait" && len(call.Args) == 0 {
						waits = true
					}
				}
				return true
			})
			ast.Inspect(fn.Body, func(n ast.Node) bool {
				switch n := n.(type) {
				case *ast.GoStmt:
					if !waits {
						t.Errorf("%s: %s starts a goroutine nothing waits for; use s.orch.Go", fset.Position(n.Pos()), fn.Name.Name)
					}
				case *ast.SelectorExpr:
					if id, ok := n.X.(*ast.Ident); ok {
						switch id.Name + "." + n.Sel.Name {
						case "context.WithoutCancel", "context.Background", "context.TODO", "time.AfterFunc":
							t.Errorf("%s: %s uses %s.%s; work that outlives its request runs on the orchestrator", fset.Position(n.Pos()), fn.Name.Name, id.Name, n.Sel.Name)
						}
					}
				}
				return true
			})
		}
	}
	if checked < 40 {
		t.Fatalf("checked only %d files; the test would prove nothing", checked)
	}
}
