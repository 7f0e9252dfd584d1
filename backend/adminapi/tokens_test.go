package adminapi

import (
	"context"
	"errors"
	"testing"
	"time"

	"borgdesk/backend/service"
)

func TestTokensListAndRevoke(t *testing.T) {
	c, st, _ := startServer(t)
	ctx := context.Background()
	tok, err := st.CreateToken(ctx, "web1", "h1", time.Now().Add(time.Hour))
	if err != nil {
		t.Fatal(err)
	}
	list, err := c.ListEnrollmentTokens(ctx)
	if err != nil || len(list) != 1 || list[0].ID != tok.ID || list[0].State != service.TokenPending {
		t.Fatalf("ListEnrollmentTokens = %+v, %v; want web1 pending", list, err)
	}
	revoked, err := c.RevokeEnrollmentToken(ctx, "web1")
	if err != nil || len(revoked) != 1 || revoked[0].Name != "web1" {
		t.Fatalf("RevokeEnrollmentToken(web1) = %+v, %v", revoked, err)
	}
	if _, err := c.RevokeEnrollmentToken(ctx, "web1"); !errors.Is(err, service.ErrNotFound) {
		t.Fatalf("revoking again: %v; want ErrNotFound", err)
	}
	if list, _ := c.ListEnrollmentTokens(ctx); len(list) != 0 {
		t.Fatalf("after revoke: %+v", list)
	}
}
