// Package client is the agent's HTTPS client for the coordinator's gateway:
// mutual TLS with the fleet CA as the only root, the protocol version on
// every request, size-limited strict JSON replies, and errors that carry the
// gateway's message.
package client

import (
	"bytes"
	"context"
	"crypto/tls"
	"crypto/x509"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net"
	"net/http"
	"net/url"
	"strconv"
	"sync/atomic"
	"time"

	"borgdesk/backend/shared/agentapi"
)

// Error is a refusal from the gateway.
type Error struct {
	Status  int
	Code    string
	Message string
}

func (e *Error) Error() string {
	return fmt.Sprintf("coordinator refused (%d %s): %s", e.Status, e.Code, e.Message)
}

// Refused reports whether err is a gateway refusal with one of codes.
func Refused(err error, codes ...string) bool {
	var e *Error
	if !errors.As(err, &e) {
		return false
	}
	for _, c := range codes {
		if e.Code == c {
			return true
		}
	}
	return len(codes) == 0
}

// Client talks to one gateway.
type Client struct {
	base *url.URL
	tls  *tls.Config
	hc   atomic.Pointer[http.Client]
}

// New returns a client for baseURL with tlsConf.
func New(baseURL string, tlsConf *tls.Config) (*Client, error) {
	u, err := url.Parse(baseURL)
	if err != nil || u.Scheme != "https" || u.Host == "" {
		return nil, fmt.Errorf("server URL %q: use https://HOST:PORT", baseURL)
	}
	c := &Client{base: u, tls: tlsConf}
	c.hc.Store(c.newHTTP())
	return c, nil
}

func (c *Client) newHTTP() *http.Client {
	return &http.Client{Transport: &http.Transport{
		TLSClientConfig:     c.tls,
		DialContext:         (&net.Dialer{Timeout: 10 * time.Second, KeepAlive: 30 * time.Second}).DialContext,
		TLSHandshakeTimeout: 10 * time.Second,
		IdleConnTimeout:     90 * time.Second,
		MaxIdleConnsPerHost: 4,
		ForceAttemptHTTP2:   true,
	}}
}

// MutualTLS is the configuration for an enrolled agent: the fleet CA as the
// only root, and the agent's certificate from getCert.
func MutualTLS(caPEM []byte, getCert func(*tls.CertificateRequestInfo) (*tls.Certificate, error)) (*tls.Config, error) {
	pool := x509.NewCertPool()
	if !pool.AppendCertsFromPEM(caPEM) {
		return nil, errors.New("CA certificate file holds no certificate")
	}
	return &tls.Config{MinVersion: tls.VersionTLS13, RootCAs: pool, GetClientCertificate: getCert}, nil
}

// Reset starts new connections for every later request, so none is made
// with the certificate they were opened with (after a renewal, the gateway
// refuses the old one); requests in flight finish on the old ones.
func (c *Client) Reset() {
	old := c.hc.Swap(c.newHTTP())
	old.CloseIdleConnections()
}

// Do sends in as JSON (nil for no body) and decodes the reply into out (nil
// to discard it). timeout bounds the whole exchange.
func (c *Client) Do(ctx context.Context, method, path string, in, out any, timeout time.Duration) error {
	resp, err := c.send(ctx, method, path, in, timeout)
	if err != nil {
		return err
	}
	defer resp.Body.Close()
	if out == nil {
		io.Copy(io.Discard, io.LimitReader(resp.Body, agentapi.MaxBodyBytes))
		return nil
	}
	dec := json.NewDecoder(io.LimitReader(resp.Body, 16*agentapi.MaxBodyBytes))
	if err := dec.Decode(out); err != nil {
		return fmt.Errorf("%s %s: bad reply: %w", method, path, err)
	}
	return nil
}

