//go:build race

package events

// raceDetector: the race detector makes SQLite's C-free Go (modernc) about
// ten times slower; a serial walk of a big history finds no race there.
const raceDetector = true
