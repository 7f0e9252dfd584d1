package jobs

import (
	"context"
	"errors"
	"sync/atomic"
	"testing"
	"time"
)

// Close waits for one-shot jobs, and their context ends when it is called.
func TestOrchestratorCloseWaitsForJobs(t *testing.T) {
	o := New(nil, nil)
	started := make(chan struct{})
	var finished atomic.Bool
	o.Go("slow", func(ctx context.Context) {
		close(started)
		<-ctx.Done()
		finished.Store(true)
	})
	<-started
	o.Close()
	if !finished.Load() {
		t.Fatal("Close returned before the job did")
	}
	ran := false
	o.Go("late", func(context.Context) { ran = true })
	o.Close()
	if ran {
		t.Error("a job started after Close ran")
	}
}

// After drops its job when the orchestrator stops before the delay ends.
func TestOrchestratorAfterDroppedAtClose(t *testing.T) {
	o := New(nil, nil)
	var ran atomic.Bool
	o.After("retry", time.Hour, func(context.Context) { ran.Store(true) })
	o.Close()
	if ran.Load() {
		t.Error("a job an hour away ran at Close")
	}
	o2 := New(nil, nil)
	done := make(chan struct{})
	o2.After("retry", time.Millisecond, func(context.Context) { close(done) })
	<-done
	o2.Close()
}

// A periodic task runs again after each interval; Run returns when its
// context ends, after the task has returned.
func TestOrchestratorEvery(t *testing.T) {
	o := New(nil, nil)
	runs := make(chan int, 10)
	var n atomic.Int32
	o.Schedule(Every("tick", time.Millisecond, func(ctx context.Context) error {
		runs <- int(n.Add(1))
		return nil
	}))
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan error)
	go func() { done <- o.Run(ctx) }()
	for want := 1; want <= 3; want++ {
		if got := <-runs; got != want {
			t.Fatalf("run %d reported as %d", want, got)
		}
	}
	cancel()
	if err := <-done; err != nil {
		t.Fatalf("Run: %v", err)
	}
	after := n.Load()
	o.Go("late", func(context.Context) { n.Add(100) })
	if n.Load() != after {
		t.Error("the orchestrator ran work after Run returned")
	}
}

// A loop's failure stops the orchestrator and is Run's error; the other
// loops see their context end and are waited for.
func TestOrchestratorLoopFailureStopsRun(t *testing.T) {
	o := New(nil, nil)
	var other atomic.Bool
	o.Loop("watcher", func(ctx context.Context) error {
		<-ctx.Done()
		other.Store(true)
		return ctx.Err()
	})
	boom := errors.New("boom")
	o.Loop("inbox", func(context.Context) error { return boom })
	err := o.Run(context.Background())
	if !errors.Is(err, boom) || err.Error() != "inbox: boom" {
		t.Fatalf("Run = %v, want inbox: boom", err)
	}
	if !other.Load() {
		t.Error("Run returned before the other loop stopped")
	}
	if err := o.Run(context.Background()); err == nil {
		t.Error("a second Run was accepted")
	}
}

// A task that says it is done is not run again.
func TestOrchestratorTaskDone(t *testing.T) {
	o := New(nil, nil)
	ran := make(chan struct{}, 5)
	o.Schedule(&once{ran: ran})
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan error)
	go func() { done <- o.Run(ctx) }()
	<-ran
	// A second, later task proves the queue kept turning after the first.
	second := make(chan struct{})
	o.Schedule(Every("second", time.Millisecond, func(context.Context) error {
		select {
		case <-second:
		default:
			close(second)
		}
		return nil
	}))
	<-second
	cancel()
	<-done
	if len(ran) != 0 {
		t.Errorf("a one-time task ran %d more times", len(ran))
	}
}

type once struct {
	ran  chan struct{}
	done atomic.Bool
}

func (o *once) Name() string { return "once" }
func (o *once) Next(last time.Time) (time.Time, bool) {
	if o.done.Load() {
		return time.Time{}, false
	}
	return last, true
}
func (o *once) Run(context.Context) error { o.done.Store(true); o.ran <- struct{}{}; return nil }
