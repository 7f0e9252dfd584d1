package app

import (
	"crypto/rand"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"strings"
)

// The desktop self-test proves the window is real: JavaScript running in the
// page waits for the Vue shell to render, calls a bound Go method through
// Wails' bridge, and reports back through a Wails event.

// selfTestEvent is the event the page emits with its findings.
const selfTestEvent = "borgdesk:selftest"

type selfTestReport struct {
	Pong     string `json:"pong"`
	Sidebar  bool   `json:"sidebar"`
	NavItems int    `json:"navItems"`
	Servers  int    `json:"servers"`
	Error    string `json:"error"`
}

func newNonce() string {
	b := make([]byte, 16)
	rand.Read(b)
	return hex.EncodeToString(b)
}

// selfTestJS returns the script run in the window.
func selfTestJS(nonce string) string {
	return strings.NewReplacer("NONCE", nonce, "EVENT", selfTestEvent).Replace(`(async () => {
  const report = {};
  try {
    for (let i = 0; i < 200 && !document.querySelector('[data-testid="sidebar"]'); i++) {
      await new Promise(r => setTimeout(r, 50));
    }
    report.sidebar = !!document.querySelector('[data-testid="sidebar"]');
    report.navItems = document.querySelectorAll('[data-testid="sidebar"] a').length;
    report.pong = await window.go.app.Desk.Ping("NONCE");
    report.servers = (await window.go.app.Desk.ListServers()).length;
  } catch (e) {
    report.error = String(e && e.message || e);
  }
  window.runtime.EventsEmit("EVENT", JSON.stringify(report));
})();`)
}

// checkSelfTest judges the page's report.
func checkSelfTest(nonce string, data []any) (selfTestReport, error) {
	var r selfTestReport
	if len(data) != 1 {
		return r, fmt.Errorf("self-test: expected one report, got %d values", len(data))
	}
	raw, ok := data[0].(string)
	if !ok {
		return r, fmt.Errorf("self-test: report is %T, not a string", data[0])
	}
	if err := json.Unmarshal([]byte(raw), &r); err != nil {
		return r, fmt.Errorf("self-test: bad report %q: %w", raw, err)
	}
	switch {
	case r.Error != "":
		return r, fmt.Errorf("self-test: the page failed: %s", r.Error)
	case !r.Sidebar:
		return r, fmt.Errorf("self-test: the Vue shell did not render (no sidebar)")
	case r.NavItems < 6:
		return r, fmt.Errorf("self-test: sidebar has %d links, want 6", r.NavItems)
	case r.Pong != pingReply(nonce):
		return r, fmt.Errorf("self-test: Ping round trip returned %q, want %q", r.Pong, pingReply(nonce))
	}
	return r, nil
}

// selfTestDropEvent is the page's report after a .flx was dropped.
const selfTestDropEvent = "borgdesk:selftest-drop"

// selfTestDropJS waits for the restore view to show the dropped snapshot
// and reports its name and verification as the page shows them.
func selfTestDropJS() string {
	return strings.NewReplacer("EVENT", selfTestDropEvent).Replace(`(async () => {
  const report = {};
  try {
    for (let i = 0; i < 300 && !document.querySelector('[data-testid="flx-restore-view"] [data-testid="flx-name"]'); i++) {
      await new Promise(r => setTimeout(r, 50));
    }
    const view = document.querySelector('[data-testid="flx-restore-view"]');
    report.view = !!view;
    report.name = view ? (view.querySelector('[data-testid="flx-name"]') || {}).textContent || '' : '';
    report.verified = view ? !!view.querySelector('[data-testid="flx-verified"]') : false;
  } catch (e) {
    report.error = String(e && e.message || e);
  }
  window.runtime.EventsEmit("EVENT", JSON.stringify(report));
})();`)
}

type selfTestDropReport struct {
	View     bool   `json:"view"`
	Name     string `json:"name"`
	Verified bool   `json:"verified"`
	Error    string `json:"error"`
}

// checkSelfTestDrop judges the page after the drop of file.
func checkSelfTestDrop(file string, data []any) (selfTestDropReport, error) {
	var r selfTestDropReport
	if len(data) != 1 {
		return r, fmt.Errorf("self-test drop: expected one report, got %d values", len(data))
	}
	raw, _ := data[0].(string)
	if err := json.Unmarshal([]byte(raw), &r); err != nil {
		return r, fmt.Errorf("self-test drop: bad report %q: %w", raw, err)
	}
	base := file[strings.LastIndexByte(file, '/')+1:]
	switch {
	case r.Error != "":
		return r, fmt.Errorf("self-test drop: the page failed: %s", r.Error)
	case !r.View:
		return r, fmt.Errorf("self-test drop: dropping %s did not open the restore view", base)
	case !strings.Contains(r.Name, base):
		return r, fmt.Errorf("self-test drop: the restore view shows %q, not %s", r.Name, base)
	case !r.Verified:
		return r, fmt.Errorf("self-test drop: the restore view does not say the snapshot verified")
	}
	return r, nil
}
