// Package version carries the build's version string, set at link time with
// -ldflags "-X borgdesk/backend/shared/version.Version=…". It must stay stdlib-only:
// the agent imports it too.
package version

// Version is the release this binary was built from; "dev" for local builds.
var Version = "dev"
