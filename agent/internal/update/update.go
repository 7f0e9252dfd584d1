// Package update replaces the agent binary with a newer build the
// coordinator offers, only after checking the coordinator's ed25519
// signature over version, platform and SHA-256, and the bytes against that
// hash; and it rolls back if the new binary does not come up.
package update

import (
	"context"
	"crypto/ed25519"
	"crypto/sha256"
	"encoding/base64"
	"encoding/hex"
	"errors"
	"fmt"
	"io"
	"net/url"
	"os"
	"os/exec"
	"path/filepath"
	"runtime"
	"strconv"
	"strings"
	"time"

	"borgdesk/agent/internal/client"
	"borgdesk/backend/shared/agentapi"
)

// ErrBadSignature means an update was not signed by the coordinator's key.
var ErrBadSignature = errors.New("update signature does not verify")

// ErrBadHash means the downloaded bytes are not the signed ones.
var ErrBadHash = errors.New("downloaded update does not match its signed hash")

// ErrPackaged means the agent binary belongs to a package (the
// borgdesk-agent .deb or .rpm): the package manager updates it, never the
// agent itself, so dpkg and rpm keep owning what is on disk and no
// borgdesk-agent.old is left beside their file.
var ErrPackaged = errors.New("installed from a package")

// Updater checks for, verifies and installs agent updates.
type Updater struct {
	Client    *client.Client
	PublicKey string // base64 ed25519, from enrollment
	Version   string // the running version
	Exe       string // the running binary
	StateDir  string // where the pending-update marker lives
	GOOS      string
	GOARCH    string
	// PackageOf names the package that owns a file ("" for none); nil
	// asks dpkg and rpm.
	PackageOf func(ctx context.Context, file string) string
}

// Offer asks the coordinator for an update; nil when there is none.
func (u *Updater) Offer(ctx context.Context) (*agentapi.UpdateCheckResponse, error) {
	var resp agentapi.UpdateCheckResponse
	req := agentapi.UpdateCheckRequest{Version: u.Version, OS: u.goos(), Arch: u.goarch()}
	if err := u.Client.Do(ctx, "POST", agentapi.PathUpdateCheck, req, &resp, 30*time.Second); err != nil {
		return nil, err
	}
	if !resp.Available {
		return nil, nil
	}
	return &resp, nil
}

// Verify checks the coordinator's signature over an offer.
func (u *Updater) Verify(o *agentapi.UpdateCheckResponse) error {
	pub, err := base64.StdEncoding.DecodeString(u.PublicKey)
	if err != nil || len(pub) != ed25519.PublicKeySize {
		return fmt.Errorf("%w: this agent has no valid update key (enroll again)", ErrBadSignature)
	}
	sig, err := base64.StdEncoding.DecodeString(o.Signature)
	if err != nil || !ed25519.Verify(pub, agentapi.UpdateMessage(o.Version, u.goos(), u.goarch(), o.SHA256), sig) {
		return fmt.Errorf("%w: refusing version %s", ErrBadSignature, o.Version)
	}
	return nil
}

// Install downloads, verifies and swaps in the offered binary. The running
// binary is kept as Exe+".old" until the new one proves it comes up.
func (u *Updater) Install(ctx context.Context, o *agentapi.UpdateCheckResponse) error {
	owner := u.PackageOf
	if owner == nil {
		owner = packageOf
	}
	if pkg := owner(ctx, u.Exe); pkg != "" {
		return fmt.Errorf("%w: %s belongs to %s; update it with the package manager (apt install borgdesk-agent, or dnf upgrade borgdesk-agent) to get version %s", ErrPackaged, u.Exe, pkg, o.Version)
	}
	if err := u.Verify(o); err != nil {
		return err
	}
	next := u.Exe + ".new"
	if err := u.download(ctx, o, next); err != nil {
		os.Remove(next)
		return err
	}
	if err := selfCheck(ctx, next, o.Version); err != nil {
		os.Remove(next)
		return fmt.Errorf("the new binary does not start, staying on %s: %w", u.Version, err)
	}
	old := u.Exe + ".old"
	if err := os.Rename(u.Exe, old); err != nil {
		os.Remove(next)
		return fmt.Errorf("swap binaries: %w", err)
	}
	if err := os.Rename(next, u.Exe); err != nil {
		os.Rename(old, u.Exe)
		return fmt.Errorf("swap binaries: %w", err)
	}
	return os.WriteFile(u.marker(), []byte(u.Version+"\n0\n"), 0o600)
}

