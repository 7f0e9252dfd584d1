package app

import (
	"context"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"borgdesk/backend/events"
	"borgdesk/backend/service"
	"borgdesk/backend/store"
)

type recorder struct {
	mu     sync.Mutex
	emits  []string
	notify chan struct{}
}

func (r *recorder) Emit(name string, data any) {
	r.mu.Lock()
	r.emits = append(r.emits, name)
	r.mu.Unlock()
	select {
	case r.notify <- struct{}{}:
	default:
	}
}
func (r *recorder) ExecJS(string) {}
func (r *recorder) Quit()         {}

func TestForwardEventsToWindow(t *testing.T) {
	st, err := store.Open(context.Background(), filepath.Join(t.TempDir(), "db"), store.Options{})
	if err != nil {
		t.Fatal(err)
	}
	defer st.Close()
	svc := service.New(service.Config{Store: st})
	rec := &recorder{notify: make(chan struct{}, 1)}
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan struct{})
	go func() { forwardEvents(ctx, svc, rec); close(done) }()

	deadline := time.After(5 * time.Second)
	for {
		svc.SetSetting(ctx, "ui.locale", "de")
		select {
		case <-rec.notify:
		case <-time.After(50 * time.Millisecond):
			continue
		case <-deadline:
			t.Fatal("no event reached the window")
		}
		break
	}
	cancel()
	<-done
	rec.mu.Lock()
	defer rec.mu.Unlock()
	if rec.emits[0] != events.SettingsChanged {
		t.Errorf("emitted %v; want %s first", rec.emits, events.SettingsChanged)
	}
}

func TestCheckSelfTest(t *testing.T) {
	const nonce = "abc"
	tests := []struct {
		name    string
		data    []any
		wantErr string
	}{
		{"ok", []any{`{"pong":"pong:abc","sidebar":true,"navItems":6,"servers":0}`}, ""},
		{"wrong pong", []any{`{"pong":"pong:xyz","sidebar":true,"navItems":6}`}, "round trip"},
		{"no sidebar", []any{`{"pong":"pong:abc","sidebar":false}`}, "did not render"},
		{"few links", []any{`{"pong":"pong:abc","sidebar":true,"navItems":2}`}, "2 links"},
		{"page error", []any{`{"error":"window.go is undefined"}`}, "window.go is undefined"},
		{"not a string", []any{42}, "not a string"},
		{"nothing", nil, "one report"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := checkSelfTest(nonce, tt.data)
			if tt.wantErr == "" {
				if err != nil {
					t.Fatalf("err = %v", err)
				}
				return
			}
			if err == nil || !strings.Contains(err.Error(), tt.wantErr) {
				t.Errorf("err = %v; want %q", err, tt.wantErr)
			}
		})
	}
	if js := selfTestJS(nonce); !strings.Contains(js, `Ping("abc")`) || !strings.Contains(js, selfTestEvent) {
		t.Errorf("self-test script does not call Ping with the nonce or report on %s", selfTestEvent)
	}
}
