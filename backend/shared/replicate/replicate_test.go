package replicate

import (
	"bytes"
	"context"
	"crypto/rand"
	"errors"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"

	"borgdesk/backend/shared/borg"
	"borgdesk/backend/shared/testenv"
)

// need fails without borg and rclone unless the person running it opts
// out (testenv.OptOut).
func need(t *testing.T) {
	t.Helper()
	testenv.NeedCommands(t, "borg", "rclone")
}

// fixture is a source repository with one archive.
type fixture struct {
	b    *borg.Borg
	repo borg.Repo
	data string
}

func newFixture(t *testing.T) *fixture {
	t.Helper()
	need(t)
	f := &fixture{b: &borg.Borg{BaseDir: t.TempDir(), LockWait: 5}, data: t.TempDir()}
	f.repo = borg.Repo{Location: filepath.Join(t.TempDir(), "repo"), Passphrase: "correct horse battery staple"}
	if err := f.b.Init(context.Background(), f.repo); err != nil {
		t.Fatal(err)
	}
	f.backup(t, "files-1", 1<<20)
	return f
}

// backup writes n new random bytes into the data dir and archives it.
func (f *fixture) backup(t *testing.T, name string, n int) {
	t.Helper()
	buf := make([]byte, n)
	rand.Read(buf)
	if err := os.WriteFile(filepath.Join(f.data, name+".bin"), buf, 0o600); err != nil {
		t.Fatal(err)
	}
	if _, err := f.b.Create(context.Background(), f.repo, borg.CreateOptions{Archive: name, Paths: []string{f.data}, Compression: "none"}, nil); err != nil {
		t.Fatal(err)
	}
}

// archivesOf lists the archives of a replica with a borg of its own (a
// fresh cache and security dir, as on a machine restoring from it).
func archivesOf(t *testing.T, location, passphrase string) []string {
	t.Helper()
	b := &borg.Borg{BaseDir: t.TempDir(), LockWait: 5}
	r := borg.Repo{Location: location, Passphrase: passphrase}
	if err := b.Check(context.Background(), r, false); err != nil {
		t.Fatalf("borg check of the replica: %v", err)
	}
	list, err := b.List(context.Background(), r)
	if err != nil {
		t.Fatal(err)
	}
	var names []string
	for _, a := range list {
		names = append(names, a.Name)
	}
	return names
}

func TestReplicateLocal(t *testing.T) {
	f := newFixture(t)
	ctx := context.Background()
	dst := t.TempDir()
	r := &Replicator{Borg: f.b, Rclone: &Rclone{TempDir: t.TempDir()}}
	target := Target{Kind: KindLocal, Path: dst}
	res, err := r.Replicate(ctx, f.repo, "uuid-1", target)
	if err != nil {
		t.Fatal(err)
	}
	if got, want := res.Archives, []string{"files-1"}; !slices.Equal(got, want) {
		t.Errorf("archives = %v; want %v", got, want)
	}
	if res.Copied == 0 || res.Transferred < 1<<20 || res.Files != res.Copied || !strings.Contains(res.Verified, "hashes of all") {
		t.Errorf("first run = %+v", res)
	}
	if got := archivesOf(t, filepath.Join(dst, "uuid-1"), f.repo.Passphrase); !slices.Equal(got, []string{"files-1"}) {
		t.Errorf("replica archives = %v", got)
	}
	if _, err := os.Stat(filepath.Join(dst, "uuid-1", "lock.roster")); !errors.Is(err, os.ErrNotExist) {
		t.Errorf("the replica holds borg's lock file: %v", err)
	}

	f.backup(t, "files-2", 1<<20)
	res, err = r.Replicate(ctx, f.repo, "uuid-1", target)
	if err != nil {
		t.Fatal(err)
	}
	if got, want := res.Archives, []string{"files-1", "files-2"}; !slices.Equal(got, want) {
		t.Errorf("archives = %v; want %v", got, want)
	}
	if res.Copied == 0 || res.Copied >= res.Files || res.Deleted == 0 || !strings.Contains(res.Verified, "of the") {
		t.Errorf("second run copied %d of %d files, deleted %d, verified %q; want only the new ones copied and the old index deleted",
			res.Copied, res.Files, res.Deleted, res.Verified)
	}
	if got := archivesOf(t, filepath.Join(dst, "uuid-1"), f.repo.Passphrase); !slices.Equal(got, []string{"files-1", "files-2"}) {
		t.Errorf("replica archives = %v", got)
	}

	// A large change goes in two passes: the bulk before the lock.
	r.PreCopyAbove = 1
	var steps []string
	r.Trace = func(step string, _ time.Duration) { steps = append(steps, step) }
	f.backup(t, "files-3", 1<<20)
	if res, err = r.Replicate(ctx, f.repo, "uuid-1", target); err != nil {
		t.Fatal(err)
	}
	if i := slices.Index(steps, "borg with-lock (lock taken)"); i < 2 || steps[i-1] != "rclone copy" {
		t.Errorf("steps = %v; want a copy before the lock", steps)
	}
	if !strings.Contains(res.Verified, "hashes of the") {
		t.Errorf("verified = %q", res.Verified)
	}
	if got := archivesOf(t, filepath.Join(dst, "uuid-1"), f.repo.Passphrase); len(got) != 3 {
		t.Errorf("replica archives = %v", got)
	}
}

