package flxcli

import (
	"os"
	"path/filepath"
)

// ToolNames maps the names FlexPBX's tools go by, which operators' scripts
// and crontabs call, to the flx command each runs. The agent package
// installs them as links to borgdesk-agent, which dispatches on its name.
var ToolNames = map[string]string{
	"flexpbx-backup":  "backup",
	"flexpbx-restore": "restore",
	"flexpbx-migrate": "migrate",
}

// Tool returns the FlexPBX tool name a program was called by (argv[0]),
// or "" when it is none of them.
func Tool(argv0 string) string {
	name := filepath.Base(argv0)
	if _, ok := ToolNames[name]; ok {
		return name
	}
	return ""
}

// RunAs runs the FlexPBX tool name (see ToolNames) with args, as FlexPBX's
// own tool would take them: flexpbx-backup backs up the flexpbx profile
// into ~/backup as flexpbx-DATE.flx unless told otherwise.
func RunAs(name string, args []string, e Env) int {
	if name == "flexpbx-backup" {
		if home, err := os.UserHomeDir(); err == nil {
			e.DefaultDir = filepath.Join(home, "backup")
		}
	}
	return execute(ToolCommand(name, e), args, e)
}
