package borg

import (
	"bufio"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"strconv"
	"strings"
	"time"

	"borgdesk/backend/shared/tail"
)

// Progress is one archive_progress report of borg create.
type Progress struct {
	OriginalSize     int64   `json:"original_size"`
	CompressedSize   int64   `json:"compressed_size"`
	DeduplicatedSize int64   `json:"deduplicated_size"`
	NFiles           int64   `json:"nfiles"`
	Path             string  `json:"path"`
	Time             float64 `json:"time"`
	Finished         bool    `json:"finished"`
}

// CreateOptions describe one archive.
type CreateOptions struct {
	Archive       string
	Paths         []string
	Excludes      []string
	OneFileSystem bool
	Compression   string // e.g. "zstd,3"; borg's default when empty
	// Stdin, when set, is archived as a single file named StdinName.
	Stdin     io.Reader
	StdinName string
	// CheckpointInterval is --checkpoint-interval (seconds; borg's 1800 when zero).
	CheckpointInterval int
	// Timestamp, when set, is the archive's time instead of now (imports, tests).
	Timestamp time.Time
	// ContentCommand, when set, is run by borg and its stdout archived as
	// StdinName; a non-zero exit of the command fails the archive.
	ContentCommand []string
	// ExtraEnv is added to borg's environment (and so the command's).
	ExtraEnv []string
}

// Stats are an archive's sizes.
type Stats struct {
	OriginalSize     int64 `json:"original_size"`
	CompressedSize   int64 `json:"compressed_size"`
	DeduplicatedSize int64 `json:"deduplicated_size"`
	NFiles           int64 `json:"nfiles"`
}

// Archive describes one archive.
type Archive struct {
	Name     string  `json:"name"`
	ID       string  `json:"id"`
	Start    string  `json:"start"`
	End      string  `json:"end,omitempty"`
	Duration float64 `json:"duration,omitempty"`
	Stats    Stats   `json:"stats"`
}

// Create makes an archive and reports progress as it goes.
func (b *Borg) Create(ctx context.Context, r Repo, o CreateOptions, progress func(Progress)) (Archive, error) {
	args := []string{"create", "--json", "--log-json", "--progress"}
	if o.OneFileSystem {
		args = append(args, "--one-file-system")
	}
	if o.Compression != "" {
		args = append(args, "--compression", o.Compression)
	}
	if o.CheckpointInterval > 0 {
		args = append(args, "--checkpoint-interval", strconv.Itoa(o.CheckpointInterval))
	}
	for _, e := range o.Excludes {
		args = append(args, "--exclude", e)
	}
	if o.Stdin != nil || len(o.ContentCommand) > 0 {
		args = append(args, "--stdin-name", o.StdinName)
	}
	if len(o.ContentCommand) > 0 {
		args = append(args, "--content-from-command")
	}
	if !o.Timestamp.IsZero() {
		args = append(args, "--timestamp", o.Timestamp.UTC().Format("2006-01-02T15:04:05"))
	}
	switch {
	case len(o.ContentCommand) > 0:
		args = append(append(args, r.Location+"::"+o.Archive, "--"), o.ContentCommand...)
	case o.Stdin != nil:
		args = append(args, "--", r.Location+"::"+o.Archive, "-")
	default:
		if len(o.Paths) == 0 {
			return Archive{}, fmt.Errorf("borg create: no paths to back up")
		}
		args = append(append(args, "--", r.Location+"::"+o.Archive), o.Paths...)
	}
	cmd := b.command(ctx, r, args...)
	cmd.Env = append(cmd.Env, o.ExtraEnv...)
	cmd.Stdin = o.Stdin
	stderr, err := cmd.StderrPipe()
	if err != nil {
		return Archive{}, err
	}
	var out strings.Builder
	cmd.Stdout = &out
	if err := cmd.Start(); err != nil {
		return Archive{}, fmt.Errorf("borg create: %w (is borg installed?)", err)
	}
	errTail := tail.New(8192)
	sc := bufio.NewScanner(stderr)
	sc.Buffer(make([]byte, 64<<10), 1<<20)
	for sc.Scan() {
		line := sc.Bytes()
		errTail.Write(append(line, '\n'))
		if progress == nil || len(line) == 0 || line[0] != '{' {
			continue
		}
		var p struct {
			Type string `json:"type"`
			Progress
		}
		if json.Unmarshal(line, &p) == nil && p.Type == "archive_progress" {
			progress(p.Progress)
		}
	}
	werr := b.exitErr(ctx, "create", cmd.Wait(), errTail.String())
	if werr != nil {
		if _, warn := werr.(*Warning); !warn {
			return Archive{}, werr
		}
	}
	var res struct {
		Archive Archive `json:"archive"`
	}
	if err := json.Unmarshal([]byte(out.String()), &res); err != nil {
		return Archive{}, fmt.Errorf("borg create: unreadable JSON result: %w", err)
	}
	return res.Archive, werr
}

