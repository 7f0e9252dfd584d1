package settings

import (
	"context"
	"errors"
	"testing"

	"borgdesk/backend/fault"
)

func TestAddressChecks(t *testing.T) {
	for _, v := range []string{":8443", "127.0.0.1:9443", "[::1]:22", "desk.lan:65535"} {
		if err := CheckListenAddr(v); err != nil {
			t.Errorf("CheckListenAddr(%q) = %v", v, err)
		}
	}
	for _, v := range []string{"", "8443", ":0", ":65536", "host:port", "a b:1", "::1:22"} {
		if err := CheckListenAddr(v); err == nil {
			t.Errorf("CheckListenAddr(%q) accepted", v)
		}
	}
	for _, v := range []string{"https://desk.lan:8443", "https://desk.lan", "https://[::1]:8443/"} {
		if err := CheckGatewayURL(v); err != nil {
			t.Errorf("CheckGatewayURL(%q) = %v", v, err)
		}
	}
	for _, v := range []string{"http://desk.lan:8443", "desk.lan:8443", "https://", "https://u@desk.lan", "https://desk.lan/api", "https://desk.lan:0", "https://desk.lan?x"} {
		if err := CheckGatewayURL(v); err == nil {
			t.Errorf("CheckGatewayURL(%q) accepted", v)
		}
	}
}

func TestAddressSettingsTakeEffectAtRestart(t *testing.T) {
	f := newTest(t)
	ctx := context.Background()
	if v, _ := f.s.Get(ctx, KeyGatewayListen); v != ":8443" {
		t.Errorf("gateway.listen default = %q; want :8443", v)
	}
	if v, _ := f.s.Get(ctx, KeySSHListen); v != ":2222" {
		t.Errorf("ssh.listen default = %q; want :2222", v)
	}
	if err := f.s.Set(ctx, KeyGatewayURL, "http://desk.lan:8443"); !errors.Is(err, fault.ErrInvalid) {
		t.Errorf("an http gateway.url: err = %v; want fault.ErrInvalid", err)
	}
	if err := f.s.Set(ctx, KeyGatewayURL, ""); err != nil {
		t.Errorf("an empty gateway.url (derived): %v", err)
	}
	for _, k := range []string{KeyGatewayListen, KeySSHListen, KeyGatewayURL} {
		if !NeedsRestart(k) {
			t.Errorf("NeedsRestart(%s) = false", k)
		}
	}
	if NeedsRestart("ui.theme") {
		t.Error("NeedsRestart(ui.theme) = true")
	}
}
