//go:build !desktop && !bindings && !dev

package app

import (
	"context"
	"errors"
)

// runDesktop in a build without the GUI (make cli) explains what to do.
func runDesktop(ctx context.Context, g globals, e env) error {
	return errors.New("this borgdesk was built without the desktop window (make cli); run `borgdesk serve` for a headless coordinator, or `borgdesk --help` for the commands")
}
