// Package identity makes and loads the agent's own keys: an ECDSA P-256 TLS
// key with its CSR, and an ed25519 SSH key. Private keys are created here,
// written 0600, and never sent anywhere.
package identity

import (
	"crypto/ecdsa"
	"crypto/ed25519"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/tls"
	"crypto/x509"
	"crypto/x509/pkix"
	"encoding/pem"
	"errors"
	"fmt"
	"os"
	"sync/atomic"

	"golang.org/x/crypto/ssh"
)

// TLSKey is a fresh TLS key and a CSR for it.
type TLSKey struct {
	KeyPEM []byte
	CSRPEM []byte
}

// NewTLSKey makes an ECDSA P-256 key and a CSR naming name.
func NewTLSKey(name string) (TLSKey, error) {
	key, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	if err != nil {
		return TLSKey{}, err
	}
	csr, err := x509.CreateCertificateRequest(rand.Reader, &x509.CertificateRequest{Subject: pkix.Name{CommonName: name}}, key)
	if err != nil {
		return TLSKey{}, fmt.Errorf("create CSR: %w", err)
	}
	der, err := x509.MarshalPKCS8PrivateKey(key)
	if err != nil {
		return TLSKey{}, err
	}
	return TLSKey{
		KeyPEM: pem.EncodeToMemory(&pem.Block{Type: "PRIVATE KEY", Bytes: der}),
		CSRPEM: pem.EncodeToMemory(&pem.Block{Type: "CERTIFICATE REQUEST", Bytes: csr}),
	}, nil
}

// SSHKey is a fresh ed25519 key: the private key in OpenSSH format and the
// public key as an authorized_keys line.
type SSHKey struct {
	PrivatePEM []byte
	PublicLine string
}

// NewSSHKey makes an ed25519 SSH key.
func NewSSHKey(comment string) (SSHKey, error) {
	pub, priv, err := ed25519.GenerateKey(rand.Reader)
	if err != nil {
		return SSHKey{}, err
	}
	block, err := ssh.MarshalPrivateKey(priv, comment)
	if err != nil {
		return SSHKey{}, err
	}
	sshPub, err := ssh.NewPublicKey(pub)
	if err != nil {
		return SSHKey{}, err
	}
	line := string(ssh.MarshalAuthorizedKey(sshPub))
	return SSHKey{PrivatePEM: pem.EncodeToMemory(block), PublicLine: line[:len(line)-1] + " " + comment}, nil
}

// Holder serves the agent's current certificate to TLS and can swap it
// while connections are open (after a renewal or a file change).
type Holder struct {
	cert atomic.Pointer[tls.Certificate]
}

// Load reads a certificate and key from files into the holder.
func (h *Holder) Load(certFile, keyFile string) (*x509.Certificate, error) {
	certPEM, err := os.ReadFile(certFile)
	if err != nil {
		return nil, err
	}
	keyPEM, err := os.ReadFile(keyFile)
	if err != nil {
		return nil, err
	}
	return h.Set(certPEM, keyPEM)
}

// Set installs a certificate and key from PEM.
func (h *Holder) Set(certPEM, keyPEM []byte) (*x509.Certificate, error) {
	c, err := tls.X509KeyPair(certPEM, keyPEM)
	if err != nil {
		return nil, fmt.Errorf("agent certificate: %w", err)
	}
	leaf, err := x509.ParseCertificate(c.Certificate[0])
	if err != nil {
		return nil, err
	}
	c.Leaf = leaf
	h.cert.Store(&c)
	return leaf, nil
}

// Leaf is the current certificate.
func (h *Holder) Leaf() *x509.Certificate {
	if c := h.cert.Load(); c != nil {
		return c.Leaf
	}
	return nil
}

// GetClientCertificate is the tls.Config hook.
func (h *Holder) GetClientCertificate(*tls.CertificateRequestInfo) (*tls.Certificate, error) {
	c := h.cert.Load()
	if c == nil {
		return nil, errors.New("no agent certificate loaded")
	}
	return c, nil
}