func (u *Updater) download(ctx context.Context, o *agentapi.UpdateCheckResponse, dest string) error {
	q := url.Values{"os": {u.goos()}, "arch": {u.goarch()}}
	resp, err := u.Client.Stream(ctx, agentapi.PathUpdateFetch+"?"+q.Encode(), 10*time.Minute)
	if err != nil {
		return err
	}
	defer resp.Body.Close()
	f, err := os.OpenFile(dest, os.O_CREATE|os.O_TRUNC|os.O_WRONLY, 0o755)
	if err != nil {
		return err
	}
	h := sha256.New()
	n, err := io.Copy(io.MultiWriter(f, h), io.LimitReader(resp.Body, o.Size+1))
	if cerr := f.Close(); err == nil {
		err = cerr
	}
	if err != nil {
		return fmt.Errorf("download update: %w", err)
	}
	if got := hex.EncodeToString(h.Sum(nil)); n != o.Size || got != o.SHA256 {
		return fmt.Errorf("%w (got %d bytes with sha256 %s, signed %d bytes with %s)", ErrBadHash, n, got, o.Size, o.SHA256)
	}
	return nil
}

// selfCheck runs the new binary's `version` and expects want.
func selfCheck(ctx context.Context, bin, want string) error {
	ctx, cancel := context.WithTimeout(ctx, 15*time.Second)
	defer cancel()
	out, err := exec.CommandContext(ctx, bin, "version").Output()
	if err != nil {
		return err
	}
	if got := strings.TrimSpace(string(out)); got != "borgdesk-agent "+want {
		return fmt.Errorf("it says %q, want version %s", got, want)
	}
	return nil
}

func (u *Updater) marker() string { return filepath.Join(u.StateDir, "update-pending") }

// Pending reports whether this run is the first of a freshly installed
// update, and counts the attempt. After three attempts that never proved
// healthy it answers rollback = true.
func (u *Updater) Pending() (pending, rollback bool) {
	raw, err := os.ReadFile(u.marker())
	if err != nil {
		return false, false
	}
	lines := strings.Split(strings.TrimSpace(string(raw)), "\n")
	attempts := 0
	if len(lines) > 1 {
		attempts, _ = strconv.Atoi(lines[1])
	}
	attempts++
	os.WriteFile(u.marker(), []byte(lines[0]+"\n"+strconv.Itoa(attempts)+"\n"), 0o600)
	return true, attempts > 3
}

// Confirm marks the running update healthy: the old binary is dropped.
func (u *Updater) Confirm() {
	os.Remove(u.Exe + ".old")
	os.Remove(u.marker())
}

// Rollback puts the previous binary back. The caller then re-executes it.
func (u *Updater) Rollback() error {
	old := u.Exe + ".old"
	if _, err := os.Stat(old); err != nil {
		os.Remove(u.marker())
		return fmt.Errorf("no previous binary to roll back to: %w", err)
	}
	if err := os.Rename(old, u.Exe); err != nil {
		return fmt.Errorf("roll back: %w", err)
	}
	return os.Remove(u.marker())
}

func (u *Updater) goos() string {
	if u.GOOS != "" {
		return u.GOOS
	}
	return runtime.GOOS
}

func (u *Updater) goarch() string {
	if u.GOARCH != "" {
		return u.GOARCH
	}
	return runtime.GOARCH
}

// packageOf names the package that owns the file exe, as dpkg or rpm
// knows it ("" when neither does, or neither is installed).
func packageOf(ctx context.Context, exe string) string {
	paths := []string{exe}
	if real, err := filepath.EvalSymlinks(exe); err == nil && real != exe {
		paths = append(paths, real)
	}
	for _, p := range paths {
		if _, err := exec.LookPath("dpkg-query"); err == nil {
			// "borgdesk-agent: /usr/bin/borgdesk-agent"
			if out, err := exec.CommandContext(ctx, "dpkg-query", "-S", p).Output(); err == nil {
				if name, _, ok := strings.Cut(strings.TrimSpace(string(out)), ":"); ok {
					return "the " + name + " package (dpkg)"
				}
			}
		}
		if _, err := exec.LookPath("rpm"); err == nil {
			if out, err := exec.CommandContext(ctx, "rpm", "-qf", "--qf", "%{NAME}", p).Output(); err == nil {
				return "the " + strings.TrimSpace(string(out)) + " package (rpm)"
			}
		}
	}
	return ""
}
