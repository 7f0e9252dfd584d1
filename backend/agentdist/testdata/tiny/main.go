// Command tiny is a minimal Go program linked with a version for the
// agentdist tests (the real agent takes longer to build).
package main

import "borgdesk/backend/shared/version"

func main() { println(version.Version) }
