// Command benchcatalog measures the file catalog: indexing speed, size on
// disk per million entries, search latency across many millions of entries,
// and the time to open the root (and a 5,000-entry folder) of a
// million-file archive, on generated archives shaped like a server's file
// system (nested folders, config-like names, most paths shared between a
// server's successive archives as in daily backups).
package main

import (
	"context"
	"flag"
	"fmt"
	"os"
	"path/filepath"
	"sort"
	"time"

	"borgdesk/backend/catalog"
	"borgdesk/backend/shared/borg"
)

var words = []string{"etc", "var", "lib", "www", "app", "conf", "data", "cache", "site", "user", "share", "local", "log", "backup", "db", "static", "media", "assets", "src", "vendor"}
var exts = []string{".conf", ".php", ".js", ".json", ".yml", ".txt", ".html", ".py", ".sql", ".png"}

// archive streams files entries: folders three levels deep, 25 files per
// folder; churn of the names changes between archives (new files).
func archive(files int, gen int) catalog.Source {
	return func(fn func(borg.Item) error) error {
		n := 0
		for a := 0; n < files; a++ {
			d1 := fmt.Sprintf("%s%d", words[a%len(words)], a/len(words))
			if err := fn(borg.Item{Type: "d", Mode: "drwxr-xr-x", User: "root", Group: "root", Path: d1}); err != nil {
				return err
			}
			for b := 0; b < 20 && n < files; b++ {
				d2 := fmt.Sprintf("%s/%s%d", d1, words[(a+b)%len(words)], b)
				fn(borg.Item{Type: "d", Mode: "drwxr-xr-x", User: "root", Group: "root", Path: d2})
				for c := 0; c < 25 && n < files; c++ {
					name := fmt.Sprintf("%s_%d%s", words[(b+c)%len(words)], c, exts[c%len(exts)])
					if c == 0 && b == 0 {
						name = "nginx.conf"
					}
					if c == 24 { // a file that is new in every archive
						name = fmt.Sprintf("log_%d_%d.txt", gen, c)
					}
					it := borg.Item{Type: "-", Mode: "-rw-r--r--", User: "www-data", Group: "www-data", Path: d2 + "/" + name,
						Size: int64(100 + (a*31+b*7+c)%50000), MTime: "2026-11-01T10:00:00.000000"}
					if err := fn(it); err != nil {
						return err
					}
					n++
				}
			}
		}
		return nil
	}
}

// realBorg indexes a real archive of n small files: borg list --json-lines
// alone against listing and indexing together (what a backup's indexing costs).
func realBorg(n int) error {
	ctx := context.Background()
	dir, err := os.MkdirTemp("", "benchcatalog-borg")
	if err != nil {
		return err
	}
	defer os.RemoveAll(dir)
	src := filepath.Join(dir, "src")
	for i := 0; i < n; i++ {
		d := filepath.Join(src, fmt.Sprintf("d%03d", i/200))
		if i%200 == 0 {
			os.MkdirAll(d, 0o755)
		}
		if err := os.WriteFile(filepath.Join(d, fmt.Sprintf("f%05d.conf", i)), []byte(fmt.Sprintf("key%d = %d\n", i, i)), 0o644); err != nil {
			return err
		}
	}
	b := &borg.Borg{BaseDir: filepath.Join(dir, "base")}
	repo := borg.Repo{Location: filepath.Join(dir, "repo"), Passphrase: "bench"}
	if err := b.Init(ctx, repo); err != nil {
		return err
	}
	if _, err := b.Create(ctx, repo, borg.CreateOptions{Archive: "a", Paths: []string{src}}, nil); err != nil {
		return err
	}
	var listed int
	t := time.Now()
	if err := b.ListItems(ctx, repo, "a", func(borg.Item) error { listed++; return nil }); err != nil {
		return err
	}
	listT := time.Since(t)
	c, err := catalog.Open(ctx, filepath.Join(dir, "catalog.db"))
	if err != nil {
		return err
	}
	defer c.Close()
	t = time.Now()
	got, err := c.Index(ctx, catalog.Meta{Server: "s", Name: "a", Time: time.Now()}, func(fn func(borg.Item) error) error { return b.ListItems(ctx, repo, "a", fn) })
	if err != nil {
		return err
	}
	both := time.Since(t)
	fmt.Printf("real archive of %d entries: borg list --json-lines alone %.0f entries/s (%.1f s); listing and indexing together %.0f entries/s (%.1f s) = %.2fx borg list alone\n",
		listed, float64(listed)/listT.Seconds(), listT.Seconds(), float64(got)/both.Seconds(), both.Seconds(), both.Seconds()/listT.Seconds())
	return nil
}

func median(d []time.Duration) time.Duration {
	sort.Slice(d, func(i, j int) bool { return d[i] < d[j] })
	return d[len(d)/2]
}

