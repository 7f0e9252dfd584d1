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
