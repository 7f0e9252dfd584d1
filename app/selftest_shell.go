package app

import (
	"encoding/json"
	"fmt"
	"regexp"
	"strconv"
	"strings"
)

// The shell self-test (--self-test --self-test-shell, run by
// build/scripts/desktop-smoke.sh on its seeded data dir: server web1 with a
// job "site" that succeeded and a job "db" that never did) checks in the
// real window what only WebKitGTK can show: the dashboard rates web1 amber
// and names the job db; scrolling the server page to its end moves only the
// content pane, never the sidebar or the document; and in a 1024×768
// window the Jobs table still shows each job's last run and Run now.

// selfTestShellEvent carries the page's reports, one per step.
const selfTestShellEvent = "borgdesk:selftest-shell"

// Steps of the shell self-test, in the order the page reports them.
const (
	shellStepScrolled = "scrolled"
	shellStepResized  = "resized"
)

type shellReport struct {
	Step  string `json:"step"`
	Error string `json:"error"`

	// scrolled
	Web1State      string   `json:"web1State"`
	Reasons        []string `json:"reasons"`
	PaneScrollable bool     `json:"paneScrollable"`
	PaneAtEnd      bool     `json:"paneAtEnd"`
	SidebarTop     float64  `json:"sidebarTop"`
	SidebarBottom  float64  `json:"sidebarBottom"`
	ViewHeight     float64  `json:"viewHeight"`
	DocScrollTop   float64  `json:"docScrollTop"`

	// resized
	Width      float64 `json:"width"`
	Height     float64 `json:"height"`
	Jobs       int     `json:"jobs"`
	LastRunsOn int     `json:"lastRunsOn"`
	RunNowOn   int     `json:"runNowOn"`
}

// selfTestShellJS returns the script: it reports the dashboard and the
// scrolled server page, waits holdMS (for a screenshot), makes the window
// 1024×768 and reports the Jobs page.
func selfTestShellJS(holdMS int) string {
	return strings.NewReplacer("EVENT", selfTestShellEvent, "HOLD_MS", strconv.Itoa(holdMS)).Replace(`(async () => {
  const sleep = (ms) => new Promise((r) => setTimeout(r, ms));
  const wait = async (sel, tries = 200) => {
    for (let i = 0; i < tries && !document.querySelector(sel); i++) await sleep(50);
    return document.querySelector(sel);
  };
  const send = (report) => window.runtime.EventsEmit("EVENT", JSON.stringify(report));
  // Whole on screen: inside the window and every ancestor that clips it.
  const onScreen = (el) => {
    const r = el.getBoundingClientRect();
    if (!r.width || !r.height || r.left < -1 || r.top < -1 || r.right > innerWidth + 1 || r.bottom > innerHeight + 1) return false;
    for (let p = el.parentElement; p && p !== document.body; p = p.parentElement) {
      const s = getComputedStyle(p), b = p.getBoundingClientRect();
      if (s.overflowX !== 'visible' && (r.left < b.left - 1 || r.right > b.right + 1)) return false;
      if (s.overflowY !== 'visible' && (r.top < b.top - 1 || r.bottom > b.bottom + 1)) return false;
    }
    return true;
  };
  let report = { step: "scrolled" };
  try {
    location.hash = '#/';
    const tile = await wait('[data-testid="health-tile"][data-name="web1"]');
    report.web1State = tile ? tile.dataset.state : '';
    if (tile) {
      tile.click();
      await wait('[data-testid="health-detail"][data-name="web1"]');
      await sleep(100);
    }
    report.reasons = [...document.querySelectorAll('[data-testid="health-detail"] [data-testid="health-reason"]')].map((li) => li.textContent.trim());

    location.hash = '#/servers/web1';
    await wait('[data-testid="page-server-detail"] [data-testid="server-uuid"]');
    await sleep(800); // the metrics, replica and snapshot cards load after the page
    const pane = document.querySelector('[data-testid="content"]');
    report.paneScrollable = pane.scrollHeight > pane.clientHeight;
    pane.scrollTop = pane.scrollHeight;
    // What a wheel turned past the pane's end does when the document can scroll.
    window.scrollTo(0, 100000);
    document.scrollingElement.scrollTop = 100000;
    await sleep(200);
    report.paneAtEnd = pane.scrollTop > 0 && pane.scrollTop + pane.clientHeight >= pane.scrollHeight - 1;
    const side = document.querySelector('[data-testid="sidebar"]').getBoundingClientRect();
    report.sidebarTop = side.top;
    report.sidebarBottom = side.bottom;
    report.viewHeight = innerHeight;
    report.docScrollTop = document.scrollingElement.scrollTop;
  } catch (e) {
    report.error = String(e && e.message || e);
  }
  send(report);
  if (report.error) return;
  await sleep(HOLD_MS);

  report = { step: "resized" };
  try {
    // Under Xvfb with no window manager GTK may not apply it: the smoke
    // script resizes the window with xdotool as well.
    window.runtime.WindowSetSize(1024, 768);
    for (let i = 0; i < 200 && innerWidth !== 1024; i++) await sleep(50);
    location.hash = '#/jobs';
    await wait('[data-testid="job-row"]');
    await sleep(300);
    const rows = [...document.querySelectorAll('[data-testid="job-row"]')];
    report.width = innerWidth;
    report.height = innerHeight;
    report.jobs = rows.length;
    report.lastRunsOn = rows.filter((r) => onScreen(r.querySelector('[data-testid="job-last-run"]'))).length;
    report.runNowOn = rows.filter((r) => onScreen(r.querySelector('[data-testid="run-now"]'))).length;
  } catch (e) {
    report.error = String(e && e.message || e);
  }
  send(report);
})();`)
}

