// A test double of the Go side for Playwright: window.go.app.Desk answers
// every bound method from canned data and records each call, and
// window.runtime keeps event listeners so a test can fire Go events. Records
// use Go's snake_case JSON keys.

// The pages are frozen at this instant (see installDesk), so "2 minutes ago"
// is the same on every run.
export const NOW = '2026-11-22T08:00:00Z'

export const EMPTY_FLEET = {
  status: {
    version: '0.1.0-test',
    data_dir: '/var/lib/borgdesk-test',
    schema: 2,
    started_at: '2026-11-22T07:30:00Z',
    servers: 0,
    jobs: 0,
    runs_running: 0,
  },
  servers: [],
  jobs: [],
  runs: [],
  events: [],
  settings: {},
}

const GB = 1e9

const WEB1 = {
  id: 1,
  uuid: '6f1c3a52-0d7e-4a7e-9a51-1f0c5d1e0a01',
  name: 'web1',
  host: 'web1.example.lan',
  port: 22,
  user: 'borg',
  host_key_fingerprint: 'SHA256:uNiVztksCsDhcc0u9e8BujQXVUpKZIDTMczCvj3tD2s',
  status: 'online',
  online: true,
  last_seen: '2026-11-22T07:58:00Z',
  version: '0.3.1',
  protocol_version: 1,
  hostname: 'web1.example.lan',
  cert_serial: '5e:2b:91:0c:44:7a:19:e3',
  cert_not_after: '2027-02-20T12:00:00Z',
  revoked_at: null,
  capabilities: {
    hostname: 'web1.example.lan',
    os: 'Debian GNU/Linux',
    os_version: '12.8',
    kernel: '6.1.0-27-amd64',
    arch: 'x86_64',
    borg_version: '1.2.8',
    tools: { mysqldump: true, pg_dump: false, mongodump: false, docker: true, lvm: true },
  },
  metrics: {
    collected_at: '2026-11-22T07:58:00Z',
    cpu_percent: 12.4,
    load1: 0.42,
    mem_total: 8.2 * GB,
    mem_used: 3.1 * GB,
    swap_total: 2.1 * GB,
    swap_used: 0.05 * GB,
    uptime_seconds: 1234567,
    disks: [
      { mount: '/', fstype: 'ext4', total: 50 * GB, used: 21.4 * GB },
      { mount: '/var/lib/docker', fstype: 'xfs', total: 200 * GB, used: 161 * GB },
      { mount: '/boot', fstype: 'ext4', total: 1 * GB, used: 0.24 * GB },
    ],
    net: [
      { name: 'eth0', rx_bytes: 1.21e12, tx_bytes: 3.8e11 },
      { name: 'wg0', rx_bytes: 2.2e9, tx_bytes: 1.9e9 },
    ],
  },
  created_at: '2026-11-01T10:00:00Z',
  updated_at: '2026-11-22T07:58:00Z',
}

const DB1 = {
  ...WEB1,
  id: 2,
  uuid: '6f1c3a52-0d7e-4a7e-9a51-1f0c5d1e0a02',
  name: 'db1',
  host: 'db1.example.lan',
  port: 2222,
  status: 'offline',
  online: false,
  last_seen: '2026-11-21T22:14:00Z',
  version: '0.3.0',
  hostname: 'db1.example.lan',
  cert_serial: '1a:07:c2:9e:50:33:8b:f1',
  cert_not_after: '2026-12-04T10:00:00Z',
  capabilities: {
    ...WEB1.capabilities,
    hostname: 'db1.example.lan',
    os: 'Ubuntu',
    os_version: '24.04 LTS',
    kernel: '6.8.0-45-generic',
    tools: { mysqldump: true, pg_dump: true, mongodump: false, docker: false, lvm: true },
  },
  metrics: {
    ...WEB1.metrics,
    collected_at: '2026-11-21T22:14:00Z',
    cpu_percent: 63,
    load1: 3.87,
    mem_total: 34.4 * GB,
    mem_used: 29.9 * GB,
    disks: [{ mount: '/', fstype: 'ext4', total: 500 * GB, used: 462 * GB }],
    net: [{ name: 'ens18', rx_bytes: 8.4e11, tx_bytes: 2.61e12 }],
  },
  created_at: '2026-11-02T10:00:00Z',
}

const BUILD3 = {
  id: 3,
  uuid: '6f1c3a52-0d7e-4a7e-9a51-1f0c5d1e0a03',
  name: 'build3',
  host: '',
  port: 22,
  user: 'borg',
  host_key_fingerprint: '',
  status: 'pending',
  online: false,
  last_seen: null,
  version: '',
  protocol_version: 0,
  hostname: '',
  cert_serial: '',
  cert_not_after: null,
  revoked_at: null,
  capabilities: null,
  metrics: null,
  created_at: '2026-11-22T07:40:00Z',
  updated_at: '2026-11-22T07:40:00Z',
}