// Upload PUTs body (size bytes) to path and decodes the JSON reply.
func (c *Client) Upload(ctx context.Context, path string, body io.Reader, size int64, out any, timeout time.Duration) error {
	ref, err := url.Parse(path)
	if err != nil {
		return err
	}
	ctx, cancel := context.WithTimeout(ctx, timeout)
	defer cancel()
	req, err := http.NewRequestWithContext(ctx, http.MethodPut, c.base.ResolveReference(ref).String(), body)
	if err != nil {
		return err
	}
	req.ContentLength = size
	req.Header.Set(agentapi.ProtocolHeader, strconv.Itoa(agentapi.ProtocolVersion))
	req.Header.Set("Content-Type", "application/octet-stream")
	resp, err := c.hc.Load().Do(req)
	if err != nil {
		return fmt.Errorf("PUT %s: %w", path, err)
	}
	defer resp.Body.Close()
	raw, _ := io.ReadAll(io.LimitReader(resp.Body, 1<<20))
	if resp.StatusCode/100 != 2 {
		var e agentapi.Error
		if json.Unmarshal(raw, &e) != nil || e.Message == "" {
			e = agentapi.Error{Code: "http_" + strconv.Itoa(resp.StatusCode), Message: resp.Status}
		}
		return &Error{Status: resp.StatusCode, Code: e.Code, Message: e.Message}
	}
	if out != nil {
		return json.Unmarshal(raw, out)
	}
	return nil
}

// Stream sends a GET and returns the successful response for the caller to read.
func (c *Client) Stream(ctx context.Context, path string, timeout time.Duration) (*http.Response, error) {
	return c.send(ctx, http.MethodGet, path, nil, timeout)
}

func (c *Client) send(ctx context.Context, method, path string, in any, timeout time.Duration) (*http.Response, error) {
	var body []byte
	if in != nil {
		raw, err := json.Marshal(in)
		if err != nil {
			return nil, err
		}
		body = raw
	}
	resp, err := c.sendOnce(ctx, method, path, body, timeout)
	if Refused(err, agentapi.CodeSuperseded) {
		// A connection opened before a renewal: the next one presents the
		// renewed certificate.
		c.Reset()
		resp, err = c.sendOnce(ctx, method, path, body, timeout)
	}
	return resp, err
}

func (c *Client) sendOnce(ctx context.Context, method, path string, body []byte, timeout time.Duration) (*http.Response, error) {
	ref, err := url.Parse(path)
	if err != nil {
		return nil, err
	}
	var rd io.Reader
	if body != nil {
		rd = bytes.NewReader(body)
	}
	ctx, cancel := context.WithTimeout(ctx, timeout)
	req, err := http.NewRequestWithContext(ctx, method, c.base.ResolveReference(ref).String(), rd)
	if err != nil {
		cancel()
		return nil, err
	}
	req.Header.Set(agentapi.ProtocolHeader, strconv.Itoa(agentapi.ProtocolVersion))
	if body != nil {
		req.Header.Set("Content-Type", "application/json")
	}
	resp, err := c.hc.Load().Do(req)
	if err != nil {
		cancel()
		return nil, fmt.Errorf("%s %s: %w", method, path, err)
	}
	if resp.StatusCode/100 != 2 {
		defer cancel()
		defer resp.Body.Close()
		var e agentapi.Error
		raw, _ := io.ReadAll(io.LimitReader(resp.Body, 64<<10))
		if json.Unmarshal(raw, &e) != nil || e.Message == "" {
			e = agentapi.Error{Code: "http_" + strconv.Itoa(resp.StatusCode), Message: resp.Status}
		}
		return nil, &Error{Status: resp.StatusCode, Code: e.Code, Message: e.Message}
	}
	resp.Body = cancelOnClose{resp.Body, cancel}
	return resp, nil
}

type cancelOnClose struct {
	io.ReadCloser
	cancel context.CancelFunc
}

func (c cancelOnClose) Close() error {
	err := c.ReadCloser.Close()
	c.cancel()
	return err
}
