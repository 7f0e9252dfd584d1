package app

import (
	"context"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"borgdesk/backend/coordinator"
)

// The window's export: the passphrase is checked before the save dialog
// opens; a cancelled dialog writes nothing; a chosen path gets the kit.
func TestDeskExportRecoveryKit(t *testing.T) {
	ctx := context.Background()
	dir := t.TempDir()
	c, err := coordinator.Open(ctx, coordinator.Options{DataDir: dir, Socket: filepath.Join(dir, "s.sock"), Version: "test",
		GatewayListen: "127.0.0.1:0", SSHListen: "127.0.0.1:0"})
	if err != nil {
		t.Fatal(err)
	}
	defer c.Close()
	d := newDesk(c.Service())
	var asked []string
	answer := ""
	d.saveDialog = func(_ context.Context, title, name string) (string, error) {
		asked = append(asked, name)
		return answer, nil
	}
	if _, err := d.ExportRecoveryKit("too short"); err == nil || !strings.Contains(err.Error(), "at least 12") || len(asked) != 0 {
		t.Fatalf("short passphrase: %v (dialog asked %v)", err, asked)
	}
	res, err := d.ExportRecoveryKit("long enough passphrase")
	if err != nil || res.Path != "" || len(asked) != 1 || !strings.HasPrefix(asked[0], "borgdesk-recovery-kit-") || !strings.HasSuffix(asked[0], ".age") {
		t.Fatalf("cancelled dialog: %+v, %v, asked %v", res, err, asked)
	}
	if st, _ := d.GetRecoveryKitStatus(); st.LastExport != nil {
		t.Fatal("a cancelled export was recorded")
	}
	answer = filepath.Join(t.TempDir(), "kit.age")
	res, err = d.ExportRecoveryKit("long enough passphrase")
	if err != nil || res.Path != answer || res.Size == 0 {
		t.Fatalf("export: %+v, %v", res, err)
	}
	if _, err := os.Stat(answer); err != nil {
		t.Fatal(err)
	}
	if st, _ := d.GetRecoveryKitStatus(); st.LastExport == nil || st.Stale {
		t.Errorf("status after the export = %+v", st)
	}
	d.saveDialog = nil
	if _, err := d.ExportRecoveryKit("long enough passphrase"); err == nil || !strings.Contains(err.Error(), "recovery-kit export") {
		t.Errorf("without a window: %v", err)
	}
}
