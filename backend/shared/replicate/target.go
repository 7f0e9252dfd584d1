// Package replicate copies a Borg repository to a second place with
// rclone (an SFTP server, S3-compatible object storage, or a local
// directory such as a mounted disk) and verifies the copy.
//
// It holds the repository's borg lock while it copies, so the replica is a
// repository borg opens, and it lands the new files in an order that keeps
// the previous replica usable when a copy fails half-way (see Replicate).
//
// It imports neither the store nor the service: the coordinator runs it for
// the repositories in its data dir, and a storage node's agent will run the
// same code for the repositories it holds. rclone is configured only through
// a private per-run config file and environment variables; it never reads
// the user's rclone config, and no secret is ever put in a command line.
package replicate

import (
	"errors"
	"fmt"
	"net"
	"path"
	"strconv"
	"strings"
)

// Kinds of target.
const (
	KindSFTP  = "sftp"
	KindS3    = "s3"
	KindLocal = "local"
)

// Target is where replicas go: each repository lands in Path/<name>.
type Target struct {
	Kind string `json:"kind"`
	// Host, Port and User reach an SFTP server.
	Host string `json:"host,omitempty"`
	Port int    `json:"port,omitempty"`
	User string `json:"user,omitempty"`
	// Path is the directory that holds the replicas (SFTP: absolute, or
	// relative to the user's home; local: absolute) or the prefix inside
	// the bucket (S3).
	Path string `json:"path,omitempty"`
	// Endpoint, Bucket, Region and AccessKeyID reach S3-compatible storage.
	Endpoint    string `json:"endpoint,omitempty"`
	Bucket      string `json:"bucket,omitempty"`
	Region      string `json:"region,omitempty"`
	AccessKeyID string `json:"access_key_id,omitempty"`

	// The files with the secrets (mode 0600), never part of the JSON form:
	// the SFTP private key, the pinned host key(s) in known_hosts format,
	// and the S3 secret access key.
	KeyFile        string `json:"-"`
	KnownHostsFile string `json:"-"`
	SecretFile     string `json:"-"`
}

// Validate checks the target's fields (not the secret files).
func (t Target) Validate() error {
	switch t.Kind {
	case KindSFTP:
		if t.Host == "" || t.User == "" {
			return errors.New("an SFTP target needs a user and a host (user@host:port/path)")
		}
		if t.Port < 0 || t.Port > 65535 {
			return fmt.Errorf("port %d is not a TCP port", t.Port)
		}
	case KindS3:
		if t.Endpoint == "" || t.Bucket == "" || t.AccessKeyID == "" {
			return errors.New("an S3 target needs an endpoint, a bucket and an access key id")
		}
		if !strings.HasPrefix(t.Endpoint, "https://") && !strings.HasPrefix(t.Endpoint, "http://") {
			return fmt.Errorf("S3 endpoint %q must start with https:// (or http:// for a local test server)", t.Endpoint)
		}
		if strings.ContainsAny(t.Bucket, "/: ") {
			return fmt.Errorf("bucket name %q must not contain '/', ':' or spaces", t.Bucket)
		}
	case KindLocal:
		if !strings.HasPrefix(t.Path, "/") {
			return fmt.Errorf("a local target is an absolute directory, not %q", t.Path)
		}
	default:
		return fmt.Errorf("unknown target kind %q (sftp, s3 or local)", t.Kind)
	}
	if strings.ContainsAny(t.Path, "\n\r") || strings.Contains("/"+t.Path+"/", "/../") {
		return fmt.Errorf("target path %q must not contain '..' or line breaks", t.Path)
	}
	return nil
}

// String is the target as the operator reads it (no secrets).
func (t Target) String() string {
	switch t.Kind {
	case KindSFTP:
		return fmt.Sprintf("sftp://%s@%s%s", t.User, net.JoinHostPort(t.Host, strconv.Itoa(t.port())), sftpDisplayPath(t.Path))
	case KindS3:
		return fmt.Sprintf("s3://%s/%s (%s)", t.Bucket, strings.Trim(t.Path, "/"), t.Endpoint)
	}
	return t.Path
}

func sftpDisplayPath(p string) string {
	if strings.HasPrefix(p, "/") {
		return p
	}
	return "/~/" + p
}

func (t Target) port() int {
	if t.Port == 0 {
		return 22
	}
	return t.Port
}

// Address is host:port of an SFTP target.
func (t Target) Address() string { return net.JoinHostPort(t.Host, strconv.Itoa(t.port())) }

// Location is the replica of repository name on this target, as the
// operator would open it with borg (SFTP: ssh://…; S3: the object prefix).
func (t Target) Location(name string) string {
	switch t.Kind {
	case KindSFTP:
		p := path.Join(t.Path, name)
		if !strings.HasPrefix(p, "/") {
			p = "/./" + p
		}
		return fmt.Sprintf("ssh://%s@%s%s", t.User, t.Address(), p)
	case KindS3:
		return fmt.Sprintf("s3://%s/%s", t.Bucket, path.Join(strings.Trim(t.Path, "/"), name))
	}
	return path.Join(t.Path, name)
}

// remotePath is rclone's path of the replica of repository name, under the
// remote called remote.
func (t Target) remotePath(remote, name string) string {
	switch t.Kind {
	case KindS3:
		return remote + ":" + path.Join(t.Bucket, strings.Trim(t.Path, "/"), name)
	case KindSFTP:
		return remote + ":" + path.Join(t.Path, name)
	}
	return path.Join(t.Path, name)
}

// ParseSFTP reads user@host[:port][/path] (an [IPv6] host in brackets).
func ParseSFTP(s string) (Target, error) {
	t := Target{Kind: KindSFTP}
	user, rest, ok := strings.Cut(strings.TrimPrefix(s, "sftp://"), "@")
	if !ok || user == "" {
		return t, fmt.Errorf("%q: write the SFTP target as user@host[:port]/path", s)
	}
	t.User = user
	hostPort, p, _ := strings.Cut(rest, "/")
	host, port := hostPort, ""
	if strings.HasPrefix(hostPort, "[") {
		end := strings.Index(hostPort, "]")
		if end < 0 {
			return t, fmt.Errorf("%q: unclosed [ in the host", s)
		}
		host, port = hostPort[1:end], strings.TrimPrefix(hostPort[end+1:], ":")
	} else if h, pt, ok := strings.Cut(hostPort, ":"); ok {
		host, port = h, pt
	}
	t.Host = host
	if port != "" {
		n, err := strconv.Atoi(port)
		if err != nil || n <= 0 || n > 65535 {
			return t, fmt.Errorf("%q: port %q is not a TCP port", s, port)
		}
		t.Port = n
	}
	switch {
	case p == "" || p == "~":
		t.Path = "" // the user's home directory
	case strings.HasPrefix(p, "~/"):
		t.Path = strings.TrimPrefix(p, "~/")
	default:
		t.Path = "/" + p // user@host:22/srv/x means /srv/x
	}
	return t, t.Validate()
}
