package update

import (
	"context"
	"crypto/ed25519"
	"crypto/rand"
	"crypto/sha256"
	"encoding/base64"
	"encoding/hex"
	"encoding/json"
	"encoding/pem"
	"errors"
	"net/http"
	"net/http/httptest"
	"os"
	"os/exec"
	"path/filepath"
	"runtime"
	"strings"
	"testing"

	"borgdesk/agent/internal/client"
	"borgdesk/backend/shared/agentapi"
)

// fakeCoordinator offers `served` as version v2, with a signature made by
// signer over `signedBytes`.
func fakeCoordinator(t *testing.T, signer ed25519.PrivateKey, signedBytes, served []byte) *client.Client {
	t.Helper()
	sum := sha256.Sum256(signedBytes)
	hexSum := hex.EncodeToString(sum[:])
	sig := ed25519.Sign(signer, agentapi.UpdateMessage("v2", runtime.GOOS, runtime.GOARCH, hexSum))
	mux := http.NewServeMux()
	mux.HandleFunc("POST "+agentapi.PathUpdateCheck, func(w http.ResponseWriter, r *http.Request) {
		json.NewEncoder(w).Encode(agentapi.UpdateCheckResponse{Available: true, Version: "v2", SHA256: hexSum, Size: int64(len(signedBytes)), Signature: base64.StdEncoding.EncodeToString(sig)})
	})
	mux.HandleFunc("GET "+agentapi.PathUpdateFetch, func(w http.ResponseWriter, r *http.Request) { w.Write(served) })
	srv := httptest.NewTLSServer(mux)
	t.Cleanup(srv.Close)
	caPEM := pem.EncodeToMemory(&pem.Block{Type: "CERTIFICATE", Bytes: srv.Certificate().Raw})
	conf, err := client.MutualTLS(caPEM, nil)
	if err != nil {
		t.Fatal(err)
	}
	conf.GetClientCertificate = nil
	c, err := client.New(srv.URL, conf)
	if err != nil {
		t.Fatal(err)
	}
	return c
}

// newBinary is a stand-in agent that answers `version` with v2.
var newBinary = []byte("#!/bin/sh\necho borgdesk-agent v2\n")

func setup(t *testing.T, signer ed25519.PrivateKey, trusted ed25519.PublicKey, signed, served []byte) (*Updater, string) {
	dir := t.TempDir()
	exe := filepath.Join(dir, "borgdesk-agent")
	os.WriteFile(exe, []byte("#!/bin/sh\necho borgdesk-agent v1\n"), 0o755)
	u := &Updater{Client: fakeCoordinator(t, signer, signed, served), PublicKey: base64.StdEncoding.EncodeToString(trusted), Version: "v1", Exe: exe, StateDir: dir}
	return u, exe
}

func install(t *testing.T, u *Updater) error {
	offer, err := u.Offer(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	if offer == nil {
		t.Fatal("no offer")
	}
	return u.Install(context.Background(), offer)
}

func TestUpdateVerifiesSignatureAndHash(t *testing.T) {
	pub, key, _ := ed25519.GenerateKey(rand.Reader)
	_, otherKey, _ := ed25519.GenerateKey(rand.Reader)
	tampered := append([]byte{}, newBinary...)
	tampered[len(tampered)-2] = 'X'
	tests := []struct {
		name    string
		signer  ed25519.PrivateKey
		served  []byte
		wantErr error
	}{
		{"signed by another key", otherKey, newBinary, ErrBadSignature},
		{"tampered in transit", key, tampered, ErrBadHash},
		{"truncated in transit", key, newBinary[:10], ErrBadHash},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			u, exe := setup(t, tt.signer, pub, newBinary, tt.served)
			err := install(t, u)
			if !errors.Is(err, tt.wantErr) {
				t.Fatalf("err = %v; want %v", err, tt.wantErr)
			}
			if got, _ := os.ReadFile(exe); string(got) != "#!/bin/sh\necho borgdesk-agent v1\n" {
				t.Errorf("binary replaced despite %v", err)
			}
			if _, err := os.Stat(exe + ".new"); !os.IsNotExist(err) {
				t.Error("rejected download left behind")
			}
		})
	}
}

