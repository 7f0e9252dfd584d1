package app

import (
	"fmt"
	"io"
	"log/slog"
	"os"
	"path/filepath"
	"strings"

	"gopkg.in/natefinch/lumberjack.v2"

	"borgdesk/backend/datadir"
)

// The log file's rotation: a file grows to logMaxMB, then is renamed with
// its time and gzipped; logBackups old files are kept for logMaxAgeDays.
const (
	logMaxMB      = 10
	logBackups    = 5
	logMaxAgeDays = 30
)

// coordLog is the coordinator's logger: the same lines to stderr and to
// the rotated log file.
type coordLog struct {
	*slog.Logger
	// path is the log file ("" when there is none: no $XDG_STATE_HOME nor
	// $HOME); file rotates it.
	path string
	file *lumberjack.Logger
}

// Close closes the log file.
func (l *coordLog) Close() error {
	if l.file == nil {
		return nil
	}
	return l.file.Close()
}

// parseLevel reads --log-level.
func parseLevel(s string) (slog.Level, error) {
	switch strings.ToLower(strings.TrimSpace(s)) {
	case "debug":
		return slog.LevelDebug, nil
	case "", "info":
		return slog.LevelInfo, nil
	case "warn", "warning":
		return slog.LevelWarn, nil
	case "error":
		return slog.LevelError, nil
	}
	return 0, usageError{fmt.Sprintf("--log-level %q: use debug, info, warn or error", s)}
}

// openCoordLog makes the coordinator's logger at level, writing to stderr
// and to file (datadir.LogFilePath when "", none when "off"). A log file
// that cannot be created is said on stderr once; the coordinator runs on
// with stderr alone.
func openCoordLog(e env, level, file string) (*coordLog, error) {
	lvl, err := parseLevel(level)
	if err != nil {
		return nil, err
	}
	l := &coordLog{path: file}
	switch file {
	case "":
		l.path = datadir.LogFilePath(e.getenv)
	case "off":
		l.path = ""
	default:
		if l.path, err = filepath.Abs(file); err != nil {
			return nil, fmt.Errorf("--log-file %s: %w", file, err)
		}
	}
	var w io.Writer = e.stderr
	if l.path != "" {
		if err := os.MkdirAll(filepath.Dir(l.path), 0o700); err != nil {
			fmt.Fprintf(e.stderr, "borgdesk: no log file (%v); logging to stderr only\n", err)
			l.path = ""
		} else {
			l.file = &lumberjack.Logger{Filename: l.path, MaxSize: logMaxMB, MaxBackups: logBackups, MaxAge: logMaxAgeDays, Compress: true}
			w = io.MultiWriter(e.stderr, l.file)
		}
	}
	l.Logger = slog.New(slog.NewTextHandler(w, &slog.HandlerOptions{Level: lvl}))
	return l, nil
}
