package adminapi

import (
	"context"
	"fmt"
	"net/http"
	"net/url"
	"reflect"
	"regexp"
	"slices"
	"strconv"
	"strings"

	"borgdesk/backend/service"
)

// A route is one use case of the admin API, declared once: its method and
// path, the request and response types, and the service call that answers
// it. The server's mux and the client's calls both come from it, so the two
// sides cannot drift apart.
//
// The request type says where each part travels. A field tagged
// `path:"ref"` fills the {ref} segment of the pattern, one tagged
// `query:"limit"` the query parameter of that name (left out when zero);
// both must be tagged `json:"-"`. Everything else of the request is the
// JSON body: the whole value when it is not a struct. A struct with no
// body fields sends none (POST and PUT send {}) and the server reads none.
// A numeric path field may name itself for errors: `what:"task id"`.
type route[Req, Resp any] struct {
	method, pattern string
	serve           func(context.Context, *service.Service, Req) (Resp, error)
	b               binding
}

// none is the request or response of a route that carries nothing.
type none struct{}

// endpoint is a route of any types, as the server and the tests see it.
type endpoint interface {
	// Method and Pattern make up the mux pattern.
	Method() string
	Pattern() string
	handler(s *Server) http.HandlerFunc
	// served says whether the route has a handler.
	served() bool
}

// table lists every route in the order they are declared. Only newRoute and
// newRawRoute append to it, during package initialisation.
var table []endpoint

// newRoute declares a route and adds it to the table. A request type that
// does not fit the pattern is a programming error and panics at start-up.
func newRoute[Req, Resp any](method, pattern string, serve func(context.Context, *service.Service, Req) (Resp, error)) *route[Req, Resp] {
	rt := &route[Req, Resp]{method: method, pattern: pattern, serve: serve, b: bind(reflect.TypeFor[Req](), method, pattern)}
	table = append(table, rt)
	return rt
}

func (rt *route[Req, Resp]) Method() string  { return rt.method }
func (rt *route[Req, Resp]) Pattern() string { return rt.pattern }
func (rt *route[Req, Resp]) served() bool    { return rt.serve != nil }

// Call makes the request on c's socket and decodes the answer.
func (rt *route[Req, Resp]) Call(ctx context.Context, c *Client, req Req) (Resp, error) {
	var out Resp
	v := reflect.ValueOf(&req).Elem()
	var dst any = &out
	if _, empty := any(out).(none); empty {
		dst = nil // nothing to read; the reply is {}
	}
	return out, c.do(ctx, rt.method, rt.b.url(rt.pattern, v), rt.b.body(rt.method, req), dst)
}

func (rt *route[Req, Resp]) handler(s *Server) http.HandlerFunc {
	return s.handle(func(r *http.Request) (any, error) {
		var req Req
		if err := rt.b.read(r, reflect.ValueOf(&req).Elem(), &req); err != nil {
			return nil, err
		}
		return rt.serve(r.Context(), s.svc, req)
	})
}

// rawRoute is a route whose answer is not one JSON value (the event stream).
type rawRoute struct {
	method, pattern string
	serve           func(*Server, http.ResponseWriter, *http.Request)
}

func newRawRoute(method, pattern string, serve func(*Server, http.ResponseWriter, *http.Request)) *rawRoute {
	rt := &rawRoute{method: method, pattern: pattern, serve: serve}
	table = append(table, rt)
	return rt
}

func (rt *rawRoute) Method() string  { return rt.method }
func (rt *rawRoute) Pattern() string { return rt.pattern }
func (rt *rawRoute) served() bool    { return rt.serve != nil }
func (rt *rawRoute) handler(s *Server) http.HandlerFunc {
	return func(w http.ResponseWriter, r *http.Request) { rt.serve(s, w, r) }
}

// binding is where the fields of a request type travel.
type binding struct {
	path, query []param
	hasBody     bool
}

