package adminapi

import (
	"context"
	"errors"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"

	"borgdesk/backend/operators"
)

// TestEveryRouteHasARole: the roles table and the route table name the
// same routes, so a new route cannot ship without a decision on who may
// call it.
func TestEveryRouteHasARole(t *testing.T) {
	inTable := map[string]bool{}
	for _, rt := range table {
		key := rt.Method() + " " + rt.Pattern()
		inTable[key] = true
		a, ok := roles[key]
		if !ok {
			t.Errorf("route %s has no entry in roles (roles.go): decide the least role that may call it", key)
			continue
		}
		if a.role.Check() != nil {
			t.Errorf("route %s needs role %q, which is not a role", key, a.role)
		}
		if a.read && rt.Method() != http.MethodGet && !readOnlyPosts[key] {
			t.Errorf("route %s is marked read-only but is not a GET: a call that changes something must be audited", key)
		}
	}
	for key := range roles {
		if !inTable[key] {
			t.Errorf("roles names %s, which is no route", key)
		}
	}
}

// readOnlyPosts are the routes that take a body only to read.
var readOnlyPosts = map[string]bool{"POST /v1/events/query": true, "POST /v1/restores/plan": true, "POST /v1/flx/diff": true}

// TestRolesRefuseWithASentence checks the role check itself, before any
// service is called: a viewer is refused a job run and the answer is a
// 403 that names the role and what the call needs; an operator gets past
// the check for a run and is refused a setting.
func TestRolesRefuseWithASentence(t *testing.T) {
	srv := NewServer(nil, nil)
	tests := []struct {
		name       string
		caller     operators.Caller
		method     string
		path, body string
		wantStatus int
		wantText   string
	}{
		{"viewer runs a job", operators.Caller{Name: "vera", Role: operators.Viewer, Remote: true}, http.MethodPost, "/v1/jobs/web1%2Ffiles/run", "{}", http.StatusForbidden, "operator vera has the role viewer, which may only read; POST jobs/{ref}/run needs the role operator"},
		{"viewer deletes a server", operators.Caller{Name: "vera", Role: operators.Viewer, Remote: true}, http.MethodDelete, "/v1/servers/web1", "", http.StatusForbidden, "needs the role admin"},
		{"operator sets a setting", operators.Caller{Name: "otto", Role: operators.Operator, Remote: true}, http.MethodPut, "/v1/settings/ui.theme", `"dark"`, http.StatusForbidden, "operator otto has the role operator, which may only run jobs"},
		{"operator invites", operators.Caller{Name: "otto", Role: operators.Operator, Remote: true}, http.MethodPost, "/v1/operators/invites", `{}`, http.StatusForbidden, "POST operators/invites needs the role admin"},
		{"no caller", operators.Caller{}, http.MethodGet, "/v1/status", "", http.StatusForbidden, "no caller was established"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			req := httptest.NewRequestWithContext(withCaller(context.Background(), tt.caller, nil), tt.method, "http://borgdesk"+tt.path, strings.NewReader(tt.body))
			rec := httptest.NewRecorder()
			srv.ServeHTTP(rec, req)
			err := decodeError(rec.Result())
			if rec.Code != tt.wantStatus || !errors.Is(err, ErrForbidden) || !strings.Contains(err.Error(), tt.wantText) {
				t.Errorf("got %d %v; want %d with %q", rec.Code, err, tt.wantStatus, tt.wantText)
			}
		})
	}
}

func TestRoleOrder(t *testing.T) {
	tests := []struct {
		have, need operators.Role
		want       bool
	}{
		{operators.Admin, operators.Admin, true},
		{operators.Admin, operators.Viewer, true},
		{operators.Operator, operators.Admin, false},
		{operators.Operator, operators.Operator, true},
		{operators.Viewer, operators.Operator, false},
		{operators.Viewer, operators.Viewer, true},
		{operators.Role("root"), operators.Viewer, false},
	}
	for _, tt := range tests {
		if got := tt.have.Allows(tt.need); got != tt.want {
			t.Errorf("%s.Allows(%s) = %v; want %v", tt.have, tt.need, got, tt.want)
		}
	}
}
