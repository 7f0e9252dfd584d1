package gateway

import (
	"net/http"
	"strings"
	"sync"
	"testing"
	"time"

	"borgdesk/backend/rollout"
	"borgdesk/backend/shared/agentapi"
)

// secretIn is the enrollment secret an install script carries in its
// download header.
func secretIn(t *testing.T, script string) string {
	t.Helper()
	for _, l := range strings.Split(script, "\n") {
		if s, ok := strings.CutPrefix(l, rollout.InstallSecretHeader+": "); ok {
			return s
		}
	}
	t.Fatalf("no %s line in the script:\n%s", rollout.InstallSecretHeader, script)
	return ""
}

// The one-line install's link is good for one fetch: the script carries a
// new enrollment secret, not the link's token; a second fetch gets a
// sentence for the sh it is piped into; the secret downloads and enrolls,
// the link's token no longer does.
func TestInstallLinkIsSingleFetch(t *testing.T) {
	f := newFixture(t)
	token := f.token("web1", time.Hour)
	status, script := f.get(f.anon(), "/api/install/"+token, nil)
	if status != http.StatusOK || !strings.HasPrefix(script, "#!/bin/sh") {
		t.Fatalf("first fetch: got %d %q; want 200 and a script", status, script)
	}
	if strings.Contains(script, token) {
		t.Error("the script carries the token of the link that served it")
	}
	secret := secretIn(t, script)
	if secret == "" || secret == token {
		t.Fatalf("secret %q; want a new one", secret)
	}

	status, body := f.get(f.anon(), "/api/install/"+token, nil)
	if status != http.StatusGone || body != rollout.UsedScript || !strings.Contains(body, "already used: create a new one with borgdesk token create") {
		t.Errorf("second fetch: got %d %q; want 410 and the used-link script", status, body)
	}
	status, body = f.get(f.anon(), "/api/install/bm90LWEtdG9rZW4", nil)
	if status != http.StatusNotFound || body != rollout.RefusedScript {
		t.Errorf("unknown link: got %d %q; want 404 and the refusal script", status, body)
	}
	if status, _ := f.get(f.anon(), "/api/install/agent/amd64", nil); status != http.StatusNotFound {
		t.Errorf("agent download without the secret: got %d; want 404", status)
	}

	req, _ := f.registerReq("web1", token)
	if status, body := f.post(f.anon(), agentapi.PathRegister, req, nil); status != http.StatusForbidden || !strings.Contains(body, "already used") {
		t.Errorf("enroll with the spent link token: got %d %s; want 403 already used", status, body)
	}
	req, _ = f.registerReq("web1", secret)
	if status, body := f.post(f.anon(), agentapi.PathRegister, req, nil); status != http.StatusOK {
		t.Errorf("enroll with the script's secret: got %d %s; want 200", status, body)
	}
}

// Fetches that race for one link: exactly one gets the script.
func TestInstallLinkRaceServesOneScript(t *testing.T) {
	f := newFixture(t)
	token := f.token("web1", time.Hour)
	var mu sync.Mutex
	got := map[int]int{}
	var wg sync.WaitGroup
	for range 8 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			status, _, err := f.do(f.anon(), http.MethodGet, "/api/install/"+token, nil, agentapi.ProtocolVersion)
			if err != nil {
				status = -1
			}
			mu.Lock()
			got[status]++
			mu.Unlock()
		}()
	}
	wg.Wait()
	if got[http.StatusOK] != 1 || got[http.StatusGone] != 7 {
		t.Errorf("statuses of 8 racing fetches: got %v; want one 200 and seven 410", got)
	}
}
