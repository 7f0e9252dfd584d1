//go:build desktop || bindings || dev

package app

import (
	"borgdesk/backend/diagnostics"
	"context"
	"errors"
	"fmt"
	"io/fs"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"github.com/wailsapp/wails/v2"
	"github.com/wailsapp/wails/v2/pkg/options"
	"github.com/wailsapp/wails/v2/pkg/options/assetserver"
	"github.com/wailsapp/wails/v2/pkg/options/linux"
	"github.com/wailsapp/wails/v2/pkg/runtime"

	"borgdesk/backend/coordinator"
	"borgdesk/backend/datadir"
	"borgdesk/backend/mounts"
)

// wailsPlatform is the platform seam over the Wails runtime. Its Quit
// really quits: it marks the shell as quitting, so the window does not
// hide to the tray instead.
type wailsPlatform struct {
	ctx      context.Context
	quitting *atomic.Bool
}

func (p wailsPlatform) Emit(name string, data any) { runtime.EventsEmit(p.ctx, name, data) }
func (p wailsPlatform) ExecJS(js string)           { runtime.WindowExecJS(p.ctx, js) }
func (p wailsPlatform) Quit() {
	p.quitting.Store(true)
	runtime.Quit(p.ctx)
}

// runDesktop opens the window over a coordinator that owns the data dir.
// The coordinator, the event forwarder and the self-test all run under one
// context that ends when the window closes (or on SIGINT/SIGTERM), and the
// window does not finish closing before they have stopped.
func runDesktop(ctx context.Context, g globals, e env) error {
	launched := time.Now()
	dist, err := fs.Sub(e.assets, "frontend/dist")
	if err != nil {
		return fmt.Errorf("frontend assets: %w", err)
	}
	var desk *Desk
	var coord *coordinator.Coordinator
	var window wailsContext
	var bench *benchRun
	logger, logPath := newLogger(e.stderr), ""
	if !bindingsOnly {
		log, err := openCoordLog(e, g.coord.logLevel, g.coord.logFile)
		if err != nil {
			return err
		}
		defer log.Close()
		logger = log.Logger
		logPath = log.path
	}
	shell := &trayShell{logger: logger}
	if !bindingsOnly {
		if err := checkDisplay(e.getenv); err != nil {
			return err
		}
		if _, err := fs.Stat(dist, "index.html"); err != nil {
			return errors.New("this binary was built without the frontend (frontend/dist/index.html is missing); build it with `make build`")
		}
		opts, err := g.options(e, logger)
		if err != nil {
			return err
		}
		if g.selfTestBench {
			if err := checkBenchDataDir(opts.DataDir); err != nil {
				return err
			}
		}
		// Alerts reach the desktop through the tray shell's notifier, once
		// the window has started it.
		opts.Desktop = shell.alert
		coord, err = coordinator.Open(ctx, opts)
		if err != nil {
			return err
		}
		defer coord.Close()
		desk = newDesk(coord.Service())
		desk.diag = diagnostics.Paths{Socket: opts.Socket, LogFile: logPath, Getenv: e.getenv}
		shell.svc = coord.Service()
		// Native dialogs need Wails' own context (the one OnStartup gets),
		// not the coordinator's: Wails exits the process otherwise.
		desk.saveDialog = func(_ context.Context, title, name string) (string, error) {
			wctx := window.get()
			if wctx == nil {
				return "", errors.New("the window is not ready yet")
			}
			return runtime.SaveFileDialog(wctx, runtime.SaveDialogOptions{Title: title, DefaultFilename: name})
		}
		desk.openFolder = mounts.OpenInFileManager
		desk.fileDialog = func(_ context.Context, title string, f FileFilter) (string, error) {
			wctx := window.get()
			if wctx == nil {
				return "", errors.New("the window is not ready yet")
			}
			return runtime.OpenFileDialog(wctx, runtime.OpenDialogOptions{Title: title, Filters: []runtime.FileFilter{{DisplayName: f.Name, Pattern: f.Pattern}}})
		}
		desk.dirs = &dataDirs{inUse: datadir.Resolution{Dir: opts.DataDir, From: g.dataFrom}, flag: g.data, getenv: e.getenv,
			folderDialog: func(_ context.Context, title, start string) (string, error) {
				wctx := window.get()
				if wctx == nil {
					return "", errors.New("the window is not ready yet")
				}
				return runtime.OpenDirectoryDialog(wctx, runtime.OpenDialogOptions{Title: title, DefaultDirectory: start, CanCreateDirectories: true})
			}}
		if g.selfTestBench {
			if bench, err = newBenchRun(ctx, dist, coord.Service(), launched); err != nil {
				return err
			}
		}
	} else {
		desk = newDesk(nil)
	}

	ctx, cancel := context.WithCancel(ctx)
	defer cancel()
	var wg sync.WaitGroup
	var mu sync.Mutex
	var runErr error
	fail := func(err error, p platform) {
		mu.Lock()
		if runErr == nil {
			runErr = err
		}
		mu.Unlock()
		p.Quit()
	}
	nonce := newNonce()
	// openSnapshots shows .flx files in the restore view (flx:opened).
	openSnapshots := func(paths []string) {
		for _, path := range paths {
			if _, err := desk.OpenFlx(path); err != nil {
				desk.svc.Notify(ctx, fmt.Sprintf("could not open %s: %v", path, err))
			}
		}
	}

	opts := &options.App{
		Title:            "Borgdesk",
		Width:            1280,
		Height:           800,
		MinWidth:         960,
		MinHeight:        600,
		BackgroundColour: &options.RGBA{R: 17, G: 24, B: 39, A: 255},
		AssetServer:      &assetserver.Options{Assets: dist, Middleware: bench.middleware()},
		Bind:             []any{desk},
		DragAndDrop:      &options.DragAndDrop{EnableFileDrop: true},
		Linux:            &linux.Options{ProgramName: "borgdesk", WebviewGpuPolicy: linux.WebviewGpuPolicyNever},
		OnStartup: func(wctx context.Context) {
			if coord == nil {
				return
			}
			p := wailsPlatform{ctx: wctx, quitting: &shell.quitting}
			desk.setContext(ctx)
			window.set(wctx)
			wg.Add(3)
			go func() {
				defer wg.Done()
				if err := coord.Run(ctx); err != nil {
					fail(err, p)
				}
			}()
			go func() { defer wg.Done(); forwardEvents(ctx, coord.Service(), p) }()
			go func() { defer wg.Done(); <-ctx.Done(); p.Quit() }() // SIGINT/SIGTERM close the window
			// Files dropped on the window (and, through Wails, the
			// wails:file-drop event) open in the restore view.
			runtime.OnFileDrop(wctx, func(x, y int, paths []string) { openSnapshots(paths) })
			// The tray and desktop notifications; closing the window hides
			// it to the tray while the coordinator keeps serving.
			shell.start(ctx, wctx)
			if bench != nil {
				bench.start(ctx, wctx, e.stdout, p.Quit, func(err error) { fail(err, p) })
			}
		},
		OnBeforeClose: func(wctx context.Context) bool {
			if coord == nil || ctx.Err() != nil {
				return false
			}
			return shell.beforeClose(wctx)
		},
		OnDomReady: func(wctx context.Context) {
			if coord == nil {
				return
			}
			// Snapshots named on the command line (a double-click in the
			// file manager) open once the page listens.
			openSnapshots(g.openFiles)
			g.openFiles = nil
			if !g.selfTest || bench != nil {
				return
			}
			p := wailsPlatform{ctx: wctx, quitting: &shell.quitting}
			// reported ends the 30 s wait below: the shell and drop tests
			// that follow keep their own time limits.
			reported := make(chan struct{})
			runtime.EventsOnce(wctx, selfTestEvent, func(data ...any) {
				close(reported)
				r, err := checkSelfTest(nonce, data)
				if err != nil {
					fail(err, p)
					return
				}
				fmt.Fprintf(e.stdout, "self-test: ok (ping round trip, %d nav links, %d servers)\n", r.NavItems, r.Servers)
				if g.selfTestShell {
					startShellSelfTest(ctx, wctx, p, e.stdout, g.selfTestHold, func(err error) { fail(err, p) })
					return
				}
				if g.selfTestDrop != "" {
					runtime.EventsOnce(wctx, selfTestDropEvent, func(data ...any) {
						d, err := checkSelfTestDrop(g.selfTestDrop, data)
						if err != nil {
							fail(err, p)
							return
						}
						fmt.Fprintf(e.stdout, "self-test: ok (dropped %s: the restore view shows %q, verified)\n", g.selfTestDrop, strings.TrimSpace(d.Name))
						go func() {
							select {
							case <-time.After(g.selfTestHold):
							case <-ctx.Done():
							}
							p.Quit()
						}()
					})
					// The same path a real drop takes: Wails' file-drop event.
					runtime.EventsEmit(wctx, "wails:file-drop", 400, 300, []string{g.selfTestDrop})
					p.ExecJS(selfTestDropJS())
					return
				}
				go func() {
					select {
					case <-time.After(g.selfTestHold):
					case <-ctx.Done():
					}
					p.Quit()
				}()
			})
			go func() {
				select {
				case <-time.After(30 * time.Second):
					fail(errors.New("self-test: no report from the page within 30 s"), p)
				case <-reported:
				case <-ctx.Done():
				}
			}()
			p.ExecJS(selfTestJS(nonce))
		},
		OnShutdown: func(context.Context) {
			cancel()
			shell.stop()
			wg.Wait()
		},
	}
	if err := wails.Run(opts); err != nil {
		return fmt.Errorf("desktop window: %w", err)
	}
	cancel()
	wg.Wait()
	mu.Lock()
	defer mu.Unlock()
	return runErr
}

// wailsContext holds the context Wails gives OnStartup, which its runtime
// calls (dialogs) need.
type wailsContext struct {
	mu  sync.Mutex
	ctx context.Context
}

func (w *wailsContext) set(ctx context.Context) { w.mu.Lock(); w.ctx = ctx; w.mu.Unlock() }

func (w *wailsContext) get() context.Context { w.mu.Lock(); defer w.mu.Unlock(); return w.ctx }
