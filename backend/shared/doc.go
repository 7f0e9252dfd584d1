// Package shared is the room of the backend the agent shares with the
// coordinator; it holds no code, only this rule and the test that keeps
// it. The packages below backend/shared/ are the only ones of the backend
// that borgdesk-agent may import (agent/deps_test.go), and they import
// nothing of the coordinator: no store, no service, no jobs, no ca, only
// one another, the standard library and the modules named in
// deps_test.go. A package moves here when the agent needs it, with what
// it imports; the coordinator-only part of a concept stays outside (the
// window's schedule descriptions in backend/jobs, schedule parsing here).
package shared