// List returns the repository's archives, oldest first.
func (b *Borg) List(ctx context.Context, r Repo) ([]Archive, error) {
	out, err := b.run(ctx, r, "list", nil, "list", "--json", r.Location)
	if err != nil {
		return nil, err
	}
	var res struct {
		Archives []Archive `json:"archives"`
	}
	if err := json.Unmarshal(out, &res); err != nil {
		return nil, fmt.Errorf("borg list: unreadable JSON: %w", err)
	}
	return res.Archives, nil
}

// Info returns one archive with its statistics.
func (b *Borg) Info(ctx context.Context, r Repo, archive string) (Archive, error) {
	out, err := b.run(ctx, r, "info", nil, "info", "--json", r.Location+"::"+archive)
	if err != nil {
		return Archive{}, err
	}
	var res struct {
		Archives []Archive `json:"archives"`
	}
	if err := json.Unmarshal(out, &res); err != nil || len(res.Archives) != 1 {
		return Archive{}, fmt.Errorf("borg info: unreadable JSON: %v", err)
	}
	return res.Archives[0], nil
}

// Item is one entry of an archive.
type Item struct {
	Type       string `json:"type"` // "-" file, "d" directory, "l" symlink
	Mode       string `json:"mode"`
	User       string `json:"user"`
	Group      string `json:"group"`
	UID        int    `json:"uid"`
	GID        int    `json:"gid"`
	Path       string `json:"path"`
	LinkTarget string `json:"linktarget"`
	MTime      string `json:"mtime"` // local time, no zone (borg's format)
	Size       int64  `json:"size"`
}

// ListItems streams an archive's entries to fn (borg list --json-lines).
func (b *Borg) ListItems(ctx context.Context, r Repo, archive string, fn func(Item) error) error {
	return listLines(ctx, b, r, []string{"list", "--json-lines", r.Location + "::" + archive}, fn)
}

// listLines runs a borg list with --json-lines and streams each decoded
// line to fn; an error from fn stops borg.
func listLines[T any](ctx context.Context, b *Borg, r Repo, args []string, fn func(T) error) error {
	cmd := b.command(ctx, r, args...)
	stdout, err := cmd.StdoutPipe()
	if err != nil {
		return err
	}
	errTail := tail.New(4096)
	cmd.Stderr = errTail
	if err := cmd.Start(); err != nil {
		return fmt.Errorf("borg list: %w", err)
	}
	dec := json.NewDecoder(bufio.NewReaderSize(stdout, 256<<10))
	var ferr error
	for {
		var it T
		if err := dec.Decode(&it); err != nil {
			if err != io.EOF {
				ferr = fmt.Errorf("borg list: %w", err)
			}
			break
		}
		if err := fn(it); err != nil {
			ferr = err
			break
		}
	}
	if ferr != nil {
		cmd.Process.Kill()
		cmd.Wait()
		return ferr
	}
	return b.exitErr(ctx, "list", cmd.Wait(), errTail.String())
}

// Extract restores paths of an archive (all when empty) into dir.
func (b *Borg) Extract(ctx context.Context, r Repo, archive, dir string, paths ...string) error {
	args := append([]string{"extract", "--", r.Location + "::" + archive}, paths...)
	cmd := b.command(ctx, r, args...)
	cmd.Dir = dir
	errTail := tail.New(4096)
	cmd.Stderr = errTail
	return b.exitErr(ctx, "extract", cmd.Run(), errTail.String())
}

// ExtractProgress is one progress report of an extraction.
type ExtractProgress struct {
	Current, Total int64 // bytes
	Path           string
}

