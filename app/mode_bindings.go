//go:build bindings

package app

// bindingsOnly is true when Wails builds this program to generate the
// frontend's bindings: it must not touch a data dir or a display.
const bindingsOnly = true
