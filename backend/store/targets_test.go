package store

import (
	"context"
	"crypto/ed25519"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
	"golang.org/x/crypto/ssh"
)

func TestTargetHostKeyFingerprint(t *testing.T) {
	pub, _, err := ed25519.GenerateKey(strings.NewReader(strings.Repeat("k", 64)))
	if err != nil {
		t.Fatal(err)
	}
	key, err := ssh.NewPublicKey(pub)
	if err != nil {
		t.Fatal(err)
	}
	line := strings.TrimSpace(string(ssh.MarshalAuthorizedKey(key)))
	tests := []struct {
		name, line, want string
	}{
		{"authorized_keys line", line, ssh.FingerprintSHA256(key)},
		{"with a comment", line + " borgdesk-node", ssh.FingerprintSHA256(key)},
		{"no key yet", "", ""},
		{"not base64", "ssh-ed25519 !!!", ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := keyFingerprint(tt.line); got != tt.want {
				t.Errorf("keyFingerprint(%q) = %q; want %q", tt.line, got, tt.want)
			}
		})
	}

	st, _ := openTest(t)
	ctx := context.Background()
	tg, err := st.CreateTarget(ctx, Target{Name: "box", Kind: TargetHosted, Host: "box.example", Port: 23, User: "u1", Path: "./repos", HostKey: line})
	if err != nil {
		t.Fatal(err)
	}
	if tg.HostKeyFP != ssh.FingerprintSHA256(key) {
		t.Errorf("CreateTarget: host_key_fingerprint = %q; want %q", tg.HostKeyFP, ssh.FingerprintSHA256(key))
	}
}

func TestRepoTargets(t *testing.T) {
	st, _ := openTest(t)
	ctx := context.Background()
	var ids []int64
	for _, name := range []string{"web1", "db1", "nas1"} {
		sv, err := st.CreateServer(ctx, Server{UUID: "u-" + name, Name: name})
		if err != nil {
			t.Fatal(err)
		}
		ids = append(ids, sv.ID)
	}
	node, err := st.CreateTarget(ctx, Target{Name: "nas1", Kind: TargetNode, ServerID: ids[2], Host: "10.0.0.9", Port: 2222, Path: "/srv/borg", Listen: ":2222"})
	if err != nil {
		t.Fatal(err)
	}
	box, err := st.CreateTarget(ctx, Target{Name: "box", Kind: TargetHosted, Host: "box.example", Port: 23, User: "u1", Path: "./repos"})
	if err != nil {
		t.Fatal(err)
	}

	got, err := st.RepoTargets(ctx)
	if err != nil || len(got) != 0 {
		t.Fatalf("RepoTargets with every repository on the coordinator = %v, %v; want an empty map", got, err)
	}
	if err := st.SetRepoTarget(ctx, ids[0], node.ID); err != nil {
		t.Fatal(err)
	}
	if err := st.SetRepoTarget(ctx, ids[1], box.ID); err != nil {
		t.Fatal(err)
	}
	got, err = st.RepoTargets(ctx)
	if err != nil {
		t.Fatal(err)
	}
	if diff := cmp.Diff(map[int64]string{ids[0]: "nas1", ids[1]: "box"}, got); diff != "" {
		t.Errorf("RepoTargets (-want +got):\n%s", diff)
	}
	if err := st.SetRepoTarget(ctx, ids[1], 0); err != nil {
		t.Fatal(err)
	}
	got, _ = st.RepoTargets(ctx)
	if diff := cmp.Diff(map[int64]string{ids[0]: "nas1"}, got); diff != "" {
		t.Errorf("RepoTargets after db1 came back to the coordinator (-want +got):\n%s", diff)
	}
}
