package settings

import (
	"fmt"
	"net/mail"
	"net/url"
	"slices"
	"strconv"
	"strings"
	"time"

	"borgdesk/backend/shared/schedule"
)

// Alert kinds, the names the notify.*.events settings accept.
const (
	AlertRunFailed    = "run_failed"
	AlertRPOMissed    = "rpo_missed"
	AlertAgentOffline = "agent_offline"
	AlertCertExpiring = "cert_expiring"
	AlertDrillFailed  = "drill_failed"
	AlertFlxInbox     = "flx_inbox"
	// AlertReplicaFailed: a repository could not be copied to its replica.
	AlertReplicaFailed = "replica_failed"
	// AlertRunSucceeded: a run of a job that asks for it (notify_success)
	// succeeded; jobs that do not ask never send it.
	AlertRunSucceeded = "run_succeeded"
)

// AlertKinds lists every alert kind.
var AlertKinds = []string{AlertRunFailed, AlertRPOMissed, AlertAgentOffline, AlertCertExpiring, AlertDrillFailed, AlertFlxInbox, AlertReplicaFailed, AlertRunSucceeded}

// KeyUpdatePin names the one agent version the operator allows even when
// it is not newer than an agent's (a deliberate downgrade).
const KeyUpdatePin = "agent.update_pin"

// table is every key the operator may set, besides "rpo.<server name>".
var table = map[string]setting{
	"ui.theme":                   {def: "system", help: "system, light or dark", validate: oneOf("system", "light", "dark")},
	"ui.locale":                  {def: "", help: "empty (follow the system), en, fr or de", validate: oneOf("", "en", "fr", "de")},
	"rpo.default":                {def: "26h", help: "a duration of at least 1h, such as 26h", validate: minDuration(time.Hour)},
	"smtp.host":                  {def: "", help: "the SMTP server's host name", validate: hostName},
	"smtp.port":                  {def: "587", help: "a port number from 1 to 65535", validate: port},
	"notify.email.to":            {def: "", help: "comma-separated e-mail addresses", validate: addressList},
	"check.schedule":             {def: "0 4 * * 0", help: "a cron schedule for `borg check` of every repository (empty: never)", validate: cronOrEmpty},
	"check.verify_data_schedule": {def: "0 5 1 * *", help: "a cron schedule for `borg check --verify-data` (empty: never)", validate: cronOrEmpty},
	"smtp.security":              {def: "starttls", help: "starttls, tls or none", validate: oneOf("starttls", "tls", "none")},
	"smtp.user":                  {def: "", help: "the SMTP user name (empty: no authentication)", validate: func(string) error { return nil }},
	"smtp.from":                  {def: "", help: "the sender address, such as Borgdesk <borgdesk@example.com>", validate: addressOrEmpty},
	"smtp.password":              {def: "", help: "the SMTP password (kept in DATA/keys/smtp.password, never shown)", validate: func(string) error { return nil }},
	"notify.email.events":        {def: "run_failed,rpo_missed,agent_offline,cert_expiring,drill_failed,replica_failed,run_succeeded", help: "comma-separated alert kinds: " + strings.Join(AlertKinds, ", "), validate: alertKinds},
	"notify.desktop.events":      {def: "run_failed,rpo_missed,agent_offline,cert_expiring,drill_failed,flx_inbox,replica_failed,run_succeeded", help: "comma-separated alert kinds: " + strings.Join(AlertKinds, ", "), validate: alertKinds},
	"notify.webhook.events":      {def: "run_failed,rpo_missed,agent_offline,cert_expiring,drill_failed,replica_failed", help: "comma-separated alert kinds: " + strings.Join(AlertKinds, ", "), validate: alertKinds},
	"notify.webhook.url":         {def: "", help: "an http(s) URL that receives each alert as JSON (empty: none)", validate: httpURLOrEmpty},
	"notify.webhook.secret":      {def: "", help: "a secret for the X-Borgdesk-Signature HMAC-SHA256 header (empty: unsigned)", validate: func(string) error { return nil }},
	"notify.digest":              {def: "off", help: "off, daily or weekly (on Mondays): an e-mail with each server's last backup, size and growth, failures, stale drills and expiring certificates", validate: oneOf("off", "daily", "weekly")},
	"notify.digest_at":           {def: "08:00", help: "HH:MM, the coordinator's local time, when the digest is sent", validate: clockTime},
	"notify.quiet_hours":         {def: "", help: "HH:MM-HH:MM during which desktop notifications wait (empty: none)", validate: quietHours},
	"notify.offline_after":       {def: "30m", help: "how long an agent may be silent before an alert, at least 1m", validate: minDuration(time.Minute)},
	"drill.stale_days":           {def: "8", help: "days after which a server whose backups no restore drill has verified is flagged and the operator alerted (1 to 365)", validate: intRange(1, 365)},
	KeySchedulesPaused:           {def: "false", help: "true pauses every job's schedule (runs started by hand still run)", validate: oneOf("true", "false")},
	"ui.close_to_tray":           {def: "true", help: "true hides the window to the tray when it is closed; false quits", validate: oneOf("true", "false")},
	"offline.after":              {def: "2m", help: "how long agents wait for an unreachable coordinator before running their own schedules (jobs whose repository is on a storage node or a hosted service), at least 5s", validate: minDuration(5 * time.Second)},
	KeyGatewayListen:             {def: DefaultGatewayListen, help: "HOST:PORT or :PORT the agent gateway listens on (takes effect when Borgdesk restarts)", validate: CheckListenAddr},
	KeySSHListen:                 {def: DefaultSSHListen, help: "HOST:PORT or :PORT the Borg SSH server listens on (takes effect when Borgdesk restarts)", validate: CheckListenAddr},
	KeyGatewayURL:                {def: "", help: "https://HOST:PORT agents are told to use, or empty for this host's name and the gateway's port (takes effect when Borgdesk restarts)", validate: gatewayURLOrEmpty},
	KeyOperatorsListen:           {def: "", help: "HOST:PORT or :PORT the operator listener (the admin API for operators over mutual TLS) listens on, or empty for off (takes effect when Borgdesk restarts)", validate: listenAddrOrEmpty},
	KeyUpdatePin:                 {def: "", help: "an agent version agents may move to even if it is not newer than theirs (a deliberate downgrade; empty: only newer releases)", validate: func(string) error { return nil }},
	"ui.guide_done":              {def: "false", help: "true once the operator finished or hid the dashboard's getting-started guide", validate: oneOf("true", "false")},
	"ui.tray_hint_shown":         {def: "false", help: "true once the window has said that it keeps running in the tray", validate: oneOf("true", "false")},
	"recovery.last_export":       {def: "", help: "when the last recovery kit was made (RFC 3339, written by `recovery-kit export`; empty: never, and the reminder shows)", validate: rfc3339OrEmpty},
}