// namesJob matches a reason that names the job db as a word.
var namesJob = regexp.MustCompile(`\bdb\b`)

// checkShellStep judges one report of the page and says what it saw.
func checkShellStep(data []any) (shellReport, string, error) {
	var r shellReport
	if len(data) != 1 {
		return r, "", fmt.Errorf("self-test shell: expected one report, got %d values", len(data))
	}
	raw, _ := data[0].(string)
	if err := json.Unmarshal([]byte(raw), &r); err != nil {
		return r, "", fmt.Errorf("self-test shell: bad report %q: %w", raw, err)
	}
	if r.Error != "" {
		return r, "", fmt.Errorf("self-test shell (%s): the page failed: %s", r.Step, r.Error)
	}
	switch r.Step {
	case shellStepScrolled:
		return r, fmt.Sprintf("web1 is %s (%s); the server page scrolled to its end, sidebar at %g–%g of %g, document at %g",
			r.Web1State, strings.Join(r.Reasons, "; "), r.SidebarTop, r.SidebarBottom, r.ViewHeight, r.DocScrollTop), checkScrolled(r)
	case shellStepResized:
		return r, fmt.Sprintf("at %gx%g the Jobs page shows last run for %d of %d jobs and Run now for %d",
			r.Width, r.Height, r.LastRunsOn, r.Jobs, r.RunNowOn), checkResized(r)
	}
	return r, "", fmt.Errorf("self-test shell: unknown step %q", r.Step)
}

func checkScrolled(r shellReport) error {
	switch {
	case r.Web1State != "amber":
		return fmt.Errorf("self-test shell: the dashboard rates web1 %q, want amber (its job db never succeeded)", r.Web1State)
	case !anyMatch(r.Reasons, namesJob):
		return fmt.Errorf("self-test shell: web1's health reasons %q do not name the job db", r.Reasons)
	case !r.PaneScrollable:
		return fmt.Errorf("self-test shell: the server page is not longer than the window, so scrolling proves nothing")
	case !r.PaneAtEnd:
		return fmt.Errorf("self-test shell: the content pane did not scroll to its end")
	case r.DocScrollTop != 0:
		return fmt.Errorf("self-test shell: the document scrolled by %g px: the window, not only the content pane, scrolls", r.DocScrollTop)
	case r.SidebarTop != 0 || r.SidebarBottom != r.ViewHeight:
		return fmt.Errorf("self-test shell: the sidebar moved: it spans %g–%g of a %g px window", r.SidebarTop, r.SidebarBottom, r.ViewHeight)
	}
	return nil
}

func checkResized(r shellReport) error {
	switch {
	case r.Width != 1024 || r.Height > 768:
		return fmt.Errorf("self-test shell: the window is %gx%g after WindowSetSize(1024, 768)", r.Width, r.Height)
	case r.Jobs == 0:
		return fmt.Errorf("self-test shell: the Jobs page shows no job")
	case r.LastRunsOn != r.Jobs:
		return fmt.Errorf("self-test shell: at 1024x768 the last-run column is cut off for %d of %d jobs", r.Jobs-r.LastRunsOn, r.Jobs)
	case r.RunNowOn != r.Jobs:
		return fmt.Errorf("self-test shell: at 1024x768 Run now is cut off for %d of %d jobs", r.Jobs-r.RunNowOn, r.Jobs)
	}
	return nil
}

func anyMatch(list []string, re *regexp.Regexp) bool {
	for _, s := range list {
		if re.MatchString(s) {
			return true
		}
	}
	return false
}
