package app

import (
	"context"

	"borgdesk/backend/events"
	"borgdesk/backend/service"
	"borgdesk/backend/store"
)

// platform is the part of the desktop runtime the shell uses. The Wails
// implementation lives in desktop.go; tests use a recorder.
type platform interface {
	Emit(name string, data any)
	ExecJS(js string)
	Quit()
}

// forwardEvents relays the service's events to the window until ctx ends.
// If the window falls behind, every store is told to re-read its state
// (one event of each kind) and forwarding resumes.
func forwardEvents(ctx context.Context, svc *service.Service, p platform) {
	for ctx.Err() == nil {
		sub := svc.Subscribe(1024)
		drain(ctx, sub.C, p)
		sub.Close()
		if ctx.Err() == nil {
			for _, name := range events.All {
				p.Emit(name, map[string]string{"kind": name, "message": "resync"})
			}
		}
	}
}

func drain(ctx context.Context, c <-chan store.Event, p platform) {
	for {
		select {
		case <-ctx.Done():
			return
		case ev, ok := <-c:
			if !ok {
				return
			}
			p.Emit(ev.Kind, ev)
		}
	}
}
