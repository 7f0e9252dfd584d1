package coordinator

import (
	"context"
	"crypto/tls"
	"net"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"

	"borgdesk/backend/datadir"
	"borgdesk/backend/events"
	"borgdesk/backend/service"
	"borgdesk/backend/settings"
	"borgdesk/backend/store"
)

func TestChoosePrecedence(t *testing.T) {
	tests := []struct {
		name                             string
		explicit, from, setting, def     string
		wantInUse, wantFrom, wantSetting string
	}{
		{"flag over setting", "127.0.0.1:1", "--listen", "127.0.0.1:2", ":8443", "127.0.0.1:1", "--listen", "127.0.0.1:2"},
		{"environment over setting", "127.0.0.1:1", "BORGDESK_LISTEN", "127.0.0.1:2", ":8443", "127.0.0.1:1", "BORGDESK_LISTEN", "127.0.0.1:2"},
		{"explicit without a name", "127.0.0.1:1", "", ":8443", ":8443", "127.0.0.1:1", FromOption, ":8443"},
		{"setting over default", "", "", "127.0.0.1:2", ":8443", "127.0.0.1:2", service.FromSetting, "127.0.0.1:2"},
		{"default", "", "", ":8443", ":8443", ":8443", service.FromDefault, ":8443"},
		{"url default is empty", "", "", "", "", "", service.FromDefault, ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got := choose("k", tt.explicit, tt.from, tt.setting, tt.def)
			want := service.Address{Key: "k", InUse: tt.wantInUse, From: tt.wantFrom, Setting: tt.wantSetting}
			if got != want {
				t.Errorf("choose = %+v; want %+v", got, want)
			}
		})
	}
}

// freePort returns a loopback port nothing listens on right now.
func freePort(t *testing.T) string {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer ln.Close()
	return ln.Addr().String()
}

// leftSettings writes settings into a data dir's database as a previous
// run left them (raw, as a hand edit would be when check is false); the
// coordinator reads its addresses when it opens.
func leftSettings(t *testing.T, dir string, check bool, kv map[string]string) {
	t.Helper()
	ctx := context.Background()
	if err := datadir.Prepare(dir); err != nil {
		t.Fatal(err)
	}
	layout := datadir.At(dir)
	st, err := store.Open(ctx, layout.Database(), store.Options{})
	if err != nil {
		t.Fatal(err)
	}
	defer st.Close()
	cfg := settings.New(settings.Config{Store: st, Layout: layout, Events: events.Log{Store: st, Bus: events.NewBus(), Now: time.Now}})
	for k, v := range kv {
		set := cfg.Set
		if !check {
			set = st.SetSetting
		}
		if err := set(ctx, k, v); err != nil {
			t.Fatal(err)
		}
	}
}

// runUntilReady runs c until the test ends and returns once it listens, or
// the error Run stopped with.
func runUntilReady(t *testing.T, c *Coordinator, ready chan struct{}) error {
	t.Helper()
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan error, 1)
	go func() { done <- c.Run(ctx) }()
	select {
	case <-ready:
		t.Cleanup(func() { cancel(); <-done })
		return nil
	case err := <-done:
		cancel()
		return err
	case <-time.After(20 * time.Second):
		cancel()
		t.Fatal("Run neither became ready nor failed")
		return nil
	}
}

