package app

import (
	"context"
	"encoding/json"
	"strings"
	"testing"
)

func TestTokenListAndRevoke(t *testing.T) {
	dir := t.TempDir()
	startServe(t, dir)
	ctx := context.Background()
	cli := func(args ...string) result { return runCLI(ctx, nil, append([]string{"--data", dir}, args...)...) }

	if r := cli("token", "list"); r.code != 0 || !strings.Contains(r.stdout, "No enrollment tokens") {
		t.Fatalf("token list on a new coordinator = %+v", r)
	}
	if r := cli("token", "create", "--name", "web1"); r.code != 0 {
		t.Fatalf("token create = %+v", r)
	}
	r := cli("token", "list", "--json")
	var list []struct {
		ID    int64  `json:"id"`
		Name  string `json:"name"`
		State string `json:"state"`
	}
	if r.code != 0 || json.Unmarshal([]byte(r.stdout), &list) != nil || len(list) != 1 || list[0].Name != "web1" || list[0].State != "pending" {
		t.Fatalf("token list --json = %+v; want web1 pending", r)
	}
	if r := cli("token", "list"); r.code != 0 || !strings.Contains(r.stdout, "web1") || !strings.Contains(r.stdout, "pending") {
		t.Fatalf("token list = %+v", r)
	}
	if r := cli("token", "revoke"); r.code != exitUsage || !strings.Contains(r.stderr, "NAME|ID") {
		t.Fatalf("token revoke without a name = %+v", r)
	}
	if r := cli("token", "revoke", "web1"); r.code != 0 || !strings.Contains(r.stdout, "revoked enrollment token") {
		t.Fatalf("token revoke web1 = %+v", r)
	}
	if r := cli("token", "revoke", "web1"); r.code != exitError || !strings.Contains(r.stderr, "no unused enrollment token is named web1") {
		t.Fatalf("token revoke web1 again = %+v", r)
	}
	if r := cli("token", "frob"); r.code != exitUsage || !strings.Contains(r.stderr, "token list") {
		t.Fatalf("token frob = %+v", r)
	}
}
