package adminapi

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"net/http"
	"os"
	"reflect"
	"regexp"
	"slices"
	"strings"
	"testing"

	"borgdesk/backend/service"
)

var update = flag.Bool("update", false, "rewrite testdata/client_requests.txt from the client")

// recorder answers every request with an empty 200 and notes it.
type recorder struct{ got *[]*http.Request }

func (r recorder) RoundTrip(req *http.Request) (*http.Response, error) {
	body := ""
	if req.Body != nil {
		raw, _ := io.ReadAll(req.Body)
		body = string(raw)
	}
	req.Header.Set("X-Body", body)
	*r.got = append(*r.got, req)
	return &http.Response{StatusCode: http.StatusOK, Body: io.NopCloser(strings.NewReader("")), Header: http.Header{}}, nil
}

// fill gives every string, number and bool in v a value that is not zero,
// so optional query parameters and body fields show up.
func fill(v reflect.Value) {
	switch v.Kind() {
	case reflect.String:
		v.SetString("x/y")
	case reflect.Int, reflect.Int64, reflect.Int32:
		v.SetInt(7)
	case reflect.Bool:
		v.SetBool(true)
	case reflect.Struct:
		for i := range v.NumField() {
			if v.Field(i).CanSet() {
				fill(v.Field(i))
			}
		}
	case reflect.Slice:
		s := reflect.MakeSlice(v.Type(), 1, 1)
		fill(s.Index(0))
		v.Set(s)
	case reflect.Map:
		if v.Type().Key().Kind() == reflect.String {
			m := reflect.MakeMap(v.Type())
			e := reflect.New(v.Type().Elem()).Elem()
			fill(e)
			m.SetMapIndex(reflect.ValueOf("k"), e)
			v.Set(m)
		}
	}
}

// clientRequests calls every method of Client with filled arguments and
// returns the requests each made, by method name.
func clientRequests(t *testing.T) map[string][]*http.Request {
	t.Helper()
	out := map[string][]*http.Request{}
	ct := reflect.TypeFor[*Client]()
	for i := range ct.NumMethod() {
		m := ct.Method(i)
		if m.Type.NumIn() < 2 || m.Type.In(1) != reflect.TypeFor[context.Context]() {
			continue
		}
		var got []*http.Request
		c := &Client{socket: "test", hc: &http.Client{Transport: recorder{&got}}}
		args := []reflect.Value{reflect.ValueOf(c), reflect.ValueOf(context.Background())}
		for j := 2; j < m.Type.NumIn(); j++ {
			a := reflect.New(m.Type.In(j)).Elem()
			fill(a)
			args = append(args, a)
		}
		m.Func.Call(args) // the empty answers fail to decode; only the requests count
		out[m.Name] = got
	}
	return out
}

// TestEveryRouteIsServedAndCalled walks the table: every route has a
// handler the server registers, every route is called by a method of
// Client, and every request the client makes reaches a route.
func TestEveryRouteIsServedAndCalled(t *testing.T) {
	srv := NewServer(nil, nil)
	seg := regexp.MustCompile(`\{[a-z_]+\}`)
	if len(table) < 60 {
		t.Fatalf("the table has %d routes; want them all (60 or more)", len(table))
	}
	for _, rt := range table {
		key := rt.Method() + " " + rt.Pattern()
		if !rt.served() {
			t.Errorf("route %s has no handler", key)
		}
		req, _ := http.NewRequest(rt.Method(), "http://borgdesk"+seg.ReplaceAllString(rt.Pattern(), "x"), nil)
		if _, pat := srv.mux.Handler(req); pat != key {
			t.Errorf("the server answers %s with %q; want the route's own handler", key, pat)
		}
	}
	called := map[string]bool{}
	for name, reqs := range clientRequests(t) {
		if len(reqs) == 0 {
			t.Errorf("Client.%s made no request", name)
		}
		for _, req := range reqs {
			_, pat := srv.mux.Handler(req)
			if pat == "" {
				t.Errorf("Client.%s calls %s %s, which no route serves", name, req.Method, req.URL.Path)
			}
			called[pat] = true
		}
	}
	for _, rt := range table {
		if key := rt.Method() + " " + rt.Pattern(); !called[key] {
			t.Errorf("route %s has no client method: add one to Client that calls it", key)
		}
	}
}

// TestClientRequestsGolden pins what goes over the socket: every client
// method's method, path, query and body, byte for byte (go test -update
// rewrites the file after a deliberate change).
func TestClientRequestsGolden(t *testing.T) {
	var lines []string
	for name, reqs := range clientRequests(t) {
		for _, r := range reqs {
			lines = append(lines, fmt.Sprintf("%s: %s %s %s", name, r.Method, r.URL.RequestURI(), r.Header.Get("X-Body")))
		}
	}
	slices.Sort(lines)
	got := strings.Join(lines, "\n") + "\n"
	const golden = "testdata/client_requests.txt"
	if *update {
		if err := os.WriteFile(golden, []byte(got), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	want, err := os.ReadFile(golden)
	if err != nil {
		t.Fatalf("%v (create it with go test -update)", err)
	}
	if got != string(want) {
		t.Errorf("the client's requests changed; if that is meant, run go test -update and review the diff.\ngot:\n%s", got)
	}
}

// TestServerReadsRequests sends hand-made requests, as an older CLI or a
// script would, and checks the server's reading of path, query and body.
func TestServerReadsRequests(t *testing.T) {
	c, _, _ := startServer(t)
	ctx := context.Background()
	for _, tc := range []struct {
		name, method, path, body string
		want                     string
	}{
		{"bad task id", http.MethodGet, "/v1/tasks/abc", "", `invalid input: task id "abc"`},
		{"bad run id", http.MethodPost, "/v1/runs/1x/cancel", "{}", `invalid input: run id "1x"`},
		{"bad drill id", http.MethodGet, "/v1/drills/-", "", `invalid input: drill id "-"`},
		{"unknown body field", http.MethodPost, "/v1/tokens", `{"name":"a","color":"red"}`, `invalid input: request body: json: unknown field "color"`},
		{"bad duration", http.MethodPost, "/v1/servers/web1/ping", `{"timeout":"soon"}`, `invalid input: "soon" is not a duration (try 30s, 15m or 1h)`},
		{"body not json", http.MethodPut, "/v1/settings/ui.theme", `dark`, `invalid input: request body: invalid character 'd' looking for beginning of value`},
	} {
		t.Run(tc.name, func(t *testing.T) {
			var body io.Reader
			if tc.body != "" {
				body = strings.NewReader(tc.body)
			}
			req, _ := http.NewRequestWithContext(ctx, tc.method, "http://borgdesk"+tc.path, body)
			resp, err := c.hc.Do(req)
			if err != nil {
				t.Fatal(err)
			}
			defer resp.Body.Close()
			err = decodeError(resp)
			if resp.StatusCode != http.StatusBadRequest || !errors.Is(err, service.ErrInvalid) || err.Error() != tc.want {
				t.Errorf("got %d %v; want 400 %q", resp.StatusCode, err, tc.want)
			}
		})
	}
}