func oneOf(allowed ...string) func(string) error {
	return func(v string) error {
		if slices.Contains(allowed, v) {
			return nil
		}
		return fmt.Errorf("%q is not allowed", v)
	}
}

func minDuration(min time.Duration) func(string) error {
	return func(v string) error {
		d, err := time.ParseDuration(v)
		if err != nil {
			return fmt.Errorf("%q is not a duration", v)
		}
		if d < min {
			return fmt.Errorf("%s is shorter than %s", d, min)
		}
		return nil
	}
}

func hostName(v string) error {
	if v == "" {
		return nil
	}
	if strings.ContainsAny(v, " /\\@:") || len(v) > 253 {
		return fmt.Errorf("%q is not a host name", v)
	}
	return nil
}

func addressOrEmpty(v string) error {
	if v == "" {
		return nil
	}
	_, err := mail.ParseAddress(v)
	return err
}

func alertKinds(v string) error {
	for _, k := range strings.Split(v, ",") {
		if k = strings.TrimSpace(k); k != "" && !slices.Contains(AlertKinds, k) {
			return fmt.Errorf("%q is not an alert kind", k)
		}
	}
	return nil
}

func httpURLOrEmpty(v string) error {
	if v == "" {
		return nil
	}
	u, err := url.Parse(v)
	if err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" {
		return fmt.Errorf("%q is not an http(s) URL", v)
	}
	return nil
}

func clockTime(v string) error {
	if _, err := time.Parse("15:04", v); err != nil {
		return fmt.Errorf("%q is not a time of day as HH:MM", v)
	}
	return nil
}

func quietHours(v string) error {
	if v == "" {
		return nil
	}
	from, to, ok := strings.Cut(v, "-")
	if ok {
		_, err1 := time.Parse("15:04", strings.TrimSpace(from))
		_, err2 := time.Parse("15:04", strings.TrimSpace(to))
		if err1 == nil && err2 == nil {
			return nil
		}
	}
	return fmt.Errorf("%q is not HH:MM-HH:MM", v)
}

func intRange(lo, hi int) func(string) error {
	return func(v string) error {
		n, err := strconv.Atoi(v)
		if err != nil || n < lo || n > hi {
			return fmt.Errorf("%q is not a whole number from %d to %d", v, lo, hi)
		}
		return nil
	}
}

func port(v string) error {
	n, err := strconv.Atoi(v)
	if err != nil || n < 1 || n > 65535 {
		return fmt.Errorf("%q is not a port number", v)
	}
	return nil
}

func addressList(v string) error {
	if v == "" {
		return nil
	}
	if _, err := mail.ParseAddressList(v); err != nil {
		return fmt.Errorf("%q is not a list of e-mail addresses", v)
	}
	return nil
}

func cronOrEmpty(v string) error {
	if v == "" {
		return nil
	}
	_, err := schedule.Parse(v)
	return err
}

func rfc3339OrEmpty(v string) error {
	if v == "" {
		return nil
	}
	_, err := time.Parse(time.RFC3339, v)
	return err
}
