package gateway

import (
	"context"
	"net/http"
	"strconv"
	"strings"
	"testing"

	"borgdesk/backend/shared/agentapi"
)

// A streamed restore's data goes to the agent the task belongs to, and
// only while the task runs: another agent's certificate, a task not yet
// started, one that is not streamed and one that has finished are refused
// before anything is read.
func TestTaskStreamOnlyForItsAgentWhileRunning(t *testing.T) {
	f := newFixture(t)
	web1, web2 := f.enroll("web1"), f.enroll("web2")
	ctx := context.Background()
	streamed, err := f.svc.QueueTask(ctx, "web2", agentapi.TaskRestore, agentapi.RestorePayload{Source: web1.uuid, Stream: true,
		Archive: "site@2024-01-01T00:00:00", To: "/srv/restore", Policy: agentapi.PolicyKeepBoth})
	if err != nil {
		t.Fatal(err)
	}
	var resp agentapi.TasksResponse
	f.get(web2.hc, agentapi.PathTasks+"?max=1&wait=5", &resp)
	if len(resp.Tasks) != 1 || resp.Tasks[0].ID != streamed.ID {
		t.Fatalf("poll returned %+v", resp)
	}
	if p := string(resp.Tasks[0].Payload); strings.Contains(p, "passphrase") || strings.Contains(p, `"repo"`) || !strings.Contains(p, `"stream":true`) {
		t.Errorf("streamed restore handed out as %s", p)
	}
	id := strconv.FormatInt(streamed.ID, 10)
	stream := strings.Replace(agentapi.PathTaskStream, "{id}", id, 1)
	check := func(who *agent, when string, want int, wantCode string) {
		t.Helper()
		status, body := f.get(who.hc, stream, nil)
		if status != want || errCode(t, body) != wantCode {
			t.Errorf("%s: stream = %d %s; want %d %s", when, status, body, want, wantCode)
		}
	}
	check(web2, "before the task started", http.StatusConflict, agentapi.CodeConflict)
	f.post(web2.hc, "/api/agent/tasks/"+id+"/start", struct{}{}, nil)
	check(web1, "another agent's certificate, task running", http.StatusNotFound, agentapi.CodeNotFound)
	f.post(web2.hc, "/api/agent/tasks/"+id+"/complete", agentapi.TaskComplete{Status: agentapi.TaskFailed, Error: "test"}, nil)
	check(web2, "after the task finished", http.StatusConflict, agentapi.CodeConflict)
	check(web1, "another agent's certificate, task finished", http.StatusNotFound, agentapi.CodeNotFound)

	// A restore onto the archive's own server is not streamed.
	own, err := f.svc.QueueTask(ctx, "web1", agentapi.TaskRestore, agentapi.RestorePayload{Source: web1.uuid, Repo: "ssh://borgdesk@h:2222/r",
		Archive: "site@2024-01-01T00:00:00", To: "/srv", Policy: agentapi.PolicySkip})
	if err != nil {
		t.Fatal(err)
	}
	f.get(web1.hc, agentapi.PathTasks+"?max=1&wait=5", &resp)
	ownID := strconv.FormatInt(own.ID, 10)
	f.post(web1.hc, "/api/agent/tasks/"+ownID+"/start", struct{}{}, nil)
	if status, body := f.get(web1.hc, strings.Replace(agentapi.PathTaskStream, "{id}", ownID, 1), nil); status != http.StatusConflict || !strings.Contains(body, "has no stream") {
		t.Errorf("stream of a same-server restore = %d %s; want 409", status, body)
	}
}
