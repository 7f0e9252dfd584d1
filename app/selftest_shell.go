package app

import (
	"encoding/json"
	"fmt"
	"regexp"
	"sort"
	"strconv"
	"strings"
)

// The shell self-test (--self-test --self-test-shell, run by
// build/scripts/desktop-smoke.sh on its seeded data dir: server web1 with a
// job "site" that succeeded and a job "db" that never did) checks in the
// real window what only WebKitGTK can show: the dashboard rates web1 amber
// and names the job db; scrolling the server page to its end moves only the
// content pane, never the sidebar or the document; in the 800 px tall
// window a dialog's footer (Next) is inside the window; and in a 1024×768
// window the Jobs table still shows each job's last run and Run now. On the
// way it shows the first backup's steps (Add server, New job, the archive
// browser, the restore dialog), whose screenshots are README's
// (docs/screenshots, see build/scripts/screenshots.sh).
//
// The page holds each step for a screenshot and reports the regions (in
// window pixels) that desktop-smoke.sh crops out of the screenshots and
// compares: the sidebar before and after scrolling, the dialog's footer
// with the dialog open and closed, and the Jobs table's Run now buttons
// at 1280×800 and at 1024×768.

// selfTestShellEvent carries the page's reports, one per step.
const selfTestShellEvent = "borgdesk:selftest-shell"

// Steps of the shell self-test, in the order the page reports them.
const (
	shellStepTop          = "top"
	shellStepScrolled     = "scrolled"
	shellStepAddServer    = "add-server"
	shellStepNewJob       = "new-job"
	shellStepBrowse       = "browse"
	shellStepDialog       = "dialog"
	shellStepDialogClosed = "dialog-closed"
	shellStepJobsWide     = "jobs-wide"
	shellStepResized      = "resized"
)

// rect is a region of the window in CSS pixels (device pixels under Xvfb).
type rect struct {
	X float64 `json:"x"`
	Y float64 `json:"y"`
	W float64 `json:"w"`
	H float64 `json:"h"`
}

func (r rect) inside(w, h float64) bool {
	return r.W > 0 && r.H > 0 && r.X >= 0 && r.Y >= 0 && r.X+r.W <= w && r.Y+r.H <= h
}

type shellReport struct {
	Step  string `json:"step"`
	Error string `json:"error"`
	// The window's inner size and the regions the script compares.
	ViewWidth  float64         `json:"viewWidth"`
	ViewHeight float64         `json:"viewHeight"`
	Regions    map[string]rect `json:"regions"`

	// top, scrolled
	Web1State      string   `json:"web1State"`
	Reasons        []string `json:"reasons"`
	PaneScrollable bool     `json:"paneScrollable"`
	PaneAtEnd      bool     `json:"paneAtEnd"`
	PaneTop        float64  `json:"paneTop"`
	SidebarTop     float64  `json:"sidebarTop"`
	SidebarBottom  float64  `json:"sidebarBottom"`
	DocScrollTop   float64  `json:"docScrollTop"`

	// add-server, new-job, browse: what the first-backup steps show
	// (README's screenshots are these steps').
	Methods int    `json:"methods"`
	Heading string `json:"heading"`
	Rows    int    `json:"rows"`
	Actions bool   `json:"actions"`

	// jobs-wide, resized
	Width      float64 `json:"width"`
	Height     float64 `json:"height"`
	Jobs       int     `json:"jobs"`
	LastRunsOn int     `json:"lastRunsOn"`
	RunNowOn   int     `json:"runNowOn"`
}

