//go:build desktop || bindings || dev

package app

import (
	"context"
	"errors"
	"fmt"
	"io"
	"time"

	"github.com/wailsapp/wails/v2/pkg/runtime"
)

// shellHoldMS is how long the page holds each step, for desktop-smoke.sh's
// screenshot of it.
const shellHoldMS = 2500

// startShellSelfTest runs the shell self-test in the window: it prints a
// line per step the page reports, and after the last one keeps the window
// open for hold, then quits; fail ends the app with an error.
func startShellSelfTest(ctx, wctx context.Context, p platform, out io.Writer, hold time.Duration, fail func(error)) {
	runtime.EventsOn(wctx, selfTestShellEvent, func(data ...any) {
		r, saw, err := checkShellStep(data)
		if err != nil {
			fail(err)
			return
		}
		for _, l := range regionLines(r) {
			fmt.Fprintln(out, l)
		}
		fmt.Fprintf(out, "self-test-shell: %s: %s\n", r.Step, saw)
		if r.Step != shellStepResized {
			return
		}
		fmt.Fprintln(out, "self-test-shell: ok")
		go func() {
			select {
			case <-time.After(hold):
			case <-ctx.Done():
			}
			p.Quit()
		}()
	})
	go func() {
		select {
		case <-time.After(90 * time.Second):
			fail(errors.New("self-test shell: the page did not finish within 90 s"))
		case <-ctx.Done():
		}
	}()
	p.ExecJS(selfTestShellJS(shellHoldMS))
}
