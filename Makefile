# Borgdesk. `make run` opens the app; `make test` runs every test.
SHELL := /bin/bash
.DEFAULT_GOAL := build

WAILS_VERSION := v2.16.0
GOBIN         := $(shell go env GOPATH)/bin
WAILS         := $(GOBIN)/wails
# git describe (v0.1.0-3-gabc1234): the binaries' version; the packages spell
# it 0.1.0+3.gabc1234 (build/scripts/version.sh --package).
# Computed once: wails build rewrites tracked files, and a version asked
# again after it could differ (-dirty) between the binaries and packages.
ifndef VERSION
VERSION       := $(shell build/scripts/version.sh)
endif
export VERSION
PKG_VERSION   := $(shell VERSION=$(VERSION) build/scripts/version.sh --package)
PKG_MAINTAINER ?= Borgdesk developers <maintainers@borgdesk.invalid>
NFPM_VERSION  := v2.45.2
NFPM          := $(GOBIN)/nfpm
DIST          := dist
# make install: where the files go (DESTDIR is prepended, for staging).
PREFIX        ?= /usr/local
SYSCONFDIR    ?= /etc
LDFLAGS       := -X borgdesk/backend/shared/version.Version=$(VERSION)
DESKTOP_TAGS  := desktop,production,webkit2_41
BIN           := build/bin
ARTIFACTS     := artifacts

.PHONY: deps deps-package deps-test run build build-windows build-windows-exe frontend cli agent package package-dist install install-agent uninstall test test-go test-race test-ui test-frontend test-e2e test-flows test-desktop test-packages test-packages-deb12 test-cross screenshots bench clean

# What building and running need (build tools, GTK/WebKitGTK, borg, FUSE,
# Wails, npm packages); deps-package adds ImageMagick and nfpm; deps-test
# adds the test toolchain. Each stops with a sentence when Go or Node is too old.
deps:
	@WAILS_VERSION=$(WAILS_VERSION) build/scripts/deps.sh run

deps-package:
	@WAILS_VERSION=$(WAILS_VERSION) NFPM_VERSION=$(NFPM_VERSION) build/scripts/deps.sh package

deps-test:
	@WAILS_VERSION=$(WAILS_VERSION) NFPM_VERSION=$(NFPM_VERSION) build/scripts/deps.sh test

# The desktop app, on the embedded defaults (data under $XDG_DATA_HOME/borgdesk);
# RUN_ARGS are passed to it (build/scripts/newcomer.sh: --self-test).
run: build
	./$(BIN)/borgdesk $(RUN_ARGS)

