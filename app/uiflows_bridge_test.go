//go:build uiflows

package app

import (
	"bytes"
	"encoding/json"
	"fmt"
	"io/fs"
	"net/http"
	"reflect"
	"sync"
)

// webBridge stands in for Wails between the real frontend (frontend/dist,
// in Playwright's Chromium) and the real Desk: window.go.app.Desk.X(...)
// posts to /__call/X, which calls the bound Go method by reflection as
// Wails does, and Go's events reach window.runtime's listeners over
// server-sent events. It is the platform forwardEvents emits to.
type webBridge struct {
	desk *Desk
	mu   sync.Mutex
	subs map[chan []byte]struct{}
}

func (b *webBridge) Emit(name string, data any) {
	msg, err := json.Marshal([]any{name, data})
	if err != nil {
		return
	}
	b.mu.Lock()
	defer b.mu.Unlock()
	for c := range b.subs {
		select {
		case c <- msg:
		default: // a stalled page misses events, as the window would lag
		}
	}
}
func (b *webBridge) ExecJS(string) {}
func (b *webBridge) Quit()         {}

func (b *webBridge) handler(dist fs.FS) http.Handler {
	mux := http.NewServeMux()
	mux.HandleFunc("POST /__call/{method}", b.call)
	mux.HandleFunc("GET /__events", b.events)
	mux.HandleFunc("GET /__bridge.js", func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "text/javascript")
		w.Write([]byte(bridgeJS))
	})
	index, _ := fs.ReadFile(dist, "index.html")
	// The bridge's script runs before the app's module scripts.
	index = bytes.Replace(index, []byte("<head>"), []byte(`<head><script src="/__bridge.js"></script>`), 1)
	mux.HandleFunc("GET /{$}", func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "text/html")
		w.Write(index)
	})
	mux.Handle("GET /", http.FileServerFS(dist))
	return mux
}

// call answers one bound method: the JSON array of arguments in, the first
// result out, or the error's text with status 500 (Wails rejects with it).
func (b *webBridge) call(w http.ResponseWriter, r *http.Request) {
	m := reflect.ValueOf(b.desk).MethodByName(r.PathValue("method"))
	if !m.IsValid() {
		http.Error(w, `{"error":"no such method"}`, http.StatusNotFound)
		return
	}
	var raw []json.RawMessage
	if err := json.NewDecoder(r.Body).Decode(&raw); err != nil || len(raw) != m.Type().NumIn() {
		http.Error(w, fmt.Sprintf(`{"error":"%s wants %d arguments"}`, r.PathValue("method"), m.Type().NumIn()), http.StatusBadRequest)
		return
	}
	args := make([]reflect.Value, len(raw))
	for i, a := range raw {
		p := reflect.New(m.Type().In(i))
		if err := json.Unmarshal(a, p.Interface()); err != nil {
			http.Error(w, fmt.Sprintf(`{"error":%q}`, err.Error()), http.StatusBadRequest)
			return
		}
		args[i] = p.Elem()
	}
	out := m.Call(args)
	var reply struct {
		Result any    `json:"result"`
		Error  string `json:"error,omitempty"`
	}
	if n := len(out); n > 0 && m.Type().Out(n-1) == reflect.TypeFor[error]() {
		if err, _ := out[n-1].Interface().(error); err != nil {
			reply.Error = err.Error()
		}
		out = out[:n-1]
	}
	if len(out) > 0 {
		reply.Result = out[0].Interface()
	}
	w.Header().Set("Content-Type", "application/json")
	if reply.Error != "" {
		w.WriteHeader(http.StatusInternalServerError)
	}
	json.NewEncoder(w).Encode(reply)
}

func (b *webBridge) events(w http.ResponseWriter, r *http.Request) {
	c := make(chan []byte, 1024)
	b.mu.Lock()
	b.subs[c] = struct{}{}
	b.mu.Unlock()
	defer func() { b.mu.Lock(); delete(b.subs, c); b.mu.Unlock() }()
	w.Header().Set("Content-Type", "text/event-stream")
	w.WriteHeader(http.StatusOK)
	fl := w.(http.Flusher)
	fmt.Fprint(w, ": open\n\n")
	fl.Flush()
	for {
		select {
		case <-r.Context().Done():
			return
		case msg := <-c:
			fmt.Fprintf(w, "data: %s\n\n", msg)
			fl.Flush()
		}
	}
}

// bridgeJS is window.go and window.runtime as the generated wailsjs
// modules use them.
const bridgeJS = `(() => {
  const listeners = {}
  const dispatch = (name, args) => {
    for (const l of [...(listeners[name] || [])]) {
      l.cb(...args)
      if (l.left > 0 && --l.left === 0) listeners[name] = listeners[name].filter((x) => x !== l)
    }
  }
  window.go = { app: { Desk: new Proxy({}, { get: (_, name) => async (...args) => {
    const r = await fetch('/__call/' + name, { method: 'POST', body: JSON.stringify(args) })
    const reply = await r.json()
    if (!r.ok) throw reply.error
    return reply.result
  } }) } }
  const noop = () => {}
  window.runtime = {
    EventsOnMultiple(name, cb, max) {
      const l = { cb, left: max }
      ;(listeners[name] ||= []).push(l)
      return () => { listeners[name] = (listeners[name] || []).filter((x) => x !== l) }
    },
    EventsOff(name, ...more) { for (const n of [name, ...more]) delete listeners[n] },
    EventsOffAll() { for (const n of Object.keys(listeners)) delete listeners[n] },
    EventsEmit(name, ...data) { dispatch(name, data) },
    LogPrint: noop, LogTrace: noop, LogDebug: noop, LogInfo: noop, LogWarning: noop, LogError: noop, LogFatal: noop,
    BrowserOpenURL: noop, WindowSetSystemDefaultTheme: noop, WindowSetLightTheme: noop, WindowSetDarkTheme: noop,
  }
  const es = new EventSource('/__events')
  es.onopen = () => { window.__bridgeOpen = true }
  es.onmessage = (e) => { const [name, data] = JSON.parse(e.data); dispatch(name, [data]) }
})()
`
