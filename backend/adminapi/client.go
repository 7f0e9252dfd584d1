package adminapi

import (
	"bufio"
	"bytes"
	"context"
	"crypto/tls"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net"
	"net/http"
	"strings"
	"syscall"
	"time"

	"borgdesk/backend/store"
)

// ErrNoCoordinator means nothing is listening on the admin socket.
var ErrNoCoordinator = errors.New("no Borgdesk coordinator is running")

// Client talks to a coordinator over its admin socket, or to a remote one
// over its operator listener.
type Client struct {
	socket string // "" for a remote coordinator
	base   string // what request paths are appended to
	hc     *http.Client
}

// NewClient returns a client for the socket at path. It does not connect yet.
func NewClient(path string) *Client {
	tr := &http.Transport{
		DialContext: func(ctx context.Context, _, _ string) (net.Conn, error) {
			return dialUnix(ctx, path)
		},
	}
	return &Client{socket: path, base: "http://borgdesk", hc: &http.Client{Transport: tr}}
}

// NewRemoteClient returns a client for the operator listener at baseURL
// (https://HOST:PORT), with cfg carrying the operator's certificate and the
// coordinator's pinned CA (see backend/remote). It does not connect yet.
func NewRemoteClient(baseURL string, cfg *tls.Config) *Client {
	tr := &http.Transport{TLSClientConfig: cfg, ForceAttemptHTTP2: true, IdleConnTimeout: time.Minute}
	return &Client{base: strings.TrimRight(baseURL, "/"), hc: &http.Client{Transport: tr}}
}

// StreamEvents calls fn for every event until ctx ends, fn returns an error,
// or the coordinator closes the stream.
func (c *Client) StreamEvents(ctx context.Context, fn func(store.Event) error) error {
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, c.base+eventStream.pattern, nil)
	if err != nil {
		return err
	}
	resp, err := c.hc.Do(req)
	if err != nil {
		return c.connError(err)
	}
	defer resp.Body.Close()
	if resp.StatusCode != http.StatusOK {
		return decodeError(resp)
	}
	sc := bufio.NewScanner(resp.Body)
	sc.Buffer(make([]byte, 64<<10), 4<<20)
	for sc.Scan() {
		var line struct {
			store.Event
			Error string `json:"error"`
		}
		if err := json.Unmarshal(sc.Bytes(), &line); err != nil {
			return fmt.Errorf("event stream: %w", err)
		}
		if line.Error != "" {
			return fmt.Errorf("event stream: %s", line.Error)
		}
		if err := fn(line.Event); err != nil {
			return err
		}
	}
	if ctx.Err() != nil {
		return ctx.Err()
	}
	if err := sc.Err(); err != nil {
		return fmt.Errorf("event stream: %w", err)
	}
	return errors.New("event stream: the coordinator closed the stream (did it stop?)")
}

func (c *Client) do(ctx context.Context, method, path string, in, out any) error {
	var body io.Reader
	if in != nil {
		raw, err := json.Marshal(in)
		if err != nil {
			return err
		}
		body = bytes.NewReader(raw)
	}
	req, err := http.NewRequestWithContext(ctx, method, c.base+path, body)
	if err != nil {
		return err
	}
	if in != nil {
		req.Header.Set("Content-Type", "application/json")
	}
	resp, err := c.hc.Do(req)
	if err != nil {
		return c.connError(err)
	}
	defer resp.Body.Close()
	if resp.StatusCode != http.StatusOK {
		return decodeError(resp)
	}
	if out == nil {
		return nil
	}
	if err := json.NewDecoder(resp.Body).Decode(out); err != nil {
		return fmt.Errorf("decode coordinator reply to %s %s: %w", method, path, err)
	}
	return nil
}

func (c *Client) connError(err error) error {
	if c.socket == "" {
		return fmt.Errorf("coordinator %s: %w", c.base, err)
	}
	if errors.Is(err, ErrNoSocket) {
		return ErrNoSocket
	}
	if errors.Is(err, syscall.ENOENT) || errors.Is(err, syscall.ECONNREFUSED) {
		return fmt.Errorf("%w on socket %s: start one with `borgdesk serve` (same --data) or open the desktop app", ErrNoCoordinator, c.socket)
	}
	if errors.Is(err, syscall.EACCES) {
		return fmt.Errorf("admin socket %s: permission denied: run the command as the user who runs the coordinator", c.socket)
	}
	return fmt.Errorf("admin socket %s: %w", c.socket, err)
}

func decodeError(resp *http.Response) error {
	var body errorBody
	raw, _ := io.ReadAll(io.LimitReader(resp.Body, 1<<20))
	if err := json.Unmarshal(raw, &body); err != nil || body.Error.Message == "" {
		return fmt.Errorf("coordinator answered %s", resp.Status)
	}
	return &RemoteError{Code: body.Error.Code, Message: body.Error.Message}
}