// selfTestShellJS returns the script: it reports each step, holding it
// holdMS for a screenshot: the server page at its top and scrolled to its
// end, the restore dialog open and closed, the Jobs page at 1280×800, then
// makes the window 1024×768 and reports the Jobs page again.
func selfTestShellJS(holdMS int) string {
	return strings.NewReplacer("EVENT", selfTestShellEvent, "HOLD_MS", strconv.Itoa(holdMS)).Replace(`(async () => {
  const sleep = (ms) => new Promise((r) => setTimeout(r, ms));
  const wait = async (sel, tries = 200) => {
    for (let i = 0; i < tries && !document.querySelector(sel); i++) await sleep(50);
    return document.querySelector(sel);
  };
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
  // An element's box (or a rectangle) in whole pixels; its size is rounded
  // on its own, so the same box at another fractional place keeps its size.
  const region = (el) => {
    const r = el.getBoundingClientRect ? el.getBoundingClientRect() : el;
    return { x: Math.round(r.left), y: Math.round(r.top), w: Math.round(r.width), h: Math.round(r.height) };
  };
  // step runs fn, sends its report and holds it for a screenshot; false
  // when the page failed (the report says why and the test ends).
  const step = async (name, fn, hold = true) => {
    const report = { step: name, regions: {} };
    try {
      await fn(report);
      report.viewWidth = innerWidth;
      report.viewHeight = innerHeight;
    } catch (e) {
      report.error = String(e && e.message || e);
    }
    window.runtime.EventsEmit("EVENT", JSON.stringify(report));
    if (!report.error && hold) await sleep(HOLD_MS);
    return !report.error;
  };
  const pane = () => document.querySelector('[data-testid="content"]');
  const sidebar = () => document.querySelector('[data-testid="sidebar"]');
  const sidebarAndPane = (report) => {
    const side = sidebar().getBoundingClientRect();
    report.sidebarTop = side.top;
    report.sidebarBottom = side.bottom;
    report.docScrollTop = document.scrollingElement.scrollTop;
    report.regions.sidebar = region(sidebar());
    report.regions.pane = region(pane());
  };
  const jobs = async (report) => {
    location.hash = '#/jobs';
    await wait('[data-testid="job-row"]');
    await sleep(300);
    const rows = [...document.querySelectorAll('[data-testid="job-row"]')];
    report.width = innerWidth;
    report.height = innerHeight;
    report.jobs = rows.length;
    report.lastRunsOn = rows.filter((r) => onScreen(r.querySelector('[data-testid="job-last-run"]'))).length;
    report.runNowOn = rows.filter((r) => onScreen(r.querySelector('[data-testid="run-now"]'))).length;
    rows.forEach((r, i) => { report.regions['run-now-' + i] = region(r.querySelector('[data-testid="run-now"]')); });
    const cell = rows[0] && rows[0].querySelector('[data-testid="job-last-run"]');
    const head = cell && cell.closest('table').querySelectorAll('thead th')[cell.cellIndex];
    if (head) {
      // The heading's words, not its cell: the cell is as wide as the column.
      const words = document.createRange();
      words.selectNodeContents(head);
      report.regions['last-run-head'] = region(words.getBoundingClientRect());
    }
  };

  const ok = await step("top", async (report) => {
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
    pane().scrollTop = 0;
    await sleep(200);
    report.paneTop = pane().scrollTop;
    sidebarAndPane(report);
  }) && await step("scrolled", async (report) => {
    const p = pane();
    report.paneScrollable = p.scrollHeight > p.clientHeight;
    p.scrollTop = p.scrollHeight;
    // What a wheel turned past the pane's end does when the document can scroll.
    window.scrollTo(0, 100000);
    document.scrollingElement.scrollTop = 100000;
    await sleep(200);
    report.paneAtEnd = p.scrollTop > 0 && p.scrollTop + p.clientHeight >= p.scrollHeight - 1;
    sidebarAndPane(report);
  }) && await step("add-server", async (report) => {
    // README's first step: the Add server dialog, its ways to add one.
    pane().scrollTop = 0;
    location.hash = '#/servers';
    const add = await wait('[data-testid="add-server"]');
    if (!add) throw new Error('the Servers page has no Add server button');
    add.click();
    const submit = await wait('[data-testid="add-server-dialog"] [data-testid="add-server-submit"]');
    if (!submit) throw new Error('the Add server dialog did not open');
    await sleep(300);
    report.methods = document.querySelectorAll('[data-testid^="add-server-method-"]').length;
    report.regions.submit = region(submit);
  }) && await step("new-job", async (report) => {
    document.querySelector('[data-testid="add-server-cancel"]').click();
    for (let i = 0; i < 100 && document.querySelector('[role="dialog"]'); i++) await sleep(50);
    location.hash = '#/jobs/new';
    const heading = await wait('[data-testid="page-job-new"] [data-testid="wizard-heading"]');
    if (!heading) throw new Error('the New job page did not open');
    await sleep(300);
    report.heading = heading.textContent.trim();
    report.regions.next = region(document.querySelector('[data-testid="wizard-next"]'));
  }) && await step("browse", async (report) => {
    // web1's newest archive in the browser.
    location.hash = '#/archives';
    const open = await wait('[data-testid="archive-row"] [data-testid="archive-open"]');
    if (!open) throw new Error('the Archives page lists no archive to browse');
    open.click();
    await wait('[data-testid="browse-row"]');
    // The archive's actions come with its details, after the tree.
    report.actions = Boolean(await wait('[data-testid="archive-keep-toggle"]'));
    await sleep(300);
    report.rows = document.querySelectorAll('[data-testid="browse-row"]').length;
    report.regions.restore = region(document.querySelector('[data-testid="restore-button"]'));
  }) && await step("dialog", async (report) => {
    // The restore dialog of that archive, in the 800 px tall window.
    (await wait('[data-testid="restore-button"]')).click();
    const next = await wait('[data-testid="restore-next"]');
    if (!next) throw new Error('the restore dialog has no Next button');
    await sleep(300);
    report.regions.footer = region(next.closest('footer'));
    report.regions.next = region(next);
  }) && await step("dialog-closed", async (report) => {
    document.querySelector('[data-testid="dialog-close"]').click();
    for (let i = 0; i < 100 && document.querySelector('[role="dialog"]'); i++) await sleep(50);
    if (document.querySelector('[role="dialog"]')) throw new Error('the restore dialog did not close');
    await sleep(300);
  }) && await step("jobs-wide", jobs);
  if (!ok) return;
  await step("resized", async (report) => {
    // Under Xvfb with no window manager GTK may not apply it: the smoke
    // script resizes the window with xdotool as well.
    window.runtime.WindowSetSize(1024, 768);
    for (let i = 0; i < 200 && innerWidth !== 1024; i++) await sleep(50);
    location.hash = '#/';
    await sleep(100);
    await jobs(report);
  }, false);
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
	case shellStepTop:
		return r, fmt.Sprintf("web1 is %s (%s); the server page at its top", r.Web1State, strings.Join(r.Reasons, "; ")), checkTop(r)
	case shellStepScrolled:
		return r, fmt.Sprintf("the server page scrolled to its end, sidebar at %g–%g of %g, document at %g",
			r.SidebarTop, r.SidebarBottom, r.ViewHeight, r.DocScrollTop), checkScrolled(r)
	case shellStepAddServer:
		return r, fmt.Sprintf("the Add server dialog offers %d ways to add a server", r.Methods), checkShown(r, r.Methods >= 3, "submit", "the Add server dialog offers fewer than 3 ways (password, key, install command)")
	case shellStepNewJob:
		return r, fmt.Sprintf("the New job page opens on %q", r.Heading), checkShown(r, r.Heading != "", "next", "the New job page has no step heading")
	case shellStepBrowse:
		return r, fmt.Sprintf("the archive browser lists %d entries, with the archive's actions", r.Rows), checkShown(r, r.Rows > 0 && r.Actions, "restore", "the archive browser lists nothing of web1's archive, or not its actions (keep, rename, delete)")
	case shellStepDialog:
		f := r.Regions["footer"]
		return r, fmt.Sprintf("the restore dialog's footer spans %g–%g of a %g px tall window", f.Y, f.Y+f.H, r.ViewHeight), checkDialog(r)
	case shellStepDialogClosed:
		return r, "the restore dialog closed", nil
	case shellStepJobsWide, shellStepResized:
		return r, fmt.Sprintf("at %gx%g the Jobs page shows last run for %d of %d jobs and Run now for %d",
			r.Width, r.Height, r.LastRunsOn, r.Jobs, r.RunNowOn), checkJobs(r)
	}
	return r, "", fmt.Errorf("self-test shell: unknown step %q", r.Step)
}

func checkTop(r shellReport) error {
	switch {
	case r.Web1State != "amber":
		return fmt.Errorf("self-test shell: the dashboard rates web1 %q, want amber (its job db never succeeded)", r.Web1State)
	case !anyMatch(r.Reasons, namesJob):
		return fmt.Errorf("self-test shell: web1's health reasons %q do not name the job db", r.Reasons)
	case r.PaneTop != 0:
		return fmt.Errorf("self-test shell: the server page did not open at its top (scrolled by %g px)", r.PaneTop)
	}
	return checkSidebar(r)
}

func checkScrolled(r shellReport) error {
	switch {
	case !r.PaneScrollable:
		return fmt.Errorf("self-test shell: the server page is not longer than the window, so scrolling proves nothing")
	case !r.PaneAtEnd:
		return fmt.Errorf("self-test shell: the content pane did not scroll to its end")
	}
	return checkSidebar(r)
}

// checkShown fails a first-backup step that does not show what it must
// (ok), or whose button (region name) is not inside the window.
func checkShown(r shellReport, ok bool, name, missing string) error {
	b, has := r.Regions[name]
	switch {
	case !ok:
		return fmt.Errorf("self-test shell (%s): %s", r.Step, missing)
	case !has || !b.inside(r.ViewWidth, r.ViewHeight):
		return fmt.Errorf("self-test shell (%s): its %s button (%+v) is not inside the %gx%g window", r.Step, name, b, r.ViewWidth, r.ViewHeight)
	}
	return nil
}

func checkSidebar(r shellReport) error {
	switch {
	case r.DocScrollTop != 0:
		return fmt.Errorf("self-test shell: the document scrolled by %g px: the window, not only the content pane, scrolls", r.DocScrollTop)
	case r.SidebarTop != 0 || r.SidebarBottom != r.ViewHeight:
		return fmt.Errorf("self-test shell: the sidebar moved: it spans %g–%g of a %g px window", r.SidebarTop, r.SidebarBottom, r.ViewHeight)
	}
	return nil
}

func checkDialog(r shellReport) error {
	f, ok := r.Regions["footer"]
	switch {
	case r.ViewHeight > 800:
		return fmt.Errorf("self-test shell: the window is %g px tall, not at most 800", r.ViewHeight)
	case !ok || !f.inside(r.ViewWidth, r.ViewHeight):
		return fmt.Errorf("self-test shell: the restore dialog's footer (%+v) is not inside the %gx%g window", f, r.ViewWidth, r.ViewHeight)
	}
	return nil
}

func checkJobs(r shellReport) error {
	switch {
	case r.Step == shellStepResized && (r.Width != 1024 || r.Height > 768):
		return fmt.Errorf("self-test shell: the window is %gx%g after WindowSetSize(1024, 768)", r.Width, r.Height)
	case r.Jobs == 0:
		return fmt.Errorf("self-test shell: the Jobs page shows no job")
	case r.LastRunsOn != r.Jobs:
		return fmt.Errorf("self-test shell: at %gx%g the last-run column is cut off for %d of %d jobs", r.Width, r.Height, r.Jobs-r.LastRunsOn, r.Jobs)
	case r.RunNowOn != r.Jobs:
		return fmt.Errorf("self-test shell: at %gx%g Run now is cut off for %d of %d jobs", r.Width, r.Height, r.Jobs-r.RunNowOn, r.Jobs)
	}
	return nil
}

// regionLines are the lines desktop-smoke.sh reads to crop a step's
// screenshot: the window's size, then each region, sorted by name.
func regionLines(r shellReport) []string {
	lines := []string{fmt.Sprintf("self-test-shell-view: %s %g %g", r.Step, r.ViewWidth, r.ViewHeight)}
	names := make([]string, 0, len(r.Regions))
	for n := range r.Regions {
		names = append(names, n)
	}
	sort.Strings(names)
	for _, n := range names {
		g := r.Regions[n]
		lines = append(lines, fmt.Sprintf("self-test-shell-region: %s %s %g %g %g %g", r.Step, n, g.X, g.Y, g.W, g.H))
	}
	return lines
}

func anyMatch(list []string, re *regexp.Regexp) bool {
	for _, s := range list {
		if re.MatchString(s) {
			return true
		}
	}
	return false
}
