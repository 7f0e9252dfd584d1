package remote

import (
	"crypto/tls"
	"crypto/x509"
	"encoding/json"
	"encoding/pem"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strings"

	"borgdesk/backend/shared/agentapi"
)

// pinned is a client TLS configuration that trusts only a serving
// certificate signed by the CA whose fingerprint is fp. The CA comes from
// the coordinator's own chain at first contact (ca nil) and from the stored
// ca.crt afterwards. Host names are not checked: the pinned CA issues
// serving certificates to its own coordinator only (agent and operator
// certificates are for client authentication, which the check refuses), so
// an operator may reach it by any name or address.
func pinned(fp string, ca *x509.Certificate) *tls.Config {
	return &tls.Config{
		MinVersion:         tls.VersionTLS13,
		InsecureSkipVerify: true, // replaced by VerifyConnection below
		VerifyConnection: func(cs tls.ConnectionState) error {
			if len(cs.PeerCertificates) == 0 {
				return errors.New("the coordinator presented no certificate")
			}
			root := ca
			if root == nil {
				for _, c := range cs.PeerCertificates[1:] {
					if c.IsCA && agentapi.Fingerprint(c.Raw) == fp {
						root = c
					}
				}
			}
			if root == nil || agentapi.Fingerprint(root.Raw) != fp {
				return fmt.Errorf("this is not the coordinator the invite names: its CA is not %s (check the address; a new invite pins the right one)", fp)
			}
			pool := x509.NewCertPool()
			pool.AddCert(root)
			_, err := cs.PeerCertificates[0].Verify(x509.VerifyOptions{Roots: pool, KeyUsages: []x509.ExtKeyUsage{x509.ExtKeyUsageServerAuth}})
			if err != nil {
				return fmt.Errorf("the coordinator's certificate is not signed by the pinned CA %s: %w", fp, err)
			}
			return nil
		},
	}
}

// Open loads the profile named ref (a directory under dir, or the URL of
// one of them).
func Open(dir, ref string) (Profile, error) {
	entries, err := os.ReadDir(dir)
	if err != nil && !os.IsNotExist(err) {
		return Profile{}, err
	}
	want := strings.TrimRight(ref, "/")
	for _, e := range entries {
		if !e.IsDir() {
			continue
		}
		p, err := load(filepath.Join(dir, e.Name()))
		if err != nil {
			continue
		}
		if p.Name == want || p.URL == want {
			return p, nil
		}
	}
	return Profile{}, fmt.Errorf("not connected to %s: run `borgdesk connect %s --invite CODE` first (an admin of that coordinator makes the invite with `borgdesk operator invite NAME --role ROLE`); connections are kept in %s", ref, ref, dir)
}

func load(pdir string) (Profile, error) {
	raw, err := os.ReadFile(filepath.Join(pdir, ProfileFile))
	if err != nil {
		return Profile{}, err
	}
	var p Profile
	if err := json.Unmarshal(raw, &p); err != nil {
		return Profile{}, fmt.Errorf("%s: %w", filepath.Join(pdir, ProfileFile), err)
	}
	p.Dir = pdir
	return p, nil
}

// TLSConfig is the client configuration for this profile: the operator's
// certificate and key, and the stored CA (its fingerprint checked against
// the pin again).
func (p Profile) TLSConfig() (*tls.Config, error) {
	keyPath := filepath.Join(p.Dir, KeyFile)
	if fi, err := os.Stat(keyPath); err == nil && fi.Mode().Perm()&0o077 != 0 {
		return nil, fmt.Errorf("%s has mode %v: others can read your operator key; run `chmod 600 %s`, and ask the coordinator's admin to revoke you and invite you again if someone else may have read it", keyPath, fi.Mode().Perm(), keyPath)
	}
	cert, err := tls.LoadX509KeyPair(filepath.Join(p.Dir, CertFile), keyPath)
	if err != nil {
		return nil, fmt.Errorf("load your operator certificate from %s: %w", p.Dir, err)
	}
	raw, err := os.ReadFile(filepath.Join(p.Dir, CAFile))
	if err != nil {
		return nil, err
	}
	var ca *x509.Certificate
	if cas, err := parsePEMCerts(raw); err == nil && len(cas) == 1 {
		ca = cas[0]
	}
	if ca == nil || agentapi.Fingerprint(ca.Raw) != p.CAFingerprint {
		return nil, fmt.Errorf("%s does not hold the CA pinned at connect (%s): connect again", filepath.Join(p.Dir, CAFile), p.CAFingerprint)
	}
	cfg := pinned(p.CAFingerprint, ca)
	cfg.Certificates = []tls.Certificate{cert}
	return cfg, nil
}

func parsePEMCerts(raw []byte) ([]*x509.Certificate, error) {
	var out []*x509.Certificate
	for {
		var b *pem.Block
		b, raw = pem.Decode(raw)
		if b == nil {
			return out, nil
		}
		c, err := x509.ParseCertificate(b.Bytes)
		if err != nil {
			return nil, err
		}
		out = append(out, c)
	}
}