// ExtractWithProgress restores paths of an archive (all when empty) into
// dir, reporting progress. A path that is not in the archive is an error
// naming it (borg only warns).
func (b *Borg) ExtractWithProgress(ctx context.Context, r Repo, archive, dir string, paths []string, progress func(ExtractProgress)) error {
	args := append([]string{"extract", "--progress", "--log-json", "--", r.Location + "::" + archive}, paths...)
	cmd := b.command(ctx, r, args...)
	cmd.Dir = dir
	stderr, err := cmd.StderrPipe()
	if err != nil {
		return err
	}
	if err := cmd.Start(); err != nil {
		return fmt.Errorf("borg extract: %w (is borg installed?)", err)
	}
	errTail := tail.New(8192)
	var missing []string
	sc := bufio.NewScanner(stderr)
	sc.Buffer(make([]byte, 64<<10), 1<<20)
	for sc.Scan() {
		line := sc.Bytes()
		var m struct {
			Type    string   `json:"type"`
			Message string   `json:"message"`
			Current int64    `json:"current"`
			Total   int64    `json:"total"`
			Info    []string `json:"info"`
		}
		if len(line) == 0 || line[0] != '{' || json.Unmarshal(line, &m) != nil {
			errTail.Write(append(line, '\n'))
			continue
		}
		switch {
		case m.Type == "progress_percent":
			if progress != nil && m.Total > 0 {
				p := ExtractProgress{Current: m.Current, Total: m.Total}
				if len(m.Info) > 0 {
					p.Path = m.Info[0]
				}
				progress(p)
			}
		case m.Type == "log_message":
			errTail.Write([]byte(m.Message + "\n"))
			if rest, ok := strings.CutPrefix(m.Message, "Include pattern '"); ok {
				if pat, _, ok := strings.Cut(rest, "' never matched"); ok {
					missing = append(missing, pat)
				}
			}
		}
	}
	werr := b.exitErr(ctx, "extract", cmd.Wait(), errTail.String())
	if len(missing) > 0 {
		return fmt.Errorf("%s not in archive %s; browse the archive for the right path", strings.Join(missing, ", "), archive)
	}
	return werr
}

// VerifyExtract reads and checks every chunk of an archive without writing
// anything (borg extract --dry-run).
func (b *Borg) VerifyExtract(ctx context.Context, r Repo, archive string) error {
	_, err := b.run(ctx, r, "extract", nil, "extract", "--dry-run", r.Location+"::"+archive)
	return err
}

// Hashes streams the SHA-256 of the regular files under paths of an
// archive (all when empty), as borg computes them from the stored chunks.
func (b *Borg) Hashes(ctx context.Context, r Repo, archive string, paths []string, fn func(path string, size int64, sha256 string) error) error {
	type hashed struct {
		Type   string `json:"type"`
		Size   int64  `json:"size"`
		SHA256 string `json:"sha256"`
		Path   string `json:"path"`
	}
	args := append([]string{"list", "--json-lines", "--format", "{type}{size}{sha256}{path}", "--", r.Location + "::" + archive}, paths...)
	return listLines(ctx, b, r, args, func(it hashed) error {
		if it.Type != "-" {
			return nil
		}
		return fn(it.Path, it.Size, it.SHA256)
	})
}

// ExtractStdout writes one file of an archive to w.
func (b *Borg) ExtractStdout(ctx context.Context, r Repo, archive, path string, w io.Writer) error {
	cmd := b.command(ctx, r, "extract", "--stdout", "--", r.Location+"::"+archive, path)
	cmd.Stdout = w
	errTail := tail.New(4096)
	cmd.Stderr = errTail
	return b.exitErr(ctx, "extract", cmd.Run(), errTail.String())
}

// ExportTar writes paths of an archive (all when empty) to w as a tar
// stream (borg export-tar to stdout): files, folders, symlinks, hard
// links, modes, owners and times, but no extended attributes or ACLs.
func (b *Borg) ExportTar(ctx context.Context, r Repo, archive string, paths []string, w io.Writer) error {
	args := append([]string{"export-tar", "--", r.Location + "::" + archive, "-"}, paths...)
	cmd := b.command(ctx, r, args...)
	cmd.Stdout = w
	errTail := tail.New(4096)
	cmd.Stderr = errTail
	return b.exitErr(ctx, "export-tar", cmd.Run(), errTail.String())
}

// Mount mounts an archive (every archive of the repository when archive
// is "") on dir with borg's FUSE file system. It returns once the file
// system is mounted; borg then serves it in the background until it is
// unmounted (fusermount3 -u dir). With --bypass-lock it neither waits for
// nor takes the repository's lock, so a running backup does not stop it
// (it may then not show that backup's archive).
func (b *Borg) Mount(ctx context.Context, r Repo, archive, dir string) error {
	target := r.Location
	if archive != "" {
		target += "::" + archive
	}
	cmd := b.command(ctx, r, "--bypass-lock", "mount", "--", target, dir)
	errTail := tail.New(4096)
	cmd.Stderr = errTail
	return b.exitErr(ctx, "mount", cmd.Run(), errTail.String())
}

