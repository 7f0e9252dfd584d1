package app

import (
	"context"
	"strings"
	"testing"
)

func TestChooseFlxFile(t *testing.T) {
	d := newDesk(nil)
	if _, err := d.ChooseFlxFile("Open"); err == nil || !strings.Contains(err.Error(), "desktop window") {
		t.Fatalf("without a window: %v; want it to say a window is needed", err)
	}
	var got FileFilter
	d.fileDialog = func(_ context.Context, title string, f FileFilter) (string, error) {
		got = f
		return "/home/ops/pbx1.flx", nil
	}
	path, err := d.ChooseFlxFile("Open a snapshot")
	if err != nil || path != "/home/ops/pbx1.flx" {
		t.Fatalf("ChooseFlxFile = %q, %v", path, err)
	}
	if got.Pattern != "*.flx;*.flxx" {
		t.Errorf("filter = %q; want *.flx;*.flxx", got.Pattern)
	}
}