const MAIL_OLD = {
  ...DB1,
  id: 4,
  uuid: '6f1c3a52-0d7e-4a7e-9a51-1f0c5d1e0a04',
  name: 'mail-old',
  host: 'mail.example.lan',
  port: 22,
  status: 'revoked',
  online: false,
  last_seen: '2026-10-02T16:20:00Z',
  version: '0.2.4',
  hostname: 'mail.example.lan',
  cert_serial: '77:10:0b:3d:c4:e8:52:aa',
  cert_not_after: '2026-11-01T00:00:00Z',
  revoked_at: '2026-10-03T09:12:00Z',
  metrics: {
    ...DB1.metrics,
    collected_at: '2026-10-02T16:20:00Z',
    cpu_percent: 4.2,
    load1: 0.08,
    mem_total: 4.1 * GB,
    mem_used: 1.2 * GB,
    disks: [{ mount: '/', fstype: 'ext4', total: 80 * GB, used: 33 * GB }],
  },
  created_at: '2025-06-12T10:00:00Z',
}

export const FLEET_SERVERS = [WEB1, DB1, BUILD3, MAIL_OLD]

export const POPULATED_FLEET = {
  ...EMPTY_FLEET,
  status: { ...EMPTY_FLEET.status, servers: 4, jobs: 1, runs_running: 1 },
  servers: FLEET_SERVERS,
  jobs: [
    {
      id: 1,
      server_id: 1,
      server_name: 'web1',
      name: 'etc-and-www',
      kind: 'files',
      spec: '{"paths":["/etc","/var/www"]}',
      schedule: '0 3 * * *',
      enabled: true,
      created_at: '2026-11-03T10:00:00Z',
      updated_at: '2026-11-03T10:00:00Z',
    },
  ],
  runs: [
    {
      id: 2,
      job_id: 1,
      job_name: 'etc-and-www',
      server_name: 'web1',
      status: 'running',
      started_at: '2026-11-22T07:59:00Z',
      finished_at: null,
      bytes: 0,
      files: 0,
      error: '',
    },
    {
      id: 1,
      job_id: 1,
      job_name: 'etc-and-www',
      server_name: 'web1',
      status: 'succeeded',
      started_at: '2026-11-21T03:00:00Z',
      finished_at: '2026-11-21T03:04:10Z',
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
      data: null,
    },
  ],
}

// heartbeat builds the agent:heartbeat record Go emits for a server.
export function heartbeat(server, at, metrics = server.metrics) {
  return {
    id: 0,
    at,
    kind: 'agent.heartbeat',
    subject: server.uuid,
    message: '',
    data: { server_id: server.id, last_seen: at, metrics: { ...metrics, collected_at: at } },
  }
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
// can only use what is passed to it as data. The page's clock starts at now
// and runs on from there; tests move it with page.clock.
export async function installDesk(page, fleet = EMPTY_FLEET, { now = NOW } = {}) {
  await page.clock.install({ time: new Date(now) })
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

    // Resolves a ref the way Go's GetServer does: uuid, name or id.
    const find = (ref) => {
      const r = String(ref)
      const server = state.servers.find((s) => s.uuid === r || s.name === r || String(s.id) === r)
      if (!server) throw new Error(`server ${JSON.stringify(r)}: not found`)
      return server
    }

    const TTL = /^(\d+)(m|h)$/
    const createToken = (name, ttl) => {
      if (!/^[A-Za-z0-9._-]{1,63}$/.test(name)) throw new Error(`create token: invalid server name ${JSON.stringify(name)}`)
      if (state.servers.some((s) => s.name === name)) throw new Error(`create token: a server named ${JSON.stringify(name)} already exists`)
      const m = TTL.exec(ttl)
      if (!m) throw new Error(`create token: invalid ttl ${JSON.stringify(ttl)}`)
      const ms = Number(m[1]) * (m[2] === 'h' ? 3600e3 : 60e3)
      const token = 'bdt_7Hq2xV9kLm4RsT8wYc3NpZ6a'
      const fingerprint = 'sha256:9f86d081884c7d659a2feaa0c55ad015a3bf4f1b2b0b822cd15d6c15b0f00a08'
      const url = 'https://borgdesk.example.lan:8443'
      return {
        token,
        name,
        expires_at: new Date(Date.now() + ms).toISOString(),
        install_command: `curl -fsSL ${url}/install.sh | sudo sh -s -- --url ${url} --token ${token} --ca-fingerprint ${fingerprint} --name ${name}`,
        ca_fingerprint: fingerprint,
        server_url: url,
      }
    }

    window.go = {
      app: {
        Desk: {
          Status: answer('Status', () => clone(state.status)),
          ListServers: answer('ListServers', () => clone(state.servers)),
          GetServer: answer('GetServer', (ref) => clone(find(ref))),
          RevokeServer: answer('RevokeServer', (ref) => {
            const server = find(ref)
            Object.assign(server, { status: 'revoked', online: false, revoked_at: new Date().toISOString() })
            return clone(server)
          }),
          RemoveServer: answer('RemoveServer', (ref) => {
            const server = find(ref)
            state.servers = state.servers.filter((s) => s !== server)
            return clone(server)
          }),
          PingServer: answer('PingServer', (ref) => {
            const server = find(ref)
            if (!server.online) throw new Error(`ping ${server.name}: the agent did not answer within 30s`)
            return { task_id: 17, echo: 'borgdesk', hostname: server.hostname, round_trip_ms: 42 }
          }),
          CreateEnrollmentToken: answer('CreateEnrollmentToken', createToken),
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
