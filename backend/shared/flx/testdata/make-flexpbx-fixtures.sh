#!/bin/bash
# make-flexpbx-fixtures.sh ROOT OUT ACCOUNT
#
# Builds a FlexPBX-like install under ROOT (the account's home with its
# public_html API, portal, admin and docs, flexpbx-config.json, users and
# admins; /etc/asterisk, the sudoers drop-in, a /usr/local/bin tool; the
# spool and sound folders the PHP module backs up) and writes the three
# forms FlexPBX produces into OUT:
#
#   flexpbx-tools.flx      the shell tools' JSON: home-relative paths, etc/ and
#                          usr/ as system paths, sha256 hashes, base64
#                          contents, default_settings
#   flexpbx-tools.flxx     the same with user_template and admin_template
#   flexpbx-module.flx     the PHP module's tar.gz: component folders and
#                          manifest.json
#   flexpbx-export.flxx    the same folders as a ZIP archive
#
# Only bash, coreutils, tar, gzip and zip: the way FlexPBX makes them.
set -euo pipefail
root=${1:?ROOT}; out=${2:?OUT}; account=${3:?ACCOUNT}
home="$root/home/$account"
mkdir -p "$out"

put() { # put FILE CONTENT
	mkdir -p "$(dirname "$1")"
	printf '%s\n' "$2" >"$1"
}

put "$home/public_html/api/login.php" '<?php // FlexPBX login endpoint
require __DIR__ . "/flexpbx-config-helper.php";'
put "$home/public_html/api/sip-status.php" '<?php echo json_encode(["status" => "ok"]);'
put "$home/public_html/api/flexpbx-config-helper.php" '<?php function flexpbx_config() { return json_decode(file_get_contents(getenv("HOME") . "/flexpbx-config.json"), true); }'
put "$home/public_html/user-portal/index.php" '<?php // user portal'
put "$home/public_html/admin/dashboard.html" '<html><body>FlexPBX admin</body></html>'
put "$home/public_html/service-worker.js" 'self.addEventListener("push", () => {});'
put "$home/public_html/docs/EMAIL_SETUP_SYSTEM.md" '# E-mail setup'
put "$home/flexpbx-config.json" '{"asterisk_mode": "secure", "api_mode": "enabled", "api_key": "k-1234567890", "smtp": {"host": "mail.example.net", "password": "hunter2"}, "backup": {"enabled": true}}'
put "$home/users/2001.json" '{"extension": "2001", "username": "alice", "password": "$2y$10$abcdefghijklmnopqrstuv", "email": "alice@pbx.example.net", "full_name": "Alice Example", "voicemail_pin": "4321", "is_active": true}'
put "$home/admins/admin.json" '{"username": "root-admin", "password": "$2y$10$zyxwvutsrqponmlkjihgfe", "email": "ops@pbx.example.net", "full_name": "Olga Ops", "role": "super_admin"}'
put "$root/etc/asterisk/pjsip.conf" '[2001]
type=endpoint
auth=2001-auth'
put "$root/etc/asterisk/extensions.conf" '[from-internal]
exten => 2001,1,Dial(PJSIP/2001)'
put "$root/etc/asterisk/voicemail.conf" '[default]
2001 => 4321,Alice'
put "$root/etc/asterisk/features.conf" '[general]'
put "$root/etc/sudoers.d/flexpbx-asterisk" "$account ALL=(root) NOPASSWD: /usr/sbin/asterisk -rx *
$account ALL=(root) NOPASSWD: /usr/local/bin/flexpbx-toggle-permissions"
chmod 0440 "$root/etc/sudoers.d/flexpbx-asterisk"
put "$root/usr/local/bin/flexpbx-toggle-permissions" '#!/bin/sh
echo toggled'
chmod 0755 "$root/usr/local/bin/flexpbx-toggle-permissions"
put "$root/var/spool/asterisk/voicemail/default/2001/INBOX/msg0000.txt" 'callerid=100'
put "$root/var/lib/asterisk/moh/default.txt" 'moh list'
put "$root/var/lib/asterisk/sounds/custom/welcome.txt" 'welcome'

