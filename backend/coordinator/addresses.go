package coordinator

import (
	"context"
	"fmt"
	"net"
	"net/url"
	"slices"

	"borgdesk/backend/service"
)

// FromOption names an address given in Options without saying which flag
// or variable it came from (tests, benchmarks).
const FromOption = "option"

// addressPlan is where the coordinator will listen and what URL agents get,
// each with where it came from, before anything listens. An empty gateway
// URL is derived from the gateway's port once it listens.
type addressPlan struct {
	gatewayListen, sshListen, gatewayURL service.Address
	// operatorsListen is the operator listener's; InUse "" when it is off.
	operatorsListen service.Address
}

// choose applies the precedence for one address: an explicit value (a flag
// or an environment variable, named by from) over the setting over the
// default. setting is the setting's value, its default when never set.
func choose(key, explicit, from, setting, def string) service.Address {
	a := service.Address{Key: key, Setting: setting}
	switch {
	case explicit != "":
		if from == "" {
			from = FromOption
		}
		a.InUse, a.From = explicit, from
	case setting != def:
		a.InUse, a.From = setting, service.FromSetting
	default:
		a.InUse, a.From = def, service.FromDefault
	}
	return a
}

// planAddresses reads the address settings and applies the precedence. A
// stored setting that is not valid (it was checked when set, so the
// database was edited by hand) stops the start with a sentence.
func planAddresses(ctx context.Context, opts Options, setting func(ctx context.Context, key string) (string, error)) (addressPlan, error) {
	get := func(key string, check func(string) error) (string, error) {
		v, err := setting(ctx, key)
		if err != nil {
			return "", fmt.Errorf("read setting %s: %w", key, err)
		}
		if v != "" {
			if err := check(v); err != nil {
				return "", fmt.Errorf("setting %s: %v; start with its flag to override it, then change it with `borgdesk settings set %s VALUE`", key, err, key)
			}
		}
		return v, nil
	}
	gl, err := get(service.KeyGatewayListen, service.CheckListenAddr)
	if err != nil {
		return addressPlan{}, err
	}
	sl, err := get(service.KeySSHListen, service.CheckListenAddr)
	if err != nil {
		return addressPlan{}, err
	}
	gu, err := get(service.KeyGatewayURL, service.CheckGatewayURL)
	if err != nil {
		return addressPlan{}, err
	}
	ol, err := get(service.KeyOperatorsListen, service.CheckListenAddr)
	if err != nil {
		return addressPlan{}, err
	}
	from := opts.AddressSources
	return addressPlan{
		operatorsListen: choose(service.KeyOperatorsListen, opts.OperatorsListen, from[service.KeyOperatorsListen], ol, ""),
		gatewayListen:   choose(service.KeyGatewayListen, opts.GatewayListen, from[service.KeyGatewayListen], gl, service.DefaultGatewayListen),
		sshListen:       choose(service.KeySSHListen, opts.SSHListen, from[service.KeySSHListen], sl, service.DefaultSSHListen),
		gatewayURL:      choose(service.KeyGatewayURL, opts.GatewayURL, from[service.KeyGatewayURL], gu, ""),
	}, nil
}

// listenError says, when the address came from a setting, how to get
// Borgdesk started anyway.
func listenError(err error, a service.Address) error {
	if a.From != service.FromSetting {
		return err
	}
	return fmt.Errorf("%w; %s comes from the setting %s: start once with the flag, then change it with `borgdesk settings set %s ADDR`", err, a.InUse, a.Key, a.Key)
}

// certificateHosts are the names in the gateway's certificate: this host's,
// and the gateway URL's host, so agents told that URL can verify it.
func certificateHosts(defaults []string, gatewayURL string) []string {
	hosts := slices.Clone(defaults)
	if gatewayURL == "" {
		return hosts
	}
	if u, err := url.Parse(gatewayURL); err == nil && u.Hostname() != "" && !slices.Contains(hosts, u.Hostname()) {
		hosts = append(hosts, u.Hostname())
	}
	return hosts
}

// operatorsURL is where operators reach the operator listener: the
// gateway URL's host (what agents reach this machine by) and the
// listener's port.
func operatorsURL(gatewayURL string, ln net.Listener) string {
	_, port, _ := net.SplitHostPort(ln.Addr().String())
	host := "localhost"
	if u, err := url.Parse(gatewayURL); err == nil && u.Hostname() != "" {
		host = u.Hostname()
	}
	return "https://" + net.JoinHostPort(host, port)
}

// boundAddr is a listener's address as the operator would write it.
func boundAddr(ln net.Listener) string { return ln.Addr().String() }
