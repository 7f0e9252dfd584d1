package rollout

import "strings"

// ToolNames are FlexPBX's tool names that the agent answers to (it
// dispatches on argv[0]; flxcli.ToolNames): install links them to the
// agent beside it, so operators' scripts and crontabs keep working.
var ToolNames = []string{"flexpbx-backup", "flexpbx-restore", "flexpbx-migrate"}

// linkToolsScript links each tool name to the agent, unless a real file
// is there (FlexPBX's own script, which is left alone and named).
func linkToolsScript() string {
	return `for n in ` + strings.Join(ToolNames, " ") + `; do l=/usr/local/bin/$n
  if [ ! -e "$l" ] || [ -L "$l" ]; then ln -sfn borgdesk-agent "$l"; else echo "$l is FlexPBX's own tool, left in place (borgdesk-agent flx … does the same)"; fi
done`
}

// unlinkToolsScript removes the links install made, and only those.
func unlinkToolsScript() string {
	return `for n in ` + strings.Join(ToolNames, " ") + `; do l=/usr/local/bin/$n
  if [ "$(readlink "$l" 2>/dev/null)" = borgdesk-agent ]; then rm -f "$l"; fi
done`
}
