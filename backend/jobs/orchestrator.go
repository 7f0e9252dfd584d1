package jobs

import (
	"container/heap"
	"context"
	"errors"
	"fmt"
	"log/slog"
	"sync"
	"sync/atomic"
	"time"
)

// Task is something the orchestrator runs later: Next says when (false when
// it is done for good), Run does it. A task never runs twice at once.
type Task interface {
	Name() string
	// Next is when the task runs next, given the time it last started (or
	// the time it was scheduled, before its first run).
	Next(last time.Time) (time.Time, bool)
	Run(ctx context.Context) error
}

// Orchestrator owns everything the coordinator runs later or in the
// background: periodic tasks (the scheduler, the offline monitor), long
// loops (the repository initializer, the inbox watcher) and one-shot jobs
// started by a request (a drill, a webhook, a rollout, a retry after its
// backoff). Every one of them gets a context that ends when the
// orchestrator stops, and Close or Run waits for all of them: no goroutine
// outlives it.
type Orchestrator struct {
	log    *slog.Logger
	now    func() time.Time
	ctx    context.Context
	cancel context.CancelFunc
	wg     sync.WaitGroup

	mu      sync.Mutex
	queue   taskQueue
	loops   []loop
	running bool
	stopped bool
	kick    chan struct{}
	failed  chan error
}

type loop struct {
	name string
	fn   func(context.Context) error
}

// New returns an orchestrator; one-shot jobs run at once, periodic tasks
// and loops start with Run.
func New(log *slog.Logger, now func() time.Time) *Orchestrator {
	if log == nil {
		log = slog.New(slog.DiscardHandler)
	}
	if now == nil {
		now = time.Now
	}
	ctx, cancel := context.WithCancel(context.Background())
	return &Orchestrator{log: log, now: now, ctx: ctx, cancel: cancel, kick: make(chan struct{}, 1), failed: make(chan error, 1)}
}

// Schedule adds a task; it first runs at t.Next(now).
func (o *Orchestrator) Schedule(t Task) {
	o.mu.Lock()
	defer o.mu.Unlock()
	if o.stopped {
		return
	}
	if at, ok := t.Next(o.now()); ok {
		heap.Push(&o.queue, &entry{task: t, at: at})
	}
	o.poke()
}

// Loop adds a long-running function, started by Run; its error (other than
// the context ending) stops the orchestrator and is Run's result.
func (o *Orchestrator) Loop(name string, fn func(context.Context) error) {
	o.mu.Lock()
	defer o.mu.Unlock()
	o.loops = append(o.loops, loop{name, fn})
	if o.running {
		o.startLoop(loop{name, fn})
	}
}

// Go runs fn now on its own goroutine, with the orchestrator's context. It
// does nothing once the orchestrator has stopped.
func (o *Orchestrator) Go(name string, fn func(ctx context.Context)) {
	o.mu.Lock()
	defer o.mu.Unlock()
	if o.stopped {
		o.log.Debug("not started: the coordinator is stopping", "job", name)
		return
	}
	o.wg.Go(func() { fn(o.ctx) })
}

// After runs fn once after d (a retry's backoff), unless the orchestrator
// stops first. Unlike the periodic tasks it needs no Run.
func (o *Orchestrator) After(name string, d time.Duration, fn func(ctx context.Context)) {
	o.Go(name, func(ctx context.Context) {
		t := time.NewTimer(d)
		defer t.Stop()
		select {
		case <-ctx.Done():
			o.log.Debug("dropped: the coordinator is stopping", "job", name)
		case <-t.C:
			fn(ctx)
		}
	})
}

// Context is the orchestrator's context: it ends when the orchestrator
// stops. Work started by a request that must outlive the request (but not
// the coordinator) runs under it.
func (o *Orchestrator) Context() context.Context { return o.ctx }