func TestRunListensWhereTheSettingsSay(t *testing.T) {
	dir := t.TempDir()
	ctx := context.Background()
	ready := make(chan struct{})
	gw := freePort(t)
	_, port, _ := net.SplitHostPort(gw)
	url := "https://desk.example.test:" + port
	leftSettings(t, dir, true, map[string]string{service.KeyGatewayListen: gw, service.KeyGatewayURL: url, service.KeySSHListen: "127.0.0.1:2"})
	c, err := Open(ctx, Options{DataDir: dir, Socket: filepath.Join(dir, datadir.SocketFile), Version: "t",
		SSHListen: "127.0.0.1:0", AddressSources: map[string]string{service.KeySSHListen: "--ssh-listen"}, Ready: func() { close(ready) }})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { c.Close() }) // after Run has returned (cleanups run last-registered first)
	if err := runUntilReady(t, c, ready); err != nil {
		t.Fatal(err)
	}
	st, err := c.Service().Status(ctx)
	if err != nil {
		t.Fatal(err)
	}
	byKey := map[string]service.Address{}
	for _, a := range st.Addresses {
		byKey[a.Key] = a
	}
	if a := byKey[service.KeyGatewayListen]; a.InUse != gw || a.From != service.FromSetting || a.Setting != gw {
		t.Errorf("gateway listen = %+v; want %s from the setting", a, gw)
	}
	// The flag wins over the setting, and the setting is still reported.
	if a := byKey[service.KeySSHListen]; a.From != "--ssh-listen" || a.Setting != "127.0.0.1:2" || strings.HasSuffix(a.InUse, ":2") {
		t.Errorf("ssh listen = %+v; want the flag's random port", a)
	}
	if a := byKey[service.KeyGatewayURL]; a.InUse != url || a.From != service.FromSetting || st.GatewayURL != url {
		t.Errorf("gateway url = %+v (status %q); want %s from the setting", a, st.GatewayURL, url)
	}
	// The gateway answers there, with a certificate naming the URL's host.
	conn, err := tls.Dial("tcp", gw, &tls.Config{InsecureSkipVerify: true})
	if err != nil {
		t.Fatalf("dial the gateway at %s: %v", gw, err)
	}
	defer conn.Close()
	if names := conn.ConnectionState().PeerCertificates[0].DNSNames; !slices.Contains(names, "desk.example.test") {
		t.Errorf("certificate names %v; want desk.example.test among them", names)
	}
}

func TestRunDerivesTheGatewayURLByDefault(t *testing.T) {
	dir := t.TempDir()
	ready := make(chan struct{})
	c, err := Open(context.Background(), Options{DataDir: dir, Socket: filepath.Join(dir, datadir.SocketFile),
		GatewayListen: "127.0.0.1:0", SSHListen: "127.0.0.1:0", Ready: func() { close(ready) }})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { c.Close() }) // after Run has returned (cleanups run last-registered first)
	if err := runUntilReady(t, c, ready); err != nil {
		t.Fatal(err)
	}
	addrs := c.Service().Addresses()
	if len(addrs) != 3 {
		t.Fatalf("addresses = %+v", addrs)
	}
	gw, u := addrs[0], addrs[2]
	if gw.From != FromOption || gw.Setting != service.DefaultGatewayListen {
		t.Errorf("gateway listen = %+v", gw)
	}
	_, port, _ := net.SplitHostPort(gw.InUse)
	if u.From != service.FromDefault || u.Setting != "" || u.InUse != "https://127.0.0.1:"+port {
		t.Errorf("gateway url = %+v; want https://127.0.0.1:%s derived from the gateway", u, port)
	}
}

func TestOpenNamesTheSettingOfABusyAddress(t *testing.T) {
	busy, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer busy.Close()
	dir := t.TempDir()
	leftSettings(t, dir, true, map[string]string{service.KeyGatewayListen: busy.Addr().String()})
	c, err := Open(context.Background(), Options{DataDir: dir, Socket: filepath.Join(dir, datadir.SocketFile), SSHListen: "127.0.0.1:0"})
	if err == nil {
		c.Close()
	}
	if err == nil || !strings.Contains(err.Error(), "setting gateway.listen") || !strings.Contains(err.Error(), "--listen") {
		t.Errorf("Open = %v; want an error naming the setting and the flag", err)
	}
	// Nothing stays behind: the data dir opens again once the address is free.
	busy.Close()
	c, err = Open(context.Background(), Options{DataDir: dir, Socket: filepath.Join(dir, datadir.SocketFile), SSHListen: "127.0.0.1:0"})
	if err != nil {
		t.Fatalf("Open after the address was freed: %v", err)
	}
	c.Close()
}

func TestOpenRefusesAHandEditedAddressSetting(t *testing.T) {
	dir := t.TempDir()
	leftSettings(t, dir, false, map[string]string{service.KeySSHListen: "everywhere"})
	c, err := Open(context.Background(), Options{DataDir: dir, Socket: filepath.Join(dir, datadir.SocketFile), GatewayListen: "127.0.0.1:0"})
	if err == nil {
		c.Close()
	}
	if err == nil || !strings.Contains(err.Error(), "setting ssh.listen") {
		t.Errorf("Open = %v; want an error naming ssh.listen", err)
	}
}
