package app

import (
	"context"
	"fmt"
	"strings"

	"borgdesk/backend/adminapi"
	"borgdesk/backend/service"
)

// planRestore prints what a restore would do (restore … --plan): how many
// files and bytes, the target and where each path lands. Nothing starts.
func planRestore(ctx context.Context, c *adminapi.Client, e env, req service.RestoreRequest, asJSON bool) error {
	p, err := c.PlanRestore(ctx, req)
	if err != nil {
		return err
	}
	if asJSON {
		return printJSON(e.stdout, p)
	}
	files := "files"
	if p.Files == 1 {
		files = "file"
	}
	fmt.Fprintf(e.stdout, "Would restore %d %s (%s) of archive %s onto %s.\n", p.Files, files, humanBytes(p.Bytes), req.Archive, p.Target)
	if len(p.Landing) == 0 {
		fmt.Fprintf(e.stdout, "The whole archive lands under %s.\n", p.To)
	} else {
		rows := make([][]string, 0, len(p.Landing))
		for _, l := range p.Landing {
			rows = append(rows, []string{l.Path, l.Final})
		}
		if err := printTable(e.stdout, []string{"PATH", "LANDS AT"}, rows); err != nil {
			return err
		}
		if more := countPaths(req.Paths) - len(p.Landing); more > 0 {
			fmt.Fprintf(e.stdout, "(and %d more paths under %s)\n", more, p.To)
		}
	}
	fmt.Fprintln(e.stdout, "Nothing was started: run the same command without --plan to restore.")
	return nil
}

// countPaths counts the paths a request names (empty ones mean nothing).
func countPaths(paths []string) int {
	n := 0
	for _, p := range paths {
		if strings.Trim(strings.TrimSpace(p), "/") != "" {
			n++
		}
	}
	return n
}
