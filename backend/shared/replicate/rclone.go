package replicate

import (
	"bufio"
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"time"
)

// Rclone runs the rclone binary (Debian's rclone 1.60 or later).
type Rclone struct {
	// Path is the rclone binary ("rclone" from PATH when empty).
	Path string
	// TempDir holds each run's private config directory (os.TempDir()
	// when empty); the directory is removed when the run ends.
	TempDir string
	// Transfers is how many files are copied at once (4 when zero).
	Transfers int
	// ConnectTimeout bounds connecting to the target (15 s when zero).
	ConnectTimeout time.Duration
}

// remote is the name of the target in rclone's configuration.
const remote = "replica"

// lockFiles are borg's lock, never copied (the source holds it while
// replicating) and never deleted from a replica.
var lockFiles = []string{"--exclude", "/lock.exclusive/**", "--exclude", "/lock.roster"}

// session is one run's private rclone configuration: an empty 0600 config
// file in a 0700 directory of its own, and the target in RCLONE_CONFIG_*
// variables, so neither the user's rclone config nor argv sees a secret.
type session struct {
	rc     *Rclone
	dir    string
	config string
	env    []string
	target Target
	trace  func(step string, d time.Duration)
}

func (rc *Rclone) bin() string {
	if rc.Path != "" {
		return rc.Path
	}
	return "rclone"
}

func (rc *Rclone) open(t Target) (*session, error) {
	if _, err := exec.LookPath(rc.bin()); err != nil {
		return nil, &Error{Kind: ErrNoRclone, Msg: "rclone is not installed on this machine (Debian package rclone: apt-get install rclone)"}
	}
	dir, err := os.MkdirTemp(rc.TempDir, "borgdesk-rclone-")
	if err != nil {
		return nil, fmt.Errorf("rclone config directory: %w", err)
	}
	s := &session{rc: rc, dir: dir, config: filepath.Join(dir, "rclone.conf"), target: t}
	if err := os.WriteFile(s.config, nil, 0o600); err != nil {
		s.close()
		return nil, err
	}
	vars, err := targetEnv(t)
	if err != nil {
		s.close()
		return nil, err
	}
	s.env = append(cleanEnv(), "RCLONE_CONFIG="+s.config, "HOME="+dir, "XDG_CONFIG_HOME="+dir, "XDG_CACHE_HOME="+dir)
	for k, v := range vars {
		s.env = append(s.env, "RCLONE_CONFIG_"+strings.ToUpper(remote)+"_"+strings.ToUpper(k)+"="+v)
	}
	return s, nil
}

func (s *session) close() { os.RemoveAll(s.dir) }

// cleanEnv is this process's environment less anything rclone, an SSH
// agent or the AWS SDK would pick credentials or settings up from.
func cleanEnv() []string {
	var env []string
	for _, kv := range os.Environ() {
		k, _, _ := strings.Cut(kv, "=")
		if strings.HasPrefix(k, "RCLONE_") || strings.HasPrefix(k, "AWS_") || strings.HasPrefix(k, "BORG_") ||
			k == "SSH_AUTH_SOCK" || k == "HOME" || strings.HasPrefix(k, "XDG_") {
			continue
		}
		env = append(env, kv)
	}
	return env
}

