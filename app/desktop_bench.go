//go:build desktop || bindings || dev

package app

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"time"

	"github.com/wailsapp/wails/v2/pkg/runtime"
)

// start answers the probe's requests, prints its report as one line of
// JSON on out and quits; fail ends the app with an error.
func (b *benchRun) start(ctx, wctx context.Context, out io.Writer, quit func(), fail func(error)) {
	runtime.EventsOn(wctx, benchAskEvent, func(data ...any) {
		raw := ""
		if len(data) == 1 {
			raw, _ = data[0].(string)
		}
		go func() {
			reply, _ := json.Marshal(answerBench(ctx, b.svc, raw))
			runtime.EventsEmit(wctx, benchDoneEvent, string(reply))
		}()
	})
	runtime.EventsOnce(wctx, benchReportEvent, func(data ...any) {
		line, err := checkBenchReport(data, b.launched, b.coordOpen)
		if err != nil {
			fail(err)
			return
		}
		fmt.Fprintf(out, "self-test-bench: %s\n", line)
		quit()
	})
	go func() {
		select {
		case <-time.After(3 * time.Minute):
			fail(errors.New("self-test bench: no report from the page within 3 minutes"))
		case <-ctx.Done():
		}
	}()
}
