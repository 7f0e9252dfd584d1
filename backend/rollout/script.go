package rollout

import (
	"bytes"
	"text/template"
	"time"

	"borgdesk/backend/shared/shellquote"
)

// ScriptParams fill the one-line install's shell script.
type ScriptParams struct {
	Name, GatewayURL, CAFingerprint, CAPEM string
	// Secret is the one-time enrollment secret the script carries: never
	// the install link's token, which fetching the script spent.
	Secret string
	// SHA256 of the agent build per architecture (amd64, arm64); a missing
	// one makes the script refuse that architecture.
	SHA256    map[string]string
	ExpiresAt time.Time
}

// InstallSecretHeader carries the enrollment secret when the install
// script downloads the agent: a header curl reads from stdin, where a URL
// would show it in argv.
const InstallSecretHeader = "X-Borgdesk-Install-Secret"

// InstallScript is what `curl … /api/install/<token> | sudo sh` runs: it
// downloads the agent over HTTPS against the pinned CA, checks its hash,
// enrolls with the secret and the CA fingerprint, and starts it. It
// installs nothing unless every check passes. The secret is only ever in
// here-documents, a command's stdin: never an argument, so never in ps.
func InstallScript(p ScriptParams) string {
	var b bytes.Buffer
	scriptTmpl.Execute(&b, map[string]any{"P": p, "AgentPath": AgentPath, "ConfigPath": ConfigPath, "UnitPath": UnitPath,
		"Unit": SystemdUnit, "Supervised": supervisedScript, "ToolLinks": linkToolsScript(), "Header": InstallSecretHeader, "Expires": p.ExpiresAt.UTC().Format(time.RFC3339)})
	return b.String()
}

// RefusedScript is served for an unknown or expired install link.
const RefusedScript = `#!/bin/sh
echo "borgdesk: this install link is unknown or expired: create a new one with borgdesk token create (or in Borgdesk: Add server → one-line command)" >&2
exit 1
`

// UsedScript is served when the install link's script was fetched before.
const UsedScript = `#!/bin/sh
echo "borgdesk: this install link was already used: create a new one with borgdesk token create (or in Borgdesk: Add server → one-line command)" >&2
exit 1
`

var scriptTmpl = template.Must(template.New("install").Funcs(template.FuncMap{"sq": shellquote.Quote}).Parse(`#!/bin/sh
# Borgdesk agent installer for {{sq .P.Name}} (single use, valid until {{.Expires}}).
set -eu
say() { echo "borgdesk: $*" >&2; }
[ "$(id -u)" = 0 ] || { say "run this as root: curl … | sudo sh"; exit 1; }
case "$(uname -m)" in
  x86_64|amd64) arch=amd64; sum='{{index .P.SHA256 "amd64"}}' ;;
  aarch64|arm64) arch=arm64; sum='{{index .P.SHA256 "arm64"}}' ;;
  *) say "$(uname -m) is not supported: the agent is built for x86_64 and aarch64"; exit 1 ;;
esac
[ -n "$sum" ] || { say "the coordinator has no agent build for linux/$arch"; exit 1; }
command -v curl >/dev/null 2>&1 || { say "curl is needed"; exit 1; }
tmp=$(mktemp -d); trap 'rm -rf "$tmp"' EXIT
cat > "$tmp/ca.pem" <<'BORGDESK_CA'
{{.P.CAPEM}}BORGDESK_CA
say "downloading the agent for linux/$arch"
curl -fsS --proto =https --cacert "$tmp/ca.pem" -H @- -o "$tmp/agent" {{sq (print .P.GatewayURL "/api/install/agent/")}}"$arch" <<'BORGDESK_SECRET'
{{.Header}}: {{.P.Secret}}
BORGDESK_SECRET
echo "$sum  $tmp/agent" | sha256sum -c --status || { say "the downloaded agent is damaged (SHA-256 mismatch); nothing was installed"; exit 1; }
chmod 0755 "$tmp/agent"
if ! command -v borg >/dev/null 2>&1; then
  say "installing borgbackup"
  if command -v apt-get >/dev/null 2>&1; then export DEBIAN_FRONTEND=noninteractive; apt-get install -y -q --no-install-recommends borgbackup || { apt-get update -q && apt-get install -y -q --no-install-recommends borgbackup; }
  elif command -v dnf >/dev/null 2>&1; then dnf install -y --setopt=install_weak_deps=False borgbackup
  elif command -v zypper >/dev/null 2>&1; then zypper --non-interactive install --no-recommends borgbackup
  else say "install borgbackup by hand, then run this again"; exit 1; fi
fi
force=""
[ -e {{.ConfigPath}} ] && force="--force"
"$tmp/agent" enroll --config {{.ConfigPath}} --server {{sq .P.GatewayURL}} --name {{sq .P.Name}} --ca-fingerprint {{sq .P.CAFingerprint}} --token-file - $force <<'BORGDESK_SECRET'
{{.P.Secret}}
BORGDESK_SECRET
mkdir -p "$(dirname {{.AgentPath}})"
cp "$tmp/agent" {{.AgentPath}}.new && mv -f {{.AgentPath}}.new {{.AgentPath}}
{{.ToolLinks}}
if [ -d /run/systemd/system ]; then
cat > {{.UnitPath}} <<'BORGDESK_UNIT'
{{.Unit}}BORGDESK_UNIT
  systemctl daemon-reload
  systemctl enable borgdesk-agent >/dev/null 2>&1
  systemctl restart borgdesk-agent
  say "enrolled as "{{sq .P.Name}}"; the agent runs as the systemd unit borgdesk-agent"
else
{{.Supervised}}
  say "enrolled as "{{sq .P.Name}}"; no systemd here: the agent runs under a restart loop (add it to your init system)"
fi
`))
