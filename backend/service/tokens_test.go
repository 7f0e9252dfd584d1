package service

import (
	"context"
	"errors"
	"strconv"
	"testing"
	"time"

	"borgdesk/backend/store"
)

func TestEnrollmentTokensListAndRevoke(t *testing.T) {
	svc, st := newTest(t)
	ctx := context.Background()
	now := time.Now()
	mustToken := func(name, hash string, expires time.Time) store.Token {
		t.Helper()
		tok, err := st.CreateToken(ctx, name, hash, expires)
		if err != nil {
			t.Fatal(err)
		}
		return tok
	}
	web := mustToken("web1", "h-web1", now.Add(time.Hour))
	old := mustToken("old", "h-old", now.Add(-time.Minute))
	db := mustToken("db1", "h-db1", now.Add(time.Hour))
	if _, err := st.Enroll(ctx, store.Enrollment{TokenHash: "h-db1", Name: "db1", UUID: "u-db1", SSHPublicKey: "ssh-ed25519 AAAA db1", CertNotAfter: now.Add(time.Hour)}); err != nil {
		t.Fatal(err)
	}
	web2 := mustToken("web1", "h-web1-again", now.Add(2*time.Hour))

	list, err := svc.ListEnrollmentTokens(ctx)
	if err != nil {
		t.Fatal(err)
	}
	states := map[int64]string{}
	for _, tok := range list {
		states[tok.ID] = tok.State
	}
	want := map[int64]string{web.ID: TokenPending, old.ID: TokenExpired, db.ID: TokenUsed, web2.ID: TokenPending}
	if len(states) != len(want) {
		t.Fatalf("listed %d tokens; want %d: %+v", len(states), len(want), list)
	}
	for id, w := range want {
		if states[id] != w {
			t.Errorf("token %d is %q; want %q", id, states[id], w)
		}
	}
	if list[0].ID != web2.ID {
		t.Errorf("first listed is token %d; want the newest, %d", list[0].ID, web2.ID)
	}
	for _, tok := range list {
		if tok.ID == db.ID && (tok.ServerUUID != "u-db1" || tok.UsedAt == nil) {
			t.Errorf("used token = %+v; want server u-db1 and a use time", tok)
		}
	}

	for _, tc := range []struct {
		name, ref string
		wantErr   error
		revoked   int
	}{
		{"a used token is refused: revoke the server", "db1", ErrInvalid, 0},
		{"by id", itoa(old.ID), nil, 1},
		{"by name, every unused one", "web1", nil, 2},
		{"nothing left to revoke", "web1", ErrNotFound, 0},
		{"unknown", "nope", ErrNotFound, 0},
		{"empty", " ", ErrInvalid, 0},
	} {
		t.Run(tc.name, func(t *testing.T) {
			got, err := svc.RevokeEnrollmentToken(ctx, tc.ref)
			if !errors.Is(err, tc.wantErr) || len(got) != tc.revoked {
				t.Fatalf("RevokeEnrollmentToken(%q) = %d tokens, %v; want %d, %v", tc.ref, len(got), err, tc.revoked, tc.wantErr)
			}
		})
	}
	list, _ = svc.ListEnrollmentTokens(ctx)
	if len(list) != 1 || list[0].ID != db.ID {
		t.Fatalf("left after revoking = %+v; want only the used token", list)
	}
	if _, err := st.UsableToken(ctx, "h-web1"); !errors.Is(err, store.ErrNotFound) {
		t.Fatalf("a revoked token is still usable: %v", err)
	}
}

func itoa(n int64) string { return strconv.FormatInt(n, 10) }