// targetEnv is the target's rclone options; the S3 secret is read from its
// file here, at the last moment, and only ever travels in the environment.
func targetEnv(t Target) (map[string]string, error) {
	switch t.Kind {
	case KindSFTP:
		if t.KeyFile == "" || t.KnownHostsFile == "" {
			return nil, errors.New("an SFTP target needs its private key file and its pinned host key")
		}
		return map[string]string{"type": "sftp", "host": t.Host, "port": strconv.Itoa(t.port()), "user": t.User,
			"key_file": t.KeyFile, "known_hosts_file": t.KnownHostsFile, "key_use_agent": "false", "ask_password": "false"}, nil
	case KindS3:
		secret, err := os.ReadFile(t.SecretFile)
		if err != nil {
			return nil, fmt.Errorf("the S3 secret key of the target: %w", err)
		}
		region := t.Region
		if region == "" {
			region = "us-east-1"
		}
		return map[string]string{"type": "s3", "provider": "Other", "env_auth": "false", "endpoint": t.Endpoint, "region": region,
			"access_key_id": t.AccessKeyID, "secret_access_key": strings.TrimSpace(string(secret)), "force_path_style": "true"}, nil
	case KindLocal:
		return map[string]string{}, nil
	}
	return nil, fmt.Errorf("unknown target kind %q", t.Kind)
}

// logLine is one line of rclone's JSON log.
type logLine struct {
	Level  string     `json:"level"`
	Msg    string     `json:"msg"`
	Object string     `json:"object"`
	Stats  *syncStats `json:"stats"`
}

// syncStats are rclone's final transfer statistics.
type syncStats struct {
	Bytes     int64   `json:"bytes"`
	Transfers int     `json:"transfers"`
	Deletes   int     `json:"deletes"`
	Errors    int     `json:"errors"`
	Elapsed   float64 `json:"elapsedTime"`
}

// output is what one rclone command printed.
type output struct {
	stdout []byte
	lines  []logLine
	exit   int
}

// stats is the last statistics block.
func (o output) stats() syncStats {
	for i := len(o.lines) - 1; i >= 0; i-- {
		if o.lines[i].Stats != nil {
			return *o.lines[i].Stats
		}
	}
	return syncStats{}
}

// messages are the log's messages at or above a level ("error", "notice"…).
func (o output) messages(levels ...string) []string {
	var out []string
	for _, l := range o.lines {
		for _, lv := range levels {
			if l.Level == lv && l.Msg != "" {
				msg := strings.TrimSpace(l.Msg)
				if l.Object != "" {
					msg = l.Object + ": " + msg
				}
				out = append(out, msg)
			}
		}
	}
	return out
}

// tail is the last few errors, for an error message.
func (o output) tail() string {
	msgs := o.messages("error", "critical", "fatal")
	if len(msgs) == 0 {
		msgs = o.messages("warning", "notice")
	}
	var uniq []string
	for _, m := range msgs {
		if !slices.Contains(uniq, m) {
			uniq = append(uniq, m)
		}
	}
	if len(uniq) > 3 {
		uniq = uniq[len(uniq)-3:]
	}
	return strings.Join(uniq, " | ")
}

// run runs rclone with the session's config and the common flags.
func (s *session) run(ctx context.Context, args ...string) (output, error) {
	timeout := s.rc.ConnectTimeout
	if timeout == 0 {
		timeout = 15 * time.Second
	}
	full := append([]string{args[0], "--config", s.config, "--use-json-log", "--contimeout", timeout.String(), "--timeout", "2m",
		"--retries", "1", "--low-level-retries", "3"}, args[1:]...)
	cmd := exec.CommandContext(ctx, s.rc.bin(), full...)
	cmd.Env, cmd.Dir = s.env, s.dir
	cmd.WaitDelay = 10 * time.Second
	var stdout, stderr bytes.Buffer
	cmd.Stdout, cmd.Stderr = &stdout, &stderr
	start := time.Now()
	err := cmd.Run()
	if s.trace != nil {
		s.trace("rclone "+args[0], time.Since(start))
	}
	out := output{stdout: stdout.Bytes(), lines: parseLog(stderr.Bytes())}
	if err == nil {
		return out, nil
	}
	if ctx.Err() != nil {
		return out, fmt.Errorf("rclone %s: %w", args[0], ctx.Err())
	}
	var ee *exec.ExitError
	if !errors.As(err, &ee) {
		return out, fmt.Errorf("rclone %s: %w", args[0], err)
	}
	out.exit = ee.ExitCode()
	return out, &Error{Kind: classify(stderr.String()), Msg: "rclone " + args[0] + " failed (exit " + strconv.Itoa(out.exit) + ")", Detail: out.tail()}
}