func TestUpdateInstallsConfirmsAndRollsBack(t *testing.T) {
	pub, key, _ := ed25519.GenerateKey(rand.Reader)
	u, exe := setup(t, key, pub, newBinary, newBinary)
	if err := install(t, u); err != nil {
		t.Fatal(err)
	}
	if got, _ := os.ReadFile(exe); string(got) != string(newBinary) {
		t.Fatal("new binary not in place")
	}
	if pending, rollback := u.Pending(); !pending || rollback {
		t.Fatalf("Pending = %v, %v; want pending", pending, rollback)
	}
	// Three more starts that never prove healthy: roll back.
	u.Pending()
	u.Pending()
	if _, rollback := u.Pending(); !rollback {
		t.Fatal("no rollback after repeated failed starts")
	}
	if err := u.Rollback(); err != nil {
		t.Fatal(err)
	}
	if got, _ := os.ReadFile(exe); string(got) != "#!/bin/sh\necho borgdesk-agent v1\n" {
		t.Error("rollback did not restore the old binary")
	}
	if pending, _ := u.Pending(); pending {
		t.Error("still pending after rollback")
	}
}

func TestUpdateRefusesABinaryThatDoesNotStart(t *testing.T) {
	pub, key, _ := ed25519.GenerateKey(rand.Reader)
	broken := []byte("#!/bin/sh\nexit 3\n")
	u, exe := setup(t, key, pub, broken, broken)
	if err := install(t, u); err == nil {
		t.Fatal("installed a binary that does not start")
	}
	if got, _ := os.ReadFile(exe); string(got) != "#!/bin/sh\necho borgdesk-agent v1\n" {
		t.Error("old binary replaced")
	}
}

// A binary that belongs to a package is the package manager's to update:
// nothing is downloaded, swapped or left beside it, and the error says
// what to run.
func TestUpdateLeavesAPackagedBinaryAlone(t *testing.T) {
	pub, key, _ := ed25519.GenerateKey(rand.Reader)
	u, exe := setup(t, key, pub, newBinary, newBinary)
	u.PackageOf = func(_ context.Context, file string) string {
		if file != exe {
			t.Errorf("asked who owns %s; want %s", file, exe)
		}
		return "the borgdesk-agent package (dpkg)"
	}
	err := install(t, u)
	if !errors.Is(err, ErrPackaged) || !strings.Contains(err.Error(), "apt install borgdesk-agent") {
		t.Fatalf("Install of a packaged binary: %v; want ErrPackaged naming the package manager", err)
	}
	if got, _ := os.ReadFile(exe); string(got) != "#!/bin/sh\necho borgdesk-agent v1\n" {
		t.Error("the packaged binary was replaced")
	}
	for _, left := range []string{exe + ".new", exe + ".old"} {
		if _, err := os.Stat(left); !os.IsNotExist(err) {
			t.Errorf("%s left beside the packaged binary", left)
		}
	}
}

// packageOf asks dpkg for real: its own binary is the dpkg package's, a
// file of ours is nobody's.
func TestPackageOfAsksDpkg(t *testing.T) {
	dq, err := exec.LookPath("dpkg-query")
	if err != nil {
		t.Fatalf("dpkg-query is not installed (Debian machines have it): %v", err)
	}
	if got := packageOf(context.Background(), dq); !strings.Contains(got, "dpkg") {
		t.Errorf("packageOf(%s) = %q; want the dpkg package", dq, got)
	}
	mine := filepath.Join(t.TempDir(), "borgdesk-agent")
	os.WriteFile(mine, newBinary, 0o755)
	if got := packageOf(context.Background(), mine); got != "" {
		t.Errorf("packageOf(%s) = %q; want no package", mine, got)
	}
}
