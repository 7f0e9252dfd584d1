// A test double of the Go side for Playwright: window.go.app.Desk answers
// every bound method from canned data and records each call, and
// window.runtime keeps event listeners so a test can fire Go events.

export const EMPTY_FLEET = {
  status: {
    version: '0.1.0-test',
    dataDir: '/var/lib/borgdesk-test',
    startedAt: '2026-11-22T08:00:00Z',
    servers: 0,
    jobs: 0,
    runsRunning: 0,
  },
  servers: [],
  jobs: [],
  runs: [],
  events: [],
  settings: {},
}

export const POPULATED_FLEET = {
  ...EMPTY_FLEET,
  status: { ...EMPTY_FLEET.status, servers: 2, jobs: 1, runsRunning: 1 },
  servers: [
    {
      id: 1,
      uuid: '6f1c3a52-0d7e-4a7e-9a51-1f0c5d1e0a01',
      name: 'web1',
      host: 'web1.example.lan',
      port: 22,
      user: 'borg',
      status: 'online',
      lastSeenAt: '2026-11-22T07:55:00Z',
      createdAt: '2026-11-01T10:00:00Z',
    },
    {
      id: 2,
      uuid: '6f1c3a52-0d7e-4a7e-9a51-1f0c5d1e0a02',
      name: 'db1',
      host: 'db1.example.lan',
      port: 2222,
      user: 'borg',
      status: 'offline',
      lastSeenAt: '0001-01-01T00:00:00Z',
      createdAt: '2026-11-02T10:00:00Z',
    },
  ],
  jobs: [
    {
      id: 1,
      serverId: 1,
      serverName: 'web1',
      name: 'etc-and-www',
      kind: 'files',
      schedule: '0 3 * * *',
      enabled: true,
      createdAt: '2026-11-03T10:00:00Z',
    },
  ],
  runs: [
    {
      id: 2,
      jobId: 1,
      jobName: 'etc-and-www',
      serverName: 'web1',
      status: 'running',
      startedAt: '2026-11-22T07:59:00Z',
      finishedAt: '',
      bytes: 0,
      files: 0,
      error: '',
    },
    {
      id: 1,
      jobId: 1,
      jobName: 'etc-and-www',
      serverName: 'web1',
      status: 'succeeded',
      startedAt: '2026-11-21T03:00:00Z',
      finishedAt: '2026-11-21T03:04:10Z',
      bytes: 1532000000,
      files: 48213,
      error: '',
    },
  ],
  events: [
    {
      id: 1,
      at: '2026-11-22T07:59:00Z',
      kind: 'run.started',
      subject: 'web1',
      message: 'Backup etc-and-www started',
    },
  ],
}

// fire calls the listeners the app registered for a Go event, as the Wails
// runtime does when Go emits it.
export async function fire(page, name, payload) {
  await page.evaluate(
    ([n, p]) => {
      for (const entry of [...(window.__listeners[n] || [])]) entry.callback(p)
    },
    [name, payload],
  )
}

// installDesk must be called before page.goto. It runs in the page, so it
// can only use what is passed to it as data.
export async function installDesk(page, fleet = EMPTY_FLEET) {
  await page.addInitScript((data) => {
    const clone = (v) => JSON.parse(JSON.stringify(v))
    const state = clone(data)
    const calls = []
    const listeners = {}
    window.__calls = calls
    window.__fleet = state
    window.__listeners = listeners

    // state.failures maps a method name to the error text Go would reject with.
    const answer = (name, fn) =>
      function (...args) {
        calls.push({ method: name, args })
        const failure = state.failures?.[name]
        if (failure) return Promise.reject(failure)
        try {
          return Promise.resolve(fn(...args))
        } catch (err) {
          return Promise.reject(String(err?.message ?? err))
        }
      }

    window.go = {
      app: {
        Desk: {
          Status: answer('Status', () => clone(state.status)),
          ListServers: answer('ListServers', () => clone(state.servers)),
          ListJobs: answer('ListJobs', () => clone(state.jobs)),
          ListRuns: answer('ListRuns', (limit) => clone(state.runs.slice(0, limit))),
          ListEvents: answer('ListEvents', (limit) => clone(state.events.slice(0, limit))),
          GetSettings: answer('GetSettings', () => clone(state.settings)),
          SetSetting: answer('SetSetting', (key, value) => {
            if (!['ui.theme', 'ui.locale'].includes(key)) throw new Error(`set setting: unknown key ${key}`)
            state.settings[key] = value
          }),
          Ping: answer('Ping', (nonce) => `pong ${nonce}`),
        },
      },
    }

    const noop = () => {}
    window.runtime = {
      EventsOnMultiple(name, callback, maxCallbacks) {
        const entry = { callback, left: maxCallbacks }
        ;(listeners[name] ||= []).push(entry)
        return () => {
          listeners[name] = (listeners[name] || []).filter((e) => e !== entry)
        }
      },
      EventsOff(name, ...more) {
        for (const n of [name, ...more]) delete listeners[n]
      },
      EventsOffAll() {
        for (const n of Object.keys(listeners)) delete listeners[n]
      },
      EventsEmit(name, ...payload) {
        for (const entry of [...(listeners[name] || [])]) {
          entry.callback(...payload)
          if (entry.left > 0 && --entry.left === 0) {
            listeners[name] = listeners[name].filter((e) => e !== entry)
          }
        }
      },
      LogPrint: noop,
      LogTrace: noop,
      LogDebug: noop,
      LogInfo: noop,
      LogWarning: noop,
      LogError: noop,
      LogFatal: noop,
      BrowserOpenURL: noop,
      WindowSetSystemDefaultTheme: noop,
      WindowSetLightTheme: noop,
      WindowSetDarkTheme: noop,
    }
  }, fleet)
}

// calls returns the recorded binding calls, optionally only one method's.
export async function calls(page, method) {
  const all = await page.evaluate(() => window.__calls)
  return method ? all.filter((c) => c.method === method) : all
}
