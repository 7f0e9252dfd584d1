package events

import (
	"os"
	"regexp"
	"slices"
	"testing"
	"time"

	"borgdesk/backend/store"
)

func TestPublishReachesEverySubscriber(t *testing.T) {
	b := NewBus()
	a, c := b.Subscribe(4), b.Subscribe(4)
	b.Publish(store.Event{ID: 1, Kind: ServerChanged})
	for i, s := range []*Subscription{a, c} {
		select {
		case ev := <-s.C:
			if ev.ID != 1 || ev.Kind != ServerChanged {
				t.Errorf("subscriber %d got %+v", i, ev)
			}
		case <-time.After(time.Second):
			t.Fatalf("subscriber %d got nothing", i)
		}
	}
	a.Close()
	if b.Len() != 1 {
		t.Errorf("Len after Close = %d; want 1", b.Len())
	}
	a.Close() // idempotent
}

func TestSlowSubscriberIsCutNotBlocking(t *testing.T) {
	b := NewBus()
	slow := b.Subscribe(2)
	fast := b.Subscribe(100)
	done := make(chan struct{})
	go func() {
		for i := range 10 {
			b.Publish(store.Event{ID: int64(i)})
		}
		close(done)
	}()
	select {
	case <-done:
	case <-time.After(2 * time.Second):
		t.Fatal("Publish blocked on a slow subscriber")
	}
	n := 0
	for range slow.C { // closed after the buffer filled
		n++
	}
	if n != 2 || !slow.Lagged() {
		t.Errorf("slow subscriber: got %d events, lagged=%v; want 2, true", n, slow.Lagged())
	}
	if len(fast.C) != 10 || fast.Lagged() {
		t.Errorf("fast subscriber: %d buffered, lagged=%v; want 10, false", len(fast.C), fast.Lagged())
	}
}

// The window mirrors these names in frontend/src/events.js; a rename on one
// side only would silently stop live updates.
func TestFrontendMirrorsEventNames(t *testing.T) {
	src, err := os.ReadFile("../../frontend/src/events.js")
	if err != nil {
		t.Fatal(err)
	}
	var js []string
	for _, m := range regexp.MustCompile(`export const [A-Z_]+ = '([^']+)'`).FindAllStringSubmatch(string(src), -1) {
		js = append(js, m[1])
	}
	goNames := slices.Clone(All)
	slices.Sort(goNames)
	slices.Sort(js)
	if !slices.Equal(goNames, js) {
		t.Errorf("frontend/src/events.js names %v; Go has %v", js, goNames)
	}
}