// Run starts the loops and the periodic tasks and runs until ctx ends or a
// loop fails; then it stops everything and waits for it.
func (o *Orchestrator) Run(ctx context.Context) error {
	o.mu.Lock()
	if o.running || o.stopped {
		o.mu.Unlock()
		return errors.New("orchestrator: Run called twice")
	}
	o.running = true
	for _, l := range o.loops {
		o.startLoop(l)
	}
	o.mu.Unlock()
	var err error
	timer := time.NewTimer(time.Hour)
	defer timer.Stop()
	for err == nil {
		o.mu.Lock()
		wait := o.dueLocked()
		o.mu.Unlock()
		timer.Reset(wait)
		select {
		case <-ctx.Done():
			o.Close()
			return nil
		case <-o.ctx.Done():
			o.Close()
			return nil
		case err = <-o.failed:
		case <-o.kick:
		case <-timer.C:
		}
	}
	o.Close()
	return err
}

// dueLocked starts every task that is due and returns how long to wait
// for the next one.
func (o *Orchestrator) dueLocked() time.Duration {
	if o.stopped {
		return time.Hour
	}
	now := o.now()
	for o.queue.Len() > 0 {
		e := o.queue[0]
		if e.at.After(now) {
			return e.at.Sub(now)
		}
		heap.Pop(&o.queue)
		o.wg.Go(func() {
			started := o.now()
			if err := e.task.Run(o.ctx); err != nil && !errors.Is(err, context.Canceled) {
				o.log.Warn("background task failed", "task", e.task.Name(), "err", err)
			}
			o.mu.Lock()
			defer o.mu.Unlock()
			if o.stopped {
				return
			}
			if at, ok := e.task.Next(started); ok {
				heap.Push(&o.queue, &entry{task: e.task, at: at})
				o.poke()
			}
		})
	}
	return time.Hour
}

func (o *Orchestrator) startLoop(l loop) {
	o.wg.Go(func() {
		err := l.fn(o.ctx)
		if err != nil && !errors.Is(err, context.Canceled) {
			select {
			case o.failed <- fmt.Errorf("%s: %w", l.name, err):
			default:
			}
		}
	})
}

func (o *Orchestrator) poke() {
	select {
	case o.kick <- struct{}{}:
	default:
	}
}

// Close stops the orchestrator: every context it gave ends, nothing new
// starts, and Close returns when every task, loop and job has returned.
func (o *Orchestrator) Close() {
	o.mu.Lock()
	o.stopped = true
	o.mu.Unlock()
	o.cancel()
	o.wg.Wait()
}

// Every is a task that runs fn every interval, the first time one interval
// after it is scheduled (or at once, after StartNow).
func Every(name string, interval time.Duration, fn func(context.Context) error) *Periodic {
	return &Periodic{name: name, interval: interval, fn: fn}
}

// Periodic is a task that runs every interval.
type Periodic struct {
	name     string
	interval time.Duration
	fn       func(context.Context) error
	first    atomic.Bool // the first run is due at once
}

// StartNow makes the first run due as soon as the orchestrator runs.
func (p *Periodic) StartNow() *Periodic { p.first.Store(true); return p }

// Name names the task in logs.
func (p *Periodic) Name() string { return p.name }

// Next is one interval after the last start.
func (p *Periodic) Next(last time.Time) (time.Time, bool) {
	if p.first.Swap(false) {
		return last, true
	}
	return last.Add(p.interval), true
}

// Run runs the function once.
func (p *Periodic) Run(ctx context.Context) error { return p.fn(ctx) }

type entry struct {
	task  Task
	at    time.Time
	index int
}

type taskQueue []*entry

func (q taskQueue) Len() int           { return len(q) }
func (q taskQueue) Less(i, j int) bool { return q[i].at.Before(q[j].at) }
func (q taskQueue) Swap(i, j int)      { q[i], q[j] = q[j], q[i]; q[i].index = i; q[j].index = j }
func (q *taskQueue) Push(x any)        { e := x.(*entry); e.index = len(*q); *q = append(*q, e) }
func (q *taskQueue) Pop() any {
	old := *q
	e := old[len(old)-1]
	*q = old[:len(old)-1]
	return e
}