# The shell tools' JSON.
entry() { # entry ABSOLUTE STORED-PATH
	local sum size content
	sum=$(sha256sum "$1" | cut -d' ' -f1)
	size=$(stat -c%s "$1")
	content=$(base64 -w 0 "$1")
	printf '    {\n      "path": "%s",\n      "hash": "sha256:%s",\n      "size": %s,\n      "content": "%s"\n    }' "$2" "$sum" "$size" "$content"
}
settings='{
    "asterisk_mode": "secure",
    "api_mode": "enabled",
    "backup": {"enabled": true, "retention_days": 30}
  }'
tools_json() { # tools_json TYPE EXTRA
	local files="" n=0 f
	for f in public_html/api/login.php public_html/api/sip-status.php public_html/api/flexpbx-config-helper.php \
		public_html/user-portal/index.php public_html/admin/dashboard.html public_html/service-worker.js \
		public_html/docs/EMAIL_SETUP_SYSTEM.md; do
		files+="${files:+,
}$(entry "$home/$f" "$f")"; n=$((n + 1))
	done
	for f in etc/asterisk/pjsip.conf etc/asterisk/extensions.conf etc/asterisk/voicemail.conf etc/asterisk/features.conf \
		etc/sudoers.d/flexpbx-asterisk usr/local/bin/flexpbx-toggle-permissions; do
		files+=",
$(entry "$root/$f" "$f")"; n=$((n + 1))
	done
	cat <<EOF
{
  "version": "1.0",
  "backup_type": "$1",
  "created": "2026-01-02 03:04:05",
  "flexpbx_version": "1.0",
  "sensitive_data_included": false,
  "includes": {"system_files": true, "asterisk_templates": true, "sudo_config": true},
  "file_count": $n,
  "files": [
$files
  ],$2
  "default_settings": $settings
}
EOF
}
tools_json system_config "" >"$out/flexpbx-tools.flx"
tools_json extended '
  "user_template": {"extension": "XXXX", "password": "HASHED_PLACEHOLDER", "email": "user@example.com"},
  "admin_template": {"username": "admin", "password": "HASHED_PLACEHOLDER", "role": "super_admin"},' >"$out/flexpbx-tools.flxx"

# The module's archive: one folder per component and manifest.json.
stage=$(mktemp -d)
trap 'rm -rf "$stage"' EXIT
copy() { mkdir -p "$stage/$2" && cp -a "$1/." "$stage/$2/"; }
copy "$root/etc/asterisk" asterisk_config
copy "$home/public_html" flexpbx_app/public_html
copy "$root/var/spool/asterisk/voicemail" voicemail
copy "$root/var/lib/asterisk/moh" moh
copy "$root/var/lib/asterisk/sounds/custom" sounds
mkdir -p "$stage/database" "$stage/recordings/var/spool/asterisk/monitor" "$stage/fax" "$stage/logs"
put "$stage/database/flexpbx_db.sql" '-- MySQL dump
CREATE TABLE extensions (id INT);'
put "$stage/recordings/var/spool/asterisk/monitor/2001-call.txt" 'a recording'
put "$stage/logs/full" 'log line'
count() { find "$stage/$1" -type f | wc -l; }
contents=""
for c in asterisk_config flexpbx_app database voicemail moh sounds recordings fax; do
	contents+="${contents:+,}
    \"$c\": {\"status\": \"success\", \"files\": $(count "$c"), \"component\": \"$c\"}"
done
contents+=",
    \"system_logs\": {\"status\": \"success\", \"files\": $(count logs), \"component\": \"system_logs\"}"
cat >"$stage/manifest.json" <<EOF
{
  "backup_name": "flexpbx_pbx1_20260102_030405",
  "format": "flx",
  "created": "2026-01-02T03:04:05+00:00",
  "hostname": "pbx1",
  "version": "2.0.0",
  "contents": {$contents
  },
  "components": ["asterisk_config", "flexpbx_app", "database", "voicemail", "moh", "sounds", "recordings", "fax", "system_logs"]
}
EOF
tar -czf "$out/flexpbx-module.flx" --transform 's|^\./||' -C "$stage" .
(cd "$stage" && zip -qr "$out/flexpbx-export.flxx" .)
