// Package coordinator assembles one running Borgdesk coordinator: it owns a
// data dir (lock first, then the database), builds the service layer, and
// runs every server and loop under one context, waiting for all of them at
// shutdown. The desktop app and `borgdesk serve` both use it.
package coordinator

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"path/filepath"
	"sync"
	"time"

	"borgdesk/backend/adminapi"
	"borgdesk/backend/datadir"
	"borgdesk/backend/events"
	"borgdesk/backend/service"
	"borgdesk/backend/store"
)

// Options configure a coordinator.
type Options struct {
	DataDir string // resolved, absolute
	Socket  string // admin socket path
	Version string
	Logger  *slog.Logger
	Now     func() time.Time
	// Ready, if set, is called once every listener is open.
	Ready func()
}

// Coordinator is an open data dir with its service layer.
type Coordinator struct {
	opts  Options
	log   *slog.Logger
	lock  *datadir.Lock
	store *store.Store
	svc   *service.Service
}

// Open prepares and locks the data dir and opens its database. Nothing in
// the data dir is changed when it fails.
func Open(ctx context.Context, opts Options) (*Coordinator, error) {
	if opts.Logger == nil {
		opts.Logger = slog.New(slog.DiscardHandler)
	}
	if opts.Now == nil {
		opts.Now = time.Now
	}
	if err := datadir.Prepare(opts.DataDir); err != nil {
		return nil, err
	}
	lock, err := datadir.Acquire(opts.DataDir)
	if err != nil {
		return nil, err
	}
	st, err := store.Open(ctx, filepath.Join(opts.DataDir, datadir.DBFile), store.Options{Now: opts.Now})
	if err != nil {
		lock.Release()
		return nil, err
	}
	if n, err := st.FailInterruptedRuns(ctx); err != nil {
		st.Close()
		lock.Release()
		return nil, err
	} else if n > 0 {
		opts.Logger.Warn("marked runs interrupted by the last shutdown as failed", "runs", n)
	}
	svc := service.New(service.Config{Store: st, Bus: events.NewBus(), Now: opts.Now, DataDir: opts.DataDir, Version: opts.Version})
	return &Coordinator{opts: opts, log: opts.Logger, lock: lock, store: st, svc: svc}, nil
}

// Service is the coordinator's service layer.
func (c *Coordinator) Service() *service.Service { return c.svc }

// Run serves until ctx ends, then stops every server and waits for them.
// The first server to fail stops the others and its error is returned.
func (c *Coordinator) Run(ctx context.Context) error {
	ctx, cancel := context.WithCancelCause(ctx)
	defer cancel(nil)
	var wg sync.WaitGroup
	start := func(name string, fn func(context.Context) error) {
		wg.Add(1)
		go func() {
			defer wg.Done()
			if err := fn(ctx); err != nil && !errors.Is(err, context.Canceled) {
				cancel(fmt.Errorf("%s: %w", name, err))
			}
		}()
	}
	// Listeners are opened before Run reports ready, so a client started
	// right after the coordinator finds them, and a busy address fails now.
	adminLn, err := adminapi.Listen(c.opts.Socket)
	if err != nil {
		return err
	}
	admin := adminapi.NewServer(c.svc, c.log)
	start("admin socket", func(ctx context.Context) error { return admin.Serve(ctx, adminLn) })
	if c.opts.Ready != nil {
		c.opts.Ready()
	}
	c.log.Info("coordinator running", "data", c.opts.DataDir, "socket", c.opts.Socket, "version", c.opts.Version)
	<-ctx.Done()
	wg.Wait()
	if err := context.Cause(ctx); err != nil && !errors.Is(err, context.Canceled) {
		return err
	}
	c.log.Info("coordinator stopped")
	return nil
}

// Close closes the database and releases the data dir.
func (c *Coordinator) Close() error {
	err := c.store.Close()
	if lerr := c.lock.Release(); err == nil {
		err = lerr
	}
	return err
}
