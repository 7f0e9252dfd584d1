package settings

import (
	"fmt"
	"net"
	"net/url"
	"slices"
	"strconv"
	"strings"
)

// The coordinator's network addresses are settings it reads once at
// start-up (a change takes effect at the next start): the agent gateway's
// and the Borg SSH server's listen addresses, and the URL agents are given.
// A flag or an environment variable wins over the setting, the setting over
// the default.

// Setting keys of the coordinator's addresses.
const (
	KeyGatewayListen = "gateway.listen"
	KeySSHListen     = "ssh.listen"
	KeyGatewayURL    = "gateway.url"
	// KeyOperatorsListen is the operator listener's address (the admin
	// API over mutual TLS); empty: off.
	KeyOperatorsListen = "operators.listen"
)

// Default listen addresses.
const (
	DefaultGatewayListen = ":8443"
	DefaultSSHListen     = ":2222"
)

// Where an address came from, besides the flag or variable that named it.
const (
	FromSetting = "setting"
	FromDefault = "default"
)

// restartKeys are the settings read only when the coordinator starts.
var restartKeys = []string{KeyGatewayListen, KeySSHListen, KeyGatewayURL, KeyOperatorsListen}

// NeedsRestart reports whether a change of key takes effect only when
// Borgdesk restarts.
func NeedsRestart(key string) bool { return slices.Contains(restartKeys, key) }

// Address is one of the coordinator's addresses as it started.
type Address struct {
	// Key is the setting that configures it.
	Key string `json:"key"`
	// InUse is what the listener is bound to (for gateway.url, the URL
	// agents and install commands are given).
	InUse string `json:"in_use"`
	// From is the flag or environment variable that named it (such as
	// --listen or BORGDESK_LISTEN), FromSetting or FromDefault.
	From string `json:"from"`
	// Setting is the setting's value when the coordinator started: the
	// address changes at the next start if the setting differs now.
	Setting string `json:"setting"`
}

// CheckListenAddr accepts HOST:PORT or :PORT with a port from 1 to 65535.
func CheckListenAddr(v string) error {
	host, p, err := net.SplitHostPort(v)
	if err != nil {
		return fmt.Errorf("%q is not HOST:PORT or :PORT", v)
	}
	if strings.ContainsAny(host, " /\\@") {
		return fmt.Errorf("%q is not a host name or address", host)
	}
	if n, err := strconv.Atoi(p); err != nil || n < 1 || n > 65535 {
		return fmt.Errorf("%q is not a port number from 1 to 65535", p)
	}
	return nil
}

// CheckGatewayURL accepts an https URL with a host and at most a port:
// https://HOST or https://HOST:PORT.
func CheckGatewayURL(v string) error {
	u, err := url.Parse(v)
	if err != nil || u.Scheme != "https" || u.Hostname() == "" || u.User != nil || u.Opaque != "" {
		return fmt.Errorf("%q is not an https://HOST:PORT URL", v)
	}
	if (u.Path != "" && u.Path != "/") || u.RawQuery != "" || u.Fragment != "" {
		return fmt.Errorf("%q has a path, query or fragment; give only https://HOST:PORT", v)
	}
	if p := u.Port(); p != "" {
		if n, err := strconv.Atoi(p); err != nil || n < 1 || n > 65535 {
			return fmt.Errorf("%q is not a port number from 1 to 65535", p)
		}
	}
	return nil
}

func listenAddrOrEmpty(v string) error {
	if v == "" {
		return nil
	}
	return CheckListenAddr(v)
}

func gatewayURLOrEmpty(v string) error {
	if v == "" {
		return nil
	}
	return CheckGatewayURL(v)
}