// Keep is a retention policy; zero fields are not passed.
type Keep struct {
	Within  string `json:"within,omitempty"` // e.g. "2d"
	Daily   int    `json:"daily,omitempty"`
	Weekly  int    `json:"weekly,omitempty"`
	Monthly int    `json:"monthly,omitempty"`
	Yearly  int    `json:"yearly,omitempty"`
}

// Empty reports whether the policy keeps everything.
func (k Keep) Empty() bool { return k == Keep{} }

func (k Keep) args() []string {
	var a []string
	if k.Within != "" {
		a = append(a, "--keep-within", k.Within)
	}
	for _, kv := range []struct {
		flag string
		n    int
	}{{"--keep-daily", k.Daily}, {"--keep-weekly", k.Weekly}, {"--keep-monthly", k.Monthly}, {"--keep-yearly", k.Yearly}} {
		if kv.n > 0 {
			a = append(a, kv.flag, strconv.Itoa(kv.n))
		}
	}
	return a
}

// PruneResult lists what a prune kept and removed.
type PruneResult struct {
	Kept, Pruned []string
}

// Prune applies a retention policy to archives whose names start with
// prefix, and reports what it kept and removed.
func (b *Borg) Prune(ctx context.Context, r Repo, k Keep, prefix string, dryRun bool) (PruneResult, error) {
	if k.Empty() {
		return PruneResult{}, fmt.Errorf("borg prune: an empty retention policy would delete everything; set at least one keep rule")
	}
	args := append([]string{"prune", "--list", "--log-json"}, k.args()...)
	if prefix != "" {
		args = append(args, "--glob-archives", prefix+"*")
	}
	if dryRun {
		args = append(args, "--dry-run")
	}
	args = append(args, r.Location)
	cmd := b.command(ctx, r, args...)
	errTail := tail.New(1 << 20)
	cmd.Stderr = errTail
	if err := b.exitErr(ctx, "prune", cmd.Run(), ""); err != nil {
		if e, ok := err.(*Error); ok {
			e.Stderr = lastLines(errTail.String(), 8)
		}
		return PruneResult{}, err
	}
	var res PruneResult
	sc := bufio.NewScanner(strings.NewReader(errTail.String()))
	for sc.Scan() {
		var m struct {
			Name    string `json:"name"`
			Message string `json:"message"`
		}
		if json.Unmarshal(sc.Bytes(), &m) != nil || m.Name != "borg.output.list" {
			continue
		}
		// "Keeping archive (rule: daily #1):  name  Sun, …" / "Pruning archive …" / "Would prune: …"
		fields := strings.Fields(m.Message)
		name := ""
		if i := strings.Index(m.Message, "):"); i >= 0 {
			rest := strings.Fields(m.Message[i+2:])
			if len(rest) > 0 {
				name = rest[0]
			}
		} else if len(fields) >= 3 {
			name = fields[2]
		}
		switch {
		case strings.HasPrefix(m.Message, "Keeping"):
			res.Kept = append(res.Kept, name)
		case strings.HasPrefix(m.Message, "Pruning archive"), strings.HasPrefix(m.Message, "Would prune"):
			res.Pruned = append(res.Pruned, name)
		}
	}
	return res, nil
}

// Compact frees the space of deleted archives.
func (b *Borg) Compact(ctx context.Context, r Repo) error {
	_, err := b.run(ctx, r, "compact", nil, "compact", r.Location)
	return err
}

// Check verifies the repository (and, with verifyData, every chunk's data).
func (b *Borg) Check(ctx context.Context, r Repo, verifyData bool) error {
	args := []string{"check"}
	if verifyData {
		args = append(args, "--verify-data")
	}
	_, err := b.run(ctx, r, "check", nil, append(args, r.Location)...)
	return err
}

// ArchiveTime parses borg's local, zone-less timestamps.
func ArchiveTime(s string) time.Time {
	t, err := time.ParseInLocation("2006-01-02T15:04:05.000000", s, time.Local)
	if err != nil {
		t, _ = time.ParseInLocation("2006-01-02T15:04:05", s, time.Local)
	}
	return t
}
