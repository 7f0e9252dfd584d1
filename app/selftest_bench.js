// The dashboard bench's probe (borgdesk --self-test --self-test-bench, run by
// build/benchdash for `make bench`). The shell puts it into the page's <head>,
// after Wails' runtime and before the app's own script, so it sees the whole
// first paint. Times are performance.now(): milliseconds since the page's
// navigation started. A frame is "painted" when a task queued from the
// requestAnimationFrame after the change runs: the frame showing it was rendered.
(() => {
  const EXPECTED = __EXPECTED__ // tiles the fleet has (non-revoked servers)
  const ASK = '__ASK__'
  const DONE = '__DONE__'
  const REPORT = '__REPORT__'
  const BURSTS = [100, 1000]
  const now = () => performance.now()
  const idle = (ms) => new Promise((resolve) => setTimeout(resolve, ms))
  const afterPaint = () => new Promise((resolve) => requestAnimationFrame(() => setTimeout(() => resolve(now()), 0)))
  const r = { expected: EXPECTED, marks: {}, calls: {}, bursts: [], health: [], sizes: {}, errors: [] }
  window.__borgdeskBench = r

  // Every binding call as the page sees it: when it was made and answered.
  const desk = window.go && window.go.app && window.go.app.Desk
  if (!desk) r.errors.push('no Wails bindings (window.go.app.Desk) when the page started')
  else {
    for (const name of Object.keys(desk)) {
      const fn = desk[name]
      desk[name] = function (...args) {
        const call = { start: now(), end: 0 }
        ;(r.calls[name] ||= []).push(call)
        const p = fn.apply(this, args)
        const done = () => {
          call.end = now()
        }
        p.then(done, done)
        return p
      }
    }
  }

  const tiles = () => document.querySelector('[data-testid="health-grid"]')
  const red = () => document.querySelectorAll('[data-testid="health-tile"][data-state="red"]').length

  // until resolves with the time cond first holds, checked after every DOM
  // change (right after Vue's render), or rejects after ms.
  function until(cond, ms, what) {
    return new Promise((resolve, reject) => {
      if (cond()) return resolve(now())
      const obs = new MutationObserver(() => {
        if (!cond()) return
        obs.disconnect()
        clearTimeout(timer)
        resolve(now())
      })
      const timer = setTimeout(() => {
        obs.disconnect()
        reject(new Error(`timed out after ${ms} ms waiting for ${what}`))
      }, ms)
      obs.observe(document, { childList: true, subtree: true, attributes: true, characterData: true })
    })
  }

  // frames counts animation frames and the longest gap between two.
  function frames() {
    let last = now()
    let longest = 0
    let count = 0
    let on = true
    const tick = () => {
      const t = now()
      longest = Math.max(longest, t - last)
      last = t
      count++
      if (on) requestAnimationFrame(tick)
    }
    requestAnimationFrame(tick)
    return () => {
      on = false
      return { frames: count, longest_frame: longest }
    }
  }

  let seq = 0
  function ask(req) {
    const id = ++seq
    return new Promise((resolve, reject) => {
      const off = window.runtime.EventsOn(DONE, (raw) => {
        const reply = JSON.parse(raw)
        if (reply.id !== id) return
        off()
        if (reply.error) reject(new Error(reply.error))
        else resolve(reply)
      })
      window.runtime.EventsEmit(ASK, JSON.stringify({ ...req, id }))
    })
  }

  // burst asks Go for n progress reports of the running backups (the agents'
  // path: ProgressTask, the store, the event bus, the window) and measures
  // until the last one is on screen.
  async function burst(n) {
    const tag = `b${n}-${Date.now()}`
    const m = { n, received: 0, resyncs: 0 }
    let last = null
    let allIn
    const arrived = new Promise((resolve) => (allIn = resolve))
    const off = window.runtime.EventsOn('run:progress', (ev) => {
      if (ev && ev.message === 'resync') {
        m.resyncs++
        allIn()
        return
      }
      const d = ev && ev.data
      if (!d || typeof d.path !== 'string' || !d.path.startsWith(`/bench/${tag}/`)) return
      if (!m.received++) m.first = now() - t0
      last = d
      if (m.received === n) {
        m.last = now() - t0
        allIn()
      }
    })
    const stop = frames()
    const t0 = now()
    try {
      const reply = await ask({ what: 'burst', n, tag })
      m.go_ms = reply.ms
      m.tasks = reply.tasks
      await Promise.race([arrived, idle(20000)])
      if (!last) throw new Error(`no progress record of burst ${tag} arrived`)
      const row = () => document.querySelector(`[data-run-id="${last.run_id}"] [data-testid="progress-path"]`)
      m.shown = (await until(() => row() && row().textContent.trim() === last.path, 5000, `${last.path} on screen`)) - t0
      m.painted = (await afterPaint()) - t0
      m.per_event = m.painted / n
    } finally {
      off()
      Object.assign(m, stop())
    }
    return m
  }

  // health changes an RPO setting in Go and measures until the tiles show
  // the fleet Go rates afterwards.
  async function health(label, key, value) {
    const m = { label, key, value }
    const before = (r.calls.GetHealth || []).length
    const off = window.runtime.EventsOn('settings:changed', () => {
      if (m.event == null) m.event = now() - t0
    })
    const stop = frames()
    const t0 = now()
    try {
      const reply = await ask({ what: 'setting', key, value })
      m.go_ms = reply.ms
      m.red = reply.red
      const answered = () => {
        const c = (r.calls.GetHealth || [])[before]
        return c && c.end > 0
      }
      m.shown = (await until(() => answered() && red() === reply.red, 10000, `${reply.red} red tiles`)) - t0
      m.painted = (await afterPaint()) - t0
      const c = r.calls.GetHealth[before]
      m.get_health_start = c.start - t0
      m.get_health_ms = c.end - c.start
    } finally {
      off()
      Object.assign(m, stop())
    }
    return m
  }

  // sizes fetches the dashboard's data once more to report how much each
  // binding carries (JSON characters) and how long a warm call takes.
  async function sizes() {
    for (const [name, args] of [['GetHealth', []], ['GetStorage', []], ['ListRuns', [200]], ['ListServers', []]]) {
      const t = now()
      const v = await window.go.app.Desk[name](...args)
      r.sizes[name] = { chars: JSON.stringify(v).length, warm_ms: now() - t }
    }
  }

  async function measure() {
    try {
      await idle(500)
      for (const n of BURSTS) {
        r.bursts.push(await burst(n))
        await idle(500)
      }
      const green = document.querySelector('[data-testid="health-tile"][data-state="green"]')
      const name = green ? green.dataset.name : ''
      if (name) {
        r.health.push(await health('one server turns red', `rpo.${name}`, '1h'))
        await idle(400)
        r.health.push(await health('one server back', `rpo.${name}`, ''))
        await idle(400)
      }
      r.health.push(await health('every server red', 'rpo.default', '1h'))
      await idle(400)
      r.health.push(await health('every server back', 'rpo.default', '26h'))
      await sizes()
    } catch (e) {
      r.errors.push(String((e && e.message) || e))
    }
    const nav = performance.getEntriesByType('navigation')[0]
    if (nav) r.nav = { response_end: nav.responseEnd, dom_content_loaded: nav.domContentLoadedEventEnd, load: nav.loadEventEnd }
    r.time_origin = performance.timeOrigin
    window.runtime.EventsEmit(REPORT, JSON.stringify(r))
  }

  // First paint: the shell, then the grid with every tile, then a frame.
  const first = new MutationObserver(() => {
    if (r.marks.shell == null && document.querySelector('[data-testid="sidebar"]')) r.marks.shell = now()
    const grid = tiles()
    if (!grid || grid.childElementCount < EXPECTED) return
    first.disconnect()
    r.marks.tiles = now()
    r.tiles = grid.childElementCount
    afterPaint().then((t) => {
      r.marks.painted = t
      measure()
    })
  })
  first.observe(document, { childList: true, subtree: true })
  setTimeout(() => {
    if (r.marks.tiles != null) return
    first.disconnect()
    r.errors.push(`the dashboard did not show ${EXPECTED} tiles within 60 s`)
    window.runtime.EventsEmit(REPORT, JSON.stringify(r))
  }, 60000)
})()
