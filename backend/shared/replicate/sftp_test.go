//go:build linux

package replicate

import (
	"context"
	"errors"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"golang.org/x/crypto/ssh"

	"borgdesk/backend/rollout/testhost"
)

// sftpTarget is a replication target on host h: a key of its own in
// root's authorized_keys (when authorize) and the host key pinned after
// comparing it with the host's own file, as the operator would.
func sftpTarget(t *testing.T, h *testhost.Host, authorize bool) Target {
	t.Helper()
	keys := t.TempDir()
	tg := Target{Kind: KindSFTP, Host: h.IP, Port: h.Port, User: "root", Path: "/root/replicas",
		KeyFile: filepath.Join(keys, "replica_ed25519"), KnownHostsFile: filepath.Join(keys, "known_hosts")}
	pub, err := EnsureKey(tg.KeyFile, "borgdesk-replica@test")
	if err != nil {
		t.Fatal(err)
	}
	if authorize {
		h.AuthorizeKey(t, "root", AuthorizedKeysLine(pub))
	}
	hk, err := ProbeHostKey(context.Background(), h.IP, h.Port)
	if err != nil {
		t.Fatal(err)
	}
	onHost, err := os.ReadFile(filepath.Join(h.Root, hk.File))
	if err != nil {
		t.Fatalf("the probe names %s: %v", hk.File, err)
	}
	k, _, _, _, err := ssh.ParseAuthorizedKey(onHost)
	if err != nil || ssh.FingerprintSHA256(k) != hk.Fingerprint {
		t.Fatalf("probed %s %s; the host's %s says %v", hk.Type, hk.Fingerprint, hk.File, err)
	}
	if err := PinHostKey(tg.KnownHostsFile, tg, hk); err != nil {
		t.Fatal(err)
	}
	return tg
}

// TestReplicateSFTP replicates to a real OpenSSH sshd in a network
// namespace, checks the replica with borg, then replicates a new backup.
func TestReplicateSFTP(t *testing.T) {
	f := newFixture(t)
	h := testhost.NewNetwork(t).AddHost(t, testhost.Options{})
	tg := sftpTarget(t, h, true)
	r := &Replicator{Borg: f.b, Rclone: &Rclone{TempDir: t.TempDir()}}
	ctx := context.Background()
	res, err := r.Replicate(ctx, f.repo, "uuid-1", tg)
	if err != nil {
		t.Fatal(err)
	}
	t.Logf("first: %d files, %d bytes in %s (lock %s), verified %s", res.Files, res.Bytes, res.Duration, res.LockHeld, res.Verified)
	if !strings.Contains(res.Verified, "MD5 hashes of all") {
		t.Errorf("verified = %q; want MD5 over SFTP (the host has md5sum)", res.Verified)
	}
	replica := filepath.Join(h.Root, "root/replicas/uuid-1")
	if got := archivesOf(t, replica, f.repo.Passphrase); !slices.Equal(got, []string{"files-1"}) {
		t.Errorf("replica archives = %v", got)
	}
	f.backup(t, "files-2", 1<<20)
	if res, err = r.Replicate(ctx, f.repo, "uuid-1", tg); err != nil {
		t.Fatal(err)
	}
	if got := archivesOf(t, replica, f.repo.Passphrase); !slices.Equal(got, []string{"files-1", "files-2"}) || !slices.Equal(res.Archives, got) {
		t.Errorf("replica archives = %v, result %v; want files-1 and files-2", got, res.Archives)
	}
}

// TestReplicateSFTPFaults: a key the target does not know, a port nothing
// listens on, and a host key that changed are refused with what to do.
func TestReplicateSFTPFaults(t *testing.T) {
	f := newFixture(t)
	h := testhost.NewNetwork(t).AddHost(t, testhost.Options{})
	r := &Replicator{Borg: f.b, Rclone: &Rclone{TempDir: t.TempDir()}}
	ctx := context.Background()

	tg := sftpTarget(t, h, false)
	_, err := r.Replicate(ctx, f.repo, "uuid-1", tg)
	if !errors.Is(err, ErrAuth) || !strings.Contains(err.Error(), "authorized_keys") {
		t.Errorf("unauthorized key: %v; want %v with the authorized_keys hint", err, ErrAuth)
	}

	closed := tg
	closed.Port = 2
	_, err = r.Replicate(ctx, f.repo, "uuid-1", closed)
	if !errors.Is(err, ErrUnreachable) {
		t.Errorf("closed port: %v; want %v", err, ErrUnreachable)
	}

	tg = sftpTarget(t, h, true)
	h.RegenerateHostKeys(t)
	_, err = r.Replicate(ctx, f.repo, "uuid-1", tg)
	if !errors.Is(err, ErrHostKeyChanged) || !strings.Contains(err.Error(), "offered ecdsa") {
		t.Errorf("changed host key: %v; want %v with the new fingerprint", err, ErrHostKeyChanged)
	}
	if _, err := os.Stat(filepath.Join(h.Root, "root/replicas")); !errors.Is(err, os.ErrNotExist) {
		t.Errorf("something reached the target: %v", err)
	}
}

// TestReplicateSFTPTargetFull fills a small target: the run ends "target
// full" and the previous replica still opens with its archives.
func TestReplicateSFTPTargetFull(t *testing.T) {
	f := newFixture(t)
	h := testhost.NewNetwork(t).AddHost(t, testhost.Options{DiskLimit: "24m"})
	tg := sftpTarget(t, h, true)
	r := &Replicator{Borg: f.b, Rclone: &Rclone{TempDir: t.TempDir()}}
	ctx := context.Background()
	if _, err := r.Replicate(ctx, f.repo, "uuid-1", tg); err != nil {
		t.Fatal(err)
	}
	f.backup(t, "files-2", 32<<20) // random: borg cannot make it smaller
	_, err := r.Replicate(ctx, f.repo, "uuid-1", tg)
	if !errors.Is(err, ErrTargetFull) || Reason(err) != "target full" {
		t.Fatalf("replicating 32 MiB to a 24 MiB disk: %v; want %v", err, ErrTargetFull)
	}
	t.Logf("the operator reads: %v", err)
	for _, want := range []string{"is full", "free there", "previous replica is intact", "Nothing was lost in the source"} {
		if !strings.Contains(err.Error(), want) {
			t.Errorf("message lacks %q: %v", want, err)
		}
	}
	replica := filepath.Join(h.Root, "root/replicas/uuid-1")
	if got := archivesOf(t, replica, f.repo.Passphrase); !slices.Equal(got, []string{"files-1"}) {
		t.Errorf("previous replica archives = %v; want files-1", got)
	}
	src := &Replicator{Borg: f.b}
	if got := archivesOf(t, f.repo.Location, f.repo.Passphrase); !slices.Equal(got, []string{"files-1", "files-2"}) {
		t.Errorf("source archives = %v (%v)", got, src)
	}
}