func timeIt(n int, f func() error) (time.Duration, error) {
	var ds []time.Duration
	for i := 0; i < n; i++ {
		t := time.Now()
		if err := f(); err != nil {
			return 0, err
		}
		ds = append(ds, time.Since(t))
	}
	return median(ds), nil
}

func main() {
	perArchive := flag.Int("files", 1_000_000, "entries per archive")
	archives := flag.Int("archives", 10, "archives (over two servers)")
	keep := flag.String("keep", "", "build the catalog in this directory and keep it")
	borgFiles := flag.Int("borg-files", 50000, "files of a real borg archive indexed through borg list (0: skip)")
	flag.Parse()
	if *borgFiles > 0 {
		if err := realBorg(*borgFiles); err != nil {
			fmt.Fprintln(os.Stderr, "benchcatalog:", err)
			os.Exit(1)
		}
	}
	if err := run(*perArchive, *archives, *keep); err != nil {
		fmt.Fprintln(os.Stderr, "benchcatalog:", err)
		os.Exit(1)
	}
}

func run(per, count int, keep string) error {
	ctx := context.Background()
	dir := keep
	if dir == "" {
		tmp, err := os.MkdirTemp("", "benchcatalog")
		if err != nil {
			return err
		}
		defer os.RemoveAll(tmp)
		dir = tmp
	}
	c, err := catalog.Open(ctx, filepath.Join(dir, "catalog.db"))
	if err != nil {
		return err
	}
	defer c.Close()
	var total int64
	var firstRate, laterRate float64
	var laterN int64
	var laterT time.Duration
	var sizeAfterFirst int64
	for i := 0; i < count; i++ {
		server := fmt.Sprintf("server-%d", i%2)
		name := fmt.Sprintf("files@2026-11-%02dT01:00:00", 1+i/2)
		t := time.Now()
		n, err := c.Index(ctx, catalog.Meta{Server: server, Name: name, Time: time.Date(2026, 11, 1+i/2, 1, 0, 0, 0, time.UTC)}, archive(per, i))
		if err != nil {
			return err
		}
		el := time.Since(t)
		total += n
		rate := float64(n) / el.Seconds()
		fmt.Printf("  archive %2d (%s): %d entries in %.1f s = %.0f entries/s\n", i+1, server, n, el.Seconds(), rate)
		if i == 0 {
			firstRate = rate
			sizeAfterFirst, _ = c.Size(ctx)
		} else if i >= 2 {
			laterN += n
			laterT += el
		}
	}
	if laterT > 0 {
		laterRate = float64(laterN) / laterT.Seconds()
	}
	size, err := c.Size(ctx)
	if err != nil {
		return err
	}
	fmt.Printf("indexing: first archive (all paths new) %.0f entries/s; later archives of the same servers (paths known) %.0f entries/s\n", firstRate, laterRate)
	fmt.Printf("size on disk: %.1f MiB after the first %d-entry archive (paths and names included); %.1f MiB for all %d entries = %.1f MiB per million entries overall\n",
		float64(sizeAfterFirst)/(1<<20), per, float64(size)/(1<<20), total, float64(size)/(1<<20)/(float64(total)/1e6))
	last := fmt.Sprintf("files@2026-11-%02dT01:00:00", 1+(count-1)/2)
	lastServer := fmt.Sprintf("server-%d", (count-1)%2)
	queries := []struct {
		label, pattern, server string
	}{
		{"name, every version, all servers", "nginx.conf", ""},
		{"name, one server", "nginx.conf", "server-0"},
		{"name glob (*.sql), first 100 paths", "*_8.sql", ""},
		{"path glob (etc0/*/nginx.conf)", "etc0/*/nginx.conf", ""},
	}
	fmt.Printf("search across %d entries (median of 9):\n", total)
	for _, q := range queries {
		var hits []catalog.Hit
		d, err := timeIt(9, func() error {
			var err error
			hits, err = c.Find(ctx, q.pattern, q.server, 100)
			return err
		})
		if err != nil {
			return err
		}
		versions := 0
		for _, h := range hits {
			versions += len(h.Versions)
		}
		fmt.Printf("  %-38s %8.1f ms  (%d paths, %d versions)\n", q.label, float64(d.Microseconds())/1000, len(hits), versions)
	}
	var root catalog.Listing
	d, err := timeIt(9, func() error {
		var err error
		root, err = c.List(ctx, lastServer, last, "", 5000)
		return err
	})
	if err != nil {
		return err
	}
	fmt.Printf("open the root of a %d-file archive: %.1f ms (%d entries)\n", per, float64(d.Microseconds())/1000, len(root.Entries))
	var sub catalog.Listing
	d, err = timeIt(9, func() error {
		var err error
		sub, err = c.List(ctx, lastServer, last, root.Entries[0].Path, 5000)
		return err
	})
	if err == nil {
		fmt.Printf("open a %d-entry folder in it: %.1f ms\n", len(sub.Entries), float64(d.Microseconds())/1000)
	}
	return nil
}
