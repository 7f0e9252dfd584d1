package ca

import (
	"crypto/x509"
	"crypto/x509/pkix"
	"fmt"
	"net/url"
	"strings"
	"time"
)

// OperatorLifetime is how long an operator's certificate is valid; it
// renews in the last RenewBefore, like an agent's.
const OperatorLifetime = 365 * 24 * time.Hour

// operatorURIPrefix names an operator in its certificate's URI SAN. An
// agent certificate never carries it and an operator certificate never
// carries agentURIPrefix, so neither is taken for the other.
const operatorURIPrefix = "urn:borgdesk:operator:"

// OperatorUnit is the organizational unit of operator certificates, so a
// person reading one with openssl sees what it is for.
const OperatorUnit = "operators"

// SignOperator issues a client certificate naming operator name, for the
// public key in csrPEM (made on the operator's machine). As with agents,
// the CSR's own subject is ignored: the CA decides the name.
func (c *CA) SignOperator(csrPEM []byte, name string) ([]byte, *x509.Certificate, error) {
	csr, err := ParseCSR(csrPEM)
	if err != nil {
		return nil, nil, err
	}
	u, err := url.Parse(operatorURIPrefix + url.PathEscape(name))
	if err != nil {
		return nil, nil, fmt.Errorf("operator name %q: %w", name, err)
	}
	start := c.now().Add(-5 * time.Minute)
	tmpl := &x509.Certificate{
		SerialNumber: randomSerial(),
		Subject:      pkix.Name{CommonName: name, Organization: []string{"Borgdesk"}, OrganizationalUnit: []string{OperatorUnit}},
		URIs:         []*url.URL{u},
		NotBefore:    start,
		NotAfter:     start.Add(OperatorLifetime),
		KeyUsage:     x509.KeyUsageDigitalSignature,
		ExtKeyUsage:  []x509.ExtKeyUsage{x509.ExtKeyUsageClientAuth},
	}
	return c.sign(tmpl, csr.PublicKey)
}

// OperatorName returns the operator a certificate issued by SignOperator
// names; false for any other certificate (an agent's included).
func OperatorName(cert *x509.Certificate) (string, bool) {
	if _, agent := AgentUUID(cert); agent {
		return "", false
	}
	for _, u := range cert.URIs {
		if s := u.String(); strings.HasPrefix(s, operatorURIPrefix) {
			name, err := url.PathUnescape(strings.TrimPrefix(s, operatorURIPrefix))
			return name, err == nil && name != ""
		}
	}
	return "", false
}