type param struct {
	name, what string
	index      int
}

var wildcard = regexp.MustCompile(`\{([a-z_]+)\}`)

func bind(t reflect.Type, method, pattern string) binding {
	var b binding
	fail := func(format string, args ...any) {
		panic(fmt.Sprintf("adminapi: route %s %s: %s", method, pattern, fmt.Sprintf(format, args...)))
	}
	if t.Kind() != reflect.Struct {
		b.hasBody = true
	} else {
		for i := range t.NumField() {
			f := t.Field(i)
			p := param{index: i, what: f.Tag.Get("what")}
			pathName, isPath := f.Tag.Lookup("path")
			queryName, isQuery := f.Tag.Lookup("query")
			switch {
			case isPath || isQuery:
				if f.Tag.Get("json") != "-" {
					fail("field %s travels in the path or query: tag it json:\"-\"", f.Name)
				}
				switch f.Type.Kind() {
				case reflect.String, reflect.Int, reflect.Int64, reflect.Bool:
				default:
					fail("field %s: a path or query field must be a string, an int or a bool", f.Name)
				}
				if isPath {
					p.name = pathName
					b.path = append(b.path, p)
				} else {
					p.name = queryName
					b.query = append(b.query, p)
				}
			case f.IsExported() && f.Tag.Get("json") != "-":
				b.hasBody = true
			}
		}
	}
	var want, got []string
	for _, m := range wildcard.FindAllStringSubmatch(pattern, -1) {
		want = append(want, m[1])
	}
	for _, p := range b.path {
		got = append(got, p.name)
	}
	slices.Sort(want)
	slices.Sort(got)
	if !slices.Equal(want, got) {
		fail("the pattern's wildcards %v and the request's path fields %v differ", want, got)
	}
	return b
}

// url is the request's path and query.
func (b binding) url(pattern string, v reflect.Value) string {
	u := pattern
	for _, p := range b.path {
		u = strings.Replace(u, "{"+p.name+"}", url.PathEscape(format(v.Field(p.index))), 1)
	}
	q := url.Values{}
	for _, p := range b.query {
		if f := v.Field(p.index); !f.IsZero() {
			q.Set(p.name, format(f))
		}
	}
	if len(q) > 0 {
		u += "?" + q.Encode()
	}
	return u
}

// body is what the client sends: the request, {} to a POST or PUT that
// takes none, or nothing.
func (b binding) body(method string, req any) any {
	switch {
	case b.hasBody:
		return req
	case method == http.MethodPost || method == http.MethodPut:
		return none{}
	}
	return nil
}

// read fills a request from r: the body first, then the path and query.
func (b binding) read(r *http.Request, v reflect.Value, ptr any) error {
	if b.hasBody {
		if err := decodeBody(r, ptr); err != nil {
			return err
		}
	}
	for _, p := range b.path {
		if err := parse(v.Field(p.index), r.PathValue(p.name), p); err != nil {
			return err
		}
	}
	q := r.URL.Query()
	for _, p := range b.query {
		parse(v.Field(p.index), q.Get(p.name), p) // a bad query number reads as 0, as before
	}
	return nil
}

func format(f reflect.Value) string {
	switch f.Kind() {
	case reflect.String:
		return f.String()
	case reflect.Bool:
		if f.Bool() {
			return "1"
		}
		return ""
	default:
		return strconv.FormatInt(f.Int(), 10)
	}
}

func parse(f reflect.Value, s string, p param) error {
	switch f.Kind() {
	case reflect.String:
		f.SetString(s)
	case reflect.Bool:
		f.SetBool(s == "1")
	default:
		n, err := strconv.ParseInt(s, 10, 64)
		if err != nil {
			what := p.what
			if what == "" {
				what = p.name
			}
			return fmt.Errorf("%w: %s %q", service.ErrInvalid, what, s)
		}
		f.SetInt(n)
	}
	return nil
}