# wails build: bindings, frontend (npm run build), then the Go binary with the GUI.
build: deps agent
	$(WAILS) build -m -ldflags "$(LDFLAGS)" -o borgdesk
	@# wails build rewrites its runtime with modes that vary from build to build.
	@chmod 0644 frontend/wailsjs/runtime/*
	@echo "built $(BIN)/borgdesk"

frontend: deps
	cd frontend && npm run build

# The desktop app for Windows (build/bin/borgdesk.exe, windows/amd64),
# cross-compiled here: Wails builds Windows without cgo (WebView2 is loaded
# by pure Go), so no mingw. About 8 s with a warm build cache and the
# frontend built (build-windows-exe), 30 s more for the frontend, 4 minutes
# cold. On Windows the window starts in remote mode: the coordinator runs
# on Linux (docs/platforms.md).
build-windows: frontend
	$(MAKE) build-windows-exe

# The same on the frontend already in frontend/dist (make test built it).
build-windows-exe:
	@# No -trimpath (as make build): the build cache test-cross filled for
	@# windows/amd64 serves this build too, minutes less on a fresh machine.
	$(WAILS) build -platform windows/amd64 -m -s -skipbindings -ldflags "$(LDFLAGS)" -o borgdesk.exe
	go run ./build/pecheck $(BIN)/borgdesk.exe
	@echo "built $(BIN)/borgdesk.exe"

# The same program without the GUI: no cgo, no WebKit; for servers and scripts.
cli:
	CGO_ENABLED=0 go build -trimpath -ldflags "-s -w $(LDFLAGS)" -o $(BIN)/borgdesk-cli .
	@echo "built $(BIN)/borgdesk-cli"

agent:
	CGO_ENABLED=0 GOOS=linux GOARCH=amd64 go build -trimpath -ldflags "-s -w $(LDFLAGS)" -o $(BIN)/borgdesk-agent-linux-amd64 ./agent
	CGO_ENABLED=0 GOOS=linux GOARCH=arm64 go build -trimpath -ldflags "-s -w $(LDFLAGS)" -o $(BIN)/borgdesk-agent-linux-arm64 ./agent
	@echo "built $(BIN)/borgdesk-agent-linux-{amd64,arm64}"

# .deb and .rpm of borgdesk (this machine's architecture) and borgdesk-agent
# (amd64, arm64) in dist/, from the file list build/scripts/files.sh keeps for
# make install too.
package: deps-package build cli
	$(MAKE) package-dist

# The packaging step alone, on the binaries already in build/bin.
package-dist:
	build/scripts/version.sh --check
	VERSION=$(VERSION) PREFIX=/usr SYSCONFDIR=/etc build/scripts/files.sh gen
	rm -rf $(DIST) && mkdir -p $(DIST) build/pkg
	set -e; export PKG_VERSION='$(PKG_VERSION)' PKG_MAINTAINER='$(PKG_MAINTAINER)'; \
	for spec in desk:$$(go env GOARCH) agent:amd64 agent:arm64; do \
	  what=$${spec%%:*} arch=$${spec#*:}; \
	  cfg=build/pkg/nfpm-$$what-$$arch.yaml; \
	  { cat build/package/nfpm-$$what.yaml; PREFIX=/usr SYSCONFDIR=/etc build/scripts/files.sh nfpm $$what $$arch; } > $$cfg; \
	  for fmt in deb rpm; do PKG_ARCH=$$arch $(NFPM) package -f $$cfg -p $$fmt -t $(DIST)/; done; \
	done
	@ls -1 $(DIST)

# The same files as the borgdesk package, without a package:
# make install [PREFIX=/usr/local] [DESTDIR=/tmp/stage]; the agent of this
# machine's architecture (or ARCH=arm64) with make install-agent.
install: deps-package build cli
	VERSION=$(VERSION) PREFIX=$(PREFIX) SYSCONFDIR=$(SYSCONFDIR) build/scripts/files.sh gen
	PREFIX=$(PREFIX) SYSCONFDIR=$(SYSCONFDIR) DESTDIR=$(DESTDIR) build/scripts/files.sh install desk
	@# What the packages' triggers do, when installing for real.
	@if [ -z "$(DESTDIR)" ]; then \
	  update-mime-database $(PREFIX)/share/mime 2>/dev/null || true; \
	  update-desktop-database -q $(PREFIX)/share/applications 2>/dev/null || true; \
	  gtk-update-icon-cache -q -t $(PREFIX)/share/icons/hicolor 2>/dev/null || true; \
	fi
	@echo "installed borgdesk under $(DESTDIR)$(PREFIX)"

# What make install and make install-agent put there, removed (same list).
uninstall:
	PREFIX=$(PREFIX) SYSCONFDIR=$(SYSCONFDIR) DESTDIR=$(DESTDIR) build/scripts/files.sh uninstall desk
	PREFIX=$(PREFIX) SYSCONFDIR=$(SYSCONFDIR) DESTDIR=$(DESTDIR) build/scripts/files.sh uninstall agent

install-agent: agent cli
	VERSION=$(VERSION) PREFIX=$(PREFIX) SYSCONFDIR=$(SYSCONFDIR) build/scripts/files.sh gen
	PREFIX=$(PREFIX) SYSCONFDIR=$(SYSCONFDIR) DESTDIR=$(DESTDIR) build/scripts/files.sh install agent $(or $(ARCH),$(shell go env GOARCH))
	@echo "installed borgdesk-agent under $(DESTDIR)$(PREFIX)"

# One part after another: running the Go suite beside Playwright on two
# cores overloaded the machine (load 16) and timed tests out.
test: deps-test
	$(MAKE) test-go
	$(MAKE) test-ui
	$(MAKE) test-desktop
	$(MAKE) build-windows-exe
	$(MAKE) test-packages

# The packages installed into a temporary root with dpkg --root and checked
# there (version, desktop entry, .flx file type, man page, units, removal),
# lintian on each .deb, make install's tree against the package's.
# In make test the desktop binary test-desktop built is packaged (one wails
# build, not two); alone, test-packages builds it when build/bin lacks it.
test-packages: deps-package cli agent
	@[ -x $(BIN)/borgdesk ] || $(MAKE) build
	$(MAKE) package-dist
	build/scripts/need.sh dpkg rpm lintian desktop-file-validate xdg-mime update-mime-database gio man systemd-analyze identify -- build/scripts/test-packages.sh $(DIST)

# The .deb files installed with apt into a clean Debian 12 root (debootstrap,
# cached in build/cache; needs root and the Debian mirror; about 3 minutes,
# so not part of make test).
test-packages-deb12: package
	build/scripts/need.sh debootstrap chroot -- build/scripts/test-packages-deb12.sh $(DIST)

test-ui:
	$(MAKE) test-frontend
	$(MAKE) test-e2e
	$(MAKE) test-flows

# A test that lacks a tool, root or a device fails (backend/shared/testenv);
# BORGDESK_TEST_ALLOW_SKIP=1 make test skips it instead. CI plays no part.
test-go:
	go vet ./...
	# Only app/ has files behind the desktop tags: vet it (and main) with them.
	go vet -tags $(DESKTOP_TAGS) . ./app/...
	$(MAKE) test-cross
	go test -count=1 -timeout 30m -parallel 4 ./...
	$(MAKE) test-race
	@if [ "$${BORGDESK_TEST_ALLOW_SKIP:-}" = 1 ]; then echo "BORGDESK_TEST_ALLOW_SKIP=1: tests that lacked a tool, root or a device were skipped; list them with: go test -count=1 -v ./... | grep -- '--- SKIP'"; fi

# The packages whose tests run under the race detector in a few minutes:
# the concurrent parts (events, the orchestrator and run queue, the fleet,
# the gateway, the admin API, the coordinator's start and stop, alerts and
# the outbox, the store) and the agent's. Left out: app/ (9 minutes without
# -race), the packages that spend their time in real borg, rclone or FUSE
# (archives, repos, mounts, flx, flxfs, recoverykit, replicas, targets, the
# agent's restore, rollout's test hosts), and backend/tray, whose only race
# is inside fyne.io/systray's menu layout (GetLayout's refresh), not ours.
RACE_PKGS = ./backend/events ./backend/jobs ./backend/fleet ./backend/gateway ./backend/adminapi \
	./backend/coordinator ./backend/alerts ./backend/mail ./backend/settings ./backend/health \
	./backend/notify ./backend/restores ./backend/snapshots ./backend/store ./backend/ca \
	./backend/agentdist ./backend/datadir ./backend/catalog ./backend/shared/borgssh \
	./backend/shared/safefs ./backend/shared/tail ./backend/shared/atomicfile ./backend/shared/agentapi \
	./agent ./agent/internal/runner ./agent/internal/update ./agent/internal/backup ./agent/internal/syscmd

test-race:
	go test -race -count=1 -timeout 15m $(RACE_PKGS)

# go vet and go build for macOS (arm64) and Windows (amd64) of the CLI and
# the window's packages (the agent is Linux-only, the tests too; see the
# script). About 30 s with a warm build cache; cold, about 4 minutes a
# target (225 s measured for windows/amd64 on this 2-core machine), which
# is why macOS is built for one architecture here (amd64 is the same code:
# TARGETS="darwin/amd64 darwin/arm64 windows/amd64" for all three).
test-cross:
	build/scripts/test-cross.sh

test-frontend:
	cd frontend && npm test

test-e2e:
	cd frontend && npm run build && ../build/scripts/need.sh /usr/bin/chromium -- npm run e2e

# The main flows through the real frontend (frontend/dist) against the real
# Go backend and a real agent: app/uiflows_test.go serves the page with a
# bridge in Wails' place and runs frontend/e2e-real in Chromium (about 35 s).
test-flows:
	cd frontend && npm run build
	go vet -tags uiflows ./app/
	build/scripts/need.sh /usr/bin/chromium -- go test -tags uiflows -count=1 -timeout 5m -run TestUIFlowsRealBackend ./app/

# The real window under Xvfb: a JavaScript → Go round trip and a screenshot.
test-desktop: build
	build/scripts/need.sh xvfb-run dbus-run-session import convert compare identify xdotool -- build/scripts/desktop-smoke.sh $(BIN)/borgdesk $(ARTIFACTS)

# README's screenshots (docs/screenshots) from the real window: test-desktop
# takes them and fails when the committed ones are stale; this copies them.
screenshots: build
	SCREENSHOTS=update build/scripts/need.sh xvfb-run dbus-run-session import convert compare identify xdotool -- build/scripts/desktop-smoke.sh $(BIN)/borgdesk $(ARTIFACTS)

bench: build
	build/scripts/bench.sh $(ARTIFACTS)

clean:
	rm -rf $(BIN) $(ARTIFACTS) $(DIST) build/pkg frontend/test-results frontend/playwright-report frontend/package.json.md5
	find frontend/dist -mindepth 1 ! -name .gitkeep -delete 2>/dev/null || true
