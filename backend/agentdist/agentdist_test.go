package agentdist

import (
	"crypto/ed25519"
	"encoding/base64"
	"errors"
	"os"
	"os/exec"
	"path/filepath"
	"runtime"
	"strings"
	"sync"
	"testing"

	"borgdesk/backend/shared/agentapi"
	"borgdesk/backend/shared/testenv"
)

func TestNewerOrdersReleasesOnly(t *testing.T) {
	tests := []struct {
		candidate, current string
		want               bool
	}{
		{"v1.1.0", "v1.0.0", true},
		{"v1.0.0", "v1.1.0", false}, // a downgrade
		{"v1.0.0", "v1.0.0", false},
		{"v1.0.0-3-gabc1234", "v1.0.0", true}, // three commits past the tag
		{"v1.0.0-3-gabc1234", "v1.0.0-12-gdef5678", false},
		{"v1.0.10", "v1.0.9", true}, // numbers, not strings
		{"v2.0.0-dirty", "v1.9.9", true},
		{"1.2.0", "v1.1.0", true},
		{"0bfdef2", "v1.0.0", false}, // a bare commit: no place in history
		{"v1.0.0", "dev", false},
		{"v1.0.0; rm -rf /", "v0.1.0", false},
	}
	for _, tt := range tests {
		if got := Newer(tt.candidate, tt.current); got != tt.want {
			t.Errorf("Newer(%q, %q) = %v; want %v", tt.candidate, tt.current, got, tt.want)
		}
	}
}

var (
	buildOnce sync.Once
	built     string
	buildErr  error
)

// agentBuild is a real Go binary linked with a version, built once.
func agentBuild(t *testing.T) string {
	t.Helper()
	buildOnce.Do(func() {
		dir, err := os.MkdirTemp("", "agentdist-build")
		if err != nil {
			buildErr = err
			return
		}
		built = filepath.Join(dir, "bin")
		out, err := exec.Command("go", "build", "-ldflags", "-X borgdesk/backend/shared/version.Version=v1.2.3", "-o", built, "borgdesk/backend/agentdist/testdata/tiny").CombinedOutput()
		if err != nil {
			buildErr = errors.New(string(out))
		}
	})
	if buildErr != nil {
		t.Fatal(buildErr)
	}
	return built
}

func install(t *testing.T, dir string) string {
	t.Helper()
	raw, err := os.ReadFile(agentBuild(t))
	if err != nil {
		t.Fatal(err)
	}
	path := filepath.Join(dir, "borgdesk-agent-"+runtime.GOOS+"-"+runtime.GOARCH)
	if err := os.WriteFile(path, raw, 0o755); err != nil {
		t.Fatal(err)
	}
	return path
}

func TestLookupRefusesWhatOthersCouldReplace(t *testing.T) {
	dir := filepath.Join(t.TempDir(), "dist")
	os.Mkdir(dir, 0o755)
	path := install(t, dir)
	d, err := Open(dir, filepath.Join(t.TempDir(), "update.key"))
	if err != nil {
		t.Fatal(err)
	}
	bin, err := d.Lookup(runtime.GOOS, runtime.GOARCH)
	if err != nil || bin.Version != "v1.2.3" || bin.Signature != "" {
		t.Fatalf("Lookup = %+v, %v; want v1.2.3, unsigned", bin, err)
	}
	signed := d.Sign(bin)
	pub, _ := base64.StdEncoding.DecodeString(d.PublicKey())
	sig, _ := base64.StdEncoding.DecodeString(signed.Signature)
	if !ed25519.Verify(pub, agentapi.UpdateMessage(bin.Version, bin.OS, bin.Arch, bin.SHA256), sig) {
		t.Error("Sign's signature does not verify")
	}

	for _, tt := range []struct {
		name  string
		setup func()
		want  string
	}{
		{"group-writable file", func() { os.Chmod(path, 0o775) }, "chmod go-w"},
		{"world-writable folder", func() { os.Chmod(dir, 0o777) }, "chmod go-w"},
		{"a link", func() {
			target := install(t, t.TempDir())
			os.Remove(path)
			os.Symlink(target, path)
		}, "is a link"},
		{"another user's file", func() {
			testenv.NeedRoot(t, "chown a file to another user") // the mode cases run either way
			os.Chown(path, 4242, 4242)
		}, "belongs to user 4242"},
	} {
		t.Run(tt.name, func(t *testing.T) {
			os.Remove(path)
			install(t, dir)
			os.Chmod(dir, 0o755)
			tt.setup()
			d.cache = map[string]cached{}
			if _, err := d.Lookup(runtime.GOOS, runtime.GOARCH); !errors.Is(err, ErrUntrusted) || !strings.Contains(err.Error(), tt.want) {
				t.Errorf("Lookup = %v; want ErrUntrusted saying %q", err, tt.want)
			}
		})
	}
}

func TestOpenRefusesAnExposedSigningKey(t *testing.T) {
	key := filepath.Join(t.TempDir(), "update.key")
	if _, err := Open(t.TempDir(), key); err != nil {
		t.Fatal(err)
	}
	os.Chmod(key, 0o644)
	if _, err := Open(t.TempDir(), key); err == nil || !strings.Contains(err.Error(), "chmod 600") {
		t.Errorf("Open with a world-readable update.key = %v; want a refusal saying chmod 600", err)
	}
}