func TestReplicateNoSecretInArgv(t *testing.T) {
	need(t)
	dir := t.TempDir()
	secret := filepath.Join(dir, "secret")
	os.WriteFile(secret, []byte("s3cr3t-value\n"), 0o600)
	// A fake rclone that records its argv and environment.
	fake := filepath.Join(dir, "rclone")
	os.WriteFile(fake, []byte("#!/bin/sh\necho \"$@\" >> "+dir+"/argv\nenv >> "+dir+"/env\nexit 7\n"), 0o755)
	rc := &Rclone{Path: fake, TempDir: dir}
	s, err := rc.open(Target{Kind: KindS3, Endpoint: "http://127.0.0.1:1", Bucket: "b", AccessKeyID: "AKID", SecretFile: secret})
	if err != nil {
		t.Fatal(err)
	}
	confDir := s.dir
	s.run(context.Background(), "lsjson", "replica:b/x")
	s.close()
	argv, _ := os.ReadFile(filepath.Join(dir, "argv"))
	env, _ := os.ReadFile(filepath.Join(dir, "env"))
	if bytes.Contains(argv, []byte("s3cr3t")) || !bytes.Contains(argv, []byte("--config")) {
		t.Errorf("argv = %s; want the config flag and no secret", argv)
	}
	if !bytes.Contains(env, []byte("RCLONE_CONFIG_REPLICA_SECRET_ACCESS_KEY=s3cr3t-value\n")) {
		t.Errorf("the secret did not reach rclone's environment")
	}
	if _, err := os.Stat(confDir); !errors.Is(err, os.ErrNotExist) {
		t.Errorf("the private config dir %s is left behind", confDir)
	}
}

func TestParseSFTP(t *testing.T) {
	tests := []struct {
		in   string
		want Target
		err  bool
	}{
		{"backup@nas.lan:2222/srv/replicas", Target{Kind: KindSFTP, User: "backup", Host: "nas.lan", Port: 2222, Path: "/srv/replicas"}, false},
		{"u@h", Target{Kind: KindSFTP, User: "u", Host: "h"}, false},
		{"u@h/~/borg", Target{Kind: KindSFTP, User: "u", Host: "h", Path: "borg"}, false},
		{"u@[fd00::1]:23/r", Target{Kind: KindSFTP, User: "u", Host: "fd00::1", Port: 23, Path: "/r"}, false},
		{"nouser.example", Target{}, true},
		{"u@h:99999/x", Target{}, true},
		{"u@h/a/../../etc", Target{}, true},
	}
	for _, tt := range tests {
		got, err := ParseSFTP(tt.in)
		if (err != nil) != tt.err {
			t.Errorf("ParseSFTP(%q) error = %v; want error %v", tt.in, err, tt.err)
			continue
		}
		if !tt.err && got != tt.want {
			t.Errorf("ParseSFTP(%q) = %+v; want %+v", tt.in, got, tt.want)
		}
	}
}

func TestClassify(t *testing.T) {
	tests := []struct {
		log  string
		want error
	}{
		{`couldn't connect SSH: ssh: handshake failed: knownhosts: key mismatch`, ErrHostKeyChanged},
		{`ssh: handshake failed: ssh: unable to authenticate, attempted methods [none publickey]`, ErrAuth},
		{`dial tcp 10.1.0.2:22: connect: connection refused`, ErrUnreachable},
		{`write: no space left on device`, ErrTargetFull},
		{`operation error S3: PutObject, api error InvalidAccessKeyId`, ErrAuth},
		{`something else`, nil},
	}
	for _, tt := range tests {
		if got := classify(tt.log); got != tt.want {
			t.Errorf("classify(%q) = %v; want %v", tt.log, got, tt.want)
		}
	}
	if got := Reason(&Error{Kind: ErrTargetFull}); got != "target full" {
		t.Errorf("Reason = %q", got)
	}
}