func parseLog(raw []byte) []logLine {
	var lines []logLine
	sc := bufio.NewScanner(bytes.NewReader(raw))
	sc.Buffer(make([]byte, 64<<10), 1<<20)
	for sc.Scan() {
		text := bytes.TrimSpace(sc.Bytes())
		if len(text) == 0 {
			continue
		}
		var l logLine
		if text[0] != '{' || json.Unmarshal(text, &l) != nil {
			// A plain line such as "2026/01/02 15:04:05 Failed to copy: …".
			msg := string(text)
			if len(msg) > 20 && msg[4] == '/' && msg[19] == ' ' {
				msg = msg[20:]
			}
			l = logLine{Level: "error", Msg: msg}
		}
		lines = append(lines, l)
	}
	return lines
}

// copyFlags are the flags of a copy or sync: statistics at the end, one
// log line per file copied.
func (s *session) copyFlags() []string {
	n := s.rc.Transfers
	if n <= 0 {
		n = 4
	}
	return []string{"-v", "--stats", "1h", "--stats-log-level", "NOTICE", "--transfers", strconv.Itoa(n)}
}

// copied are the objects a copy or sync wrote.
func (o output) copied() []string {
	var out []string
	for _, l := range o.lines {
		if l.Object != "" && strings.HasPrefix(l.Msg, "Copied") {
			out = append(out, l.Object)
		}
	}
	return out
}

// file is one file of a listing.
type file struct {
	Path string `json:"Path"`
	Size int64  `json:"Size"`
}

// list returns the files under dir (none when it does not exist yet).
func (s *session) list(ctx context.Context, dir string) (map[string]int64, error) {
	out, err := s.run(ctx, "lsjson", "-R", "--files-only", "--no-mimetype", "--no-modtime", dir)
	if err != nil {
		if out.exit == 3 { // directory not found: nothing replicated yet
			return map[string]int64{}, nil
		}
		return nil, err
	}
	var files []file
	if err := json.Unmarshal(out.stdout, &files); err != nil {
		return nil, fmt.Errorf("rclone lsjson: unreadable output: %w", err)
	}
	m := make(map[string]int64, len(files))
	for _, f := range files {
		m[f.Path] = f.Size
	}
	return m, nil
}

// about returns the free bytes at dir, or -1 when the target cannot say.
func (s *session) about(ctx context.Context, dir string) int64 {
	out, err := s.run(ctx, "about", "--json", dir)
	if err != nil {
		return -1
	}
	var a struct {
		Free *int64 `json:"free"`
	}
	if json.Unmarshal(out.stdout, &a) != nil || a.Free == nil {
		return -1
	}
	return *a.Free
}

// matching is the count of rclone check's "N matching files" (-1 when absent).
func (o output) matching() int {
	for _, l := range o.lines {
		if n, ok := strings.CutSuffix(l.Msg, " matching files"); ok {
			if v, err := strconv.Atoi(n); err == nil {
				return v
			}
		}
	}
	return -1
}

// hashUsed is the hash rclone check compared ("md5", "sha1"…), or "none"
// when the two sides have no hash in common (sizes only).
func (o output) hashUsed() string {
	for _, l := range o.lines {
		if h, ok := strings.CutPrefix(l.Msg, "Using "); ok && strings.HasSuffix(h, " for hash comparisons") {
			return strings.TrimSuffix(h, " for hash comparisons")
		}
	}
	return "none"
}

// writeList writes names, one a line, to a file in the session directory.
func (s *session) writeList(name string, names []string) (string, error) {
	p := filepath.Join(s.dir, name)
	return p, os.WriteFile(p, []byte(strings.Join(names, "\n")+"\n"), 0o600)
}
