# Borgdesk. `make run` opens the app; `make test` runs every test.
SHELL := /bin/bash
.DEFAULT_GOAL := build

WAILS_VERSION := v2.16.0
GOBIN         := $(shell go env GOPATH)/bin
WAILS         := $(GOBIN)/wails
VERSION       ?= $(shell git describe --tags --always --dirty 2>/dev/null || echo dev)
LDFLAGS       := -X borgdesk/backend/shared/version.Version=$(VERSION)
DESKTOP_TAGS  := desktop,production,webkit2_41
BIN           := build/bin
ARTIFACTS     := artifacts

.PHONY: deps run build frontend cli agent test test-go test-race test-ui test-frontend test-e2e test-flows test-desktop bench clean

deps:
	@WAILS_VERSION=$(WAILS_VERSION) build/scripts/deps.sh

# The desktop app, on the embedded defaults (data under $XDG_DATA_HOME/borgdesk).
run: build
	./$(BIN)/borgdesk

# wails build: bindings, frontend (npm run build), then the Go binary with the GUI.
build: deps agent
	$(WAILS) build -m -ldflags "$(LDFLAGS)" -o borgdesk
	@echo "built $(BIN)/borgdesk"

frontend: deps
	cd frontend && npm run build

# The same program without the GUI: no cgo, no WebKit; for servers and scripts.
cli:
	CGO_ENABLED=0 go build -trimpath -ldflags "$(LDFLAGS)" -o $(BIN)/borgdesk-cli .
	@echo "built $(BIN)/borgdesk-cli"

agent:
	CGO_ENABLED=0 GOOS=linux GOARCH=amd64 go build -trimpath -ldflags "-s -w $(LDFLAGS)" -o $(BIN)/borgdesk-agent-linux-amd64 ./agent
	CGO_ENABLED=0 GOOS=linux GOARCH=arm64 go build -trimpath -ldflags "-s -w $(LDFLAGS)" -o $(BIN)/borgdesk-agent-linux-arm64 ./agent
	@echo "built $(BIN)/borgdesk-agent-linux-{amd64,arm64}"

# One part after another: running the Go suite beside Playwright on two
# cores overloaded the machine (load 16) and timed tests out.
test: deps
	$(MAKE) test-go
	$(MAKE) test-ui
	$(MAKE) test-desktop

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

bench: build
	build/scripts/bench.sh $(ARTIFACTS)

clean:
	rm -rf $(BIN) $(ARTIFACTS) frontend/test-results frontend/playwright-report frontend/package.json.md5
	find frontend/dist -mindepth 1 ! -name .gitkeep -delete 2>/dev/null || true
