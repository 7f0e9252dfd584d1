package store

import (
	"context"
	"errors"
	"testing"
	"time"
)

func TestOperatorInviteIsSpentOnce(t *testing.T) {
	st, _ := openTest(t)
	ctx := context.Background()
	if _, err := st.CreateOperatorInvite(ctx, "vera", "viewer", "h1", time.Now().Add(time.Hour)); err != nil {
		t.Fatal(err)
	}
	op, err := st.RedeemOperatorInvite(ctx, "h1", "s1", time.Now().Add(time.Hour))
	if err != nil || op.Name != "vera" || op.Role != "viewer" || op.CertSerial != "s1" {
		t.Fatalf("redeem = %+v, %v", op, err)
	}
	if _, err := st.RedeemOperatorInvite(ctx, "h1", "s2", time.Now().Add(time.Hour)); !errors.Is(err, ErrInviteSpent) {
		t.Errorf("redeem again = %v; want ErrInviteSpent", err)
	}
	if o, _ := st.OperatorByName(ctx, "vera"); o.CertSerial != "s1" {
		t.Errorf("serial after a second redeem = %s; want s1 kept", o.CertSerial)
	}
	// A revoked operator may be invited again and takes the row over.
	if err := st.RevokeOperator(ctx, "vera"); err != nil {
		t.Fatal(err)
	}
	if _, err := st.CreateOperatorInvite(ctx, "vera", "admin", "h2", time.Now().Add(time.Hour)); err != nil {
		t.Fatal(err)
	}
	op, err = st.RedeemOperatorInvite(ctx, "h2", "s3", time.Now().Add(time.Hour))
	if err != nil || op.RevokedAt != nil || op.Role != "admin" || op.CertSerial != "s3" {
		t.Errorf("re-invited = %+v, %v; want vera active as admin with s3", op, err)
	}
}

func TestUpdateJobRefusesAStaleRead(t *testing.T) {
	st, _ := openTest(t)
	ctx := context.Background()
	sv, _ := st.CreateServer(ctx, Server{UUID: "u-web", Name: "web1"})
	job, err := st.CreateJob(ctx, Job{ServerID: sv.ID, Name: "etc", Kind: "files", Enabled: true})
	if err != nil {
		t.Fatal(err)
	}
	def := JobDefinition{Spec: `{"kind":"files"}`, Schedule: "0 3 * * *", Keep: "{}"}
	after, err := st.UpdateJob(ctx, job.ID, def, true, job.UpdatedAt)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := st.UpdateJob(ctx, job.ID, def, false, job.UpdatedAt); !errors.Is(err, ErrConflict) {
		t.Errorf("update from the first read again = %v; want ErrConflict", err)
	}
	if _, err := st.UpdateJob(ctx, job.ID, def, false, after.UpdatedAt); err != nil {
		t.Errorf("update from the latest read: %v", err)
	}
	if _, err := st.UpdateJob(ctx, 999, def, false, after.UpdatedAt); !errors.Is(err, ErrNotFound) {
		t.Errorf("update of no job = %v; want ErrNotFound", err)
	}
}
