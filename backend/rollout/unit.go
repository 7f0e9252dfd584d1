package rollout

// SystemdUnit is build/systemd/borgdesk-agent.service (a test keeps the two
// the same).
const SystemdUnit = `[Unit]
Description=Borgdesk agent (backs this server up with BorgBackup; dials out to the coordinator only)
Wants=network-online.target
After=network-online.target

[Service]
Type=simple
ExecStart=/usr/local/bin/borgdesk-agent run --config /etc/borgdesk-agent/config.yaml
# SIGTERM lets running tasks finish (up to 30 s) before the agent exits.
KillSignal=SIGTERM
TimeoutStopSec=45
Restart=always
RestartSec=5
# Self-update replaces /usr/local/bin/borgdesk-agent and re-executes it.
# Backups read the whole file system and dumps run database tools as root.
User=root
UMask=0077
NoNewPrivileges=false
ProtectSystem=false
PrivateTmp=true

[Install]
WantedBy=multi-user.target
`
