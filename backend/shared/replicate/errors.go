package replicate

import (
	"context"
	"errors"
	"fmt"
	"strings"

	"borgdesk/backend/shared/borg"
)

// Kinds of failure; Reason names them in a status line ("failing: target full").
var (
	ErrTargetFull     = errors.New("target full")
	ErrHostKeyChanged = errors.New("host key changed")
	ErrHostKeyUnknown = errors.New("host key not pinned")
	ErrAuth           = errors.New("wrong credentials")
	ErrUnreachable    = errors.New("target unreachable")
	ErrVerify         = errors.New("verification failed")
	ErrLocked         = errors.New("repository locked")
	ErrNoRclone       = errors.New("rclone missing")
	ErrSourceMissing  = errors.New("no repository")
)

var reasons = []error{ErrTargetFull, ErrHostKeyChanged, ErrHostKeyUnknown, ErrAuth, ErrUnreachable, ErrVerify, ErrLocked, ErrNoRclone, ErrSourceMissing}

// Reason is the short name of a replication failure, for a status line:
// "target full", "host key changed", … or "error".
func Reason(err error) string {
	for _, r := range reasons {
		if errors.Is(err, r) {
			return r.Error()
		}
	}
	if errors.Is(err, borg.ErrLocked) {
		return ErrLocked.Error()
	}
	return "error"
}

// KindOf is the failure kind Reason names reason ("target full" →
// ErrTargetFull), for an outcome that travelled as text; nil if unknown.
func KindOf(reason string) error {
	for _, r := range reasons {
		if r.Error() == reason {
			return r
		}
	}
	return nil
}

// Error is a failed replication: a sentence that says what happened and
// what to do, with rclone's own words after it.
type Error struct {
	Kind   error
	Msg    string
	Detail string // the tail of rclone's log
}

func (e *Error) Error() string {
	if e.Detail == "" {
		return e.Msg
	}
	return e.Msg + "; rclone said: " + e.Detail
}

func (e *Error) Unwrap() error { return e.Kind }

// classify maps rclone's log to a kind of failure (nil when unknown).
func classify(log string) error {
	s := strings.ToLower(log)
	has := func(words ...string) bool {
		for _, w := range words {
			if strings.Contains(s, w) {
				return true
			}
		}
		return false
	}
	switch {
	case has("knownhosts: key mismatch"):
		return ErrHostKeyChanged
	case has("knownhosts: key is unknown"):
		return ErrHostKeyUnknown
	case has("unable to authenticate", "no supported methods remain", "invalidaccesskeyid", "signaturedoesnotmatch", "accessdenied", "access denied", "status code: 403"):
		return ErrAuth
	case has("no space left on device", "quotaexceeded", "quota exceeded", "storagefull", "storage full", "insufficientstorage", "insufficient storage", "disk quota", "entitytoolarge"):
		return ErrTargetFull
	case has("connection refused", "no route to host", "i/o timeout", "network is unreachable", "no such host", "connection reset", "host is down", "handshake failed: eof", "dial tcp"):
		return ErrUnreachable
	}
	return nil
}

// explain turns a failed rclone command into a sentence about the target.
// need is what the replica still lacks of the source (-1 when unknown): a
// failure with less free space than that on the target means it is full,
// since OpenSSH's SFTP server reports a full disk only as "Failure".
func (r *Replicator) explain(ctx context.Context, s *session, t Target, err error, need int64) error {
	var re *Error
	if !errors.As(err, &re) {
		return err
	}
	kind, free := re.Kind, int64(-1)
	if kind == nil || kind == ErrTargetFull {
		if free = s.about(ctx, t.remotePath(remote, "")); kind == nil && free >= 0 && need >= 0 && free < need {
			kind = ErrTargetFull
		}
	}
	var msg string
	switch kind {
	case ErrTargetFull:
		msg = fmt.Sprintf("the replication target %s is full", t)
		if free >= 0 && need >= 0 {
			msg += fmt.Sprintf(": %s free there, and the replica needs %s more", bytesText(free), bytesText(need))
		}
		msg += "; free space on the target (or choose a larger one), then replicate again. Nothing was lost in the source"
	case ErrHostKeyChanged:
		msg = fmt.Sprintf("the SFTP target %s offered a host key that is not the pinned one", t.Address())
		if hk, err := ProbeHostKey(ctx, t.Host, t.Port); err == nil {
			msg += fmt.Sprintf(" (pinned %s, offered %s %s)", PinnedFingerprint(t.KnownHostsFile), hk.Type, hk.Fingerprint)
		}
		msg += ". Someone could be intercepting the connection, or the server was reinstalled; nothing was sent. If the change is expected, compare the new key on the server and set the replica again with --accept-host-key"
	case ErrHostKeyUnknown:
		msg = fmt.Sprintf("no host key is pinned for %s; set the replica again and confirm the target's host key", t.Address())
	case ErrAuth:
		if t.Kind == KindSFTP {
			msg = fmt.Sprintf("the SFTP target %s refused the replication key: add its line (borgdesk replica show prints it) to ~%s/.ssh/authorized_keys there", t.Address(), t.User)
		} else {
			msg = fmt.Sprintf("the S3 endpoint %s refused access key %s: check the access key id and the secret key, and that the key may write to bucket %s", t.Endpoint, t.AccessKeyID, t.Bucket)
		}
	case ErrUnreachable:
		msg = fmt.Sprintf("cannot reach the replication target %s: check the address, the port, the firewall and that the server is up", t)
	default:
		msg = fmt.Sprintf("replication to %s failed: %s", t, re.Msg)
	}
	return &Error{Kind: kind, Msg: msg, Detail: re.Detail}
}

func bytesText(n int64) string {
	const unit = 1024
	if n < unit {
		return fmt.Sprintf("%d B", n)
	}
	div, exp := int64(unit), 0
	for m := n / unit; m >= unit; m /= unit {
		div *= unit
		exp++
	}
	return fmt.Sprintf("%.1f %ciB", float64(n)/float64(div), "KMGTPE"[exp])
}
