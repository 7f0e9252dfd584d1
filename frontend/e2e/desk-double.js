// A test double of the Go side for Playwright: window.go.app.Desk answers
// every bound method from canned data and records each call, and
// window.runtime keeps event listeners so a test can fire Go events. Records
// use Go's snake_case JSON keys.

import { EMPTY_FLEET, NOW, WEB1 } from './fixtures.js'

export { NOW, EMPTY_FLEET, FLEET_SERVERS, FLEET_JOBS, FLEET_RUNS, FLEET_ARCHIVES, POPULATED_FLEET } from './fixtures.js'

export function progress(runId, at, { files, bytes, path, status = 'running', subject = WEB1.uuid }) {
  return { id: 0, at, kind: 'run:progress', subject, message: '', data: { run_id: runId, status, files, bytes, path } }
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

    // Emits an event after the answer, as Go publishes after it stored.
    const emitSoon = (name, payload) =>
      setTimeout(() => {
        for (const entry of [...(listeners[name] || [])]) entry.callback(payload)
      }, 0)
    let eventId = 1000

    const withoutLog = (run) => ({ ...clone(run), log: '' })

    // Resolves a job ref the way Go's FindJob does: id, name or server/name.
    const findJob = (ref) => {
      const r = String(ref)
      const job = state.jobs.find((j) => String(j.id) === r || j.name === r || `${j.server_name}/${j.name}` === r)
      if (!job) throw new Error(`job ${JSON.stringify(r)}: not found`)
      return job
    }

    const createJob = (input) => {
      const server = find(input.server)
      if (!/^[A-Za-z0-9][A-Za-z0-9._-]{0,62}$/.test(input.name)) throw new Error(`job: invalid: server name ${JSON.stringify(input.name)}`)
      if (state.jobs.some((j) => j.server_id === server.id && j.name === input.name)) {
        throw new Error(`create job: a job named ${input.name} already exists on ${server.name}`)
      }
      const at = new Date().toISOString()
      const created = {
        id: Math.max(0, ...state.jobs.map((j) => j.id)) + 1,
        server_id: server.id,
        server_name: server.name,
        server_uuid: server.uuid,
        name: input.name,
        kind: input.spec.kind,
        spec: JSON.stringify(input.spec),
        schedule: input.schedule,
        enabled: true,
        keep: JSON.stringify(input.keep),
        last_scheduled_at: null,
        created_at: at,
        updated_at: at,
      }
      state.jobs.push(created)
      emitSoon('job:changed', { id: ++eventId, at, kind: 'job:changed', subject: server.uuid, message: `job ${created.name} created for ${server.name}`, data: { job_id: created.id } })
      return clone(created)
    }

    const runJob = (ref) => {
      const job = findJob(ref)
      const at = new Date().toISOString()
      const queued = {
        id: Math.max(0, ...state.runs.map((r) => r.id)) + 1,
        job_id: job.id,
        job_name: job.name,
        server_id: job.server_id,
        server_name: job.server_name,
        status: 'queued',
        trigger: 'manual',
        attempt: 1,
        task_id: 0,
        started_at: at,
        finished_at: null,
        archive: '',
        bytes: 0,
        files: 0,
        deduplicated: 0,
        error: '',
        log: '',
      }
      state.runs.unshift(queued)
      const message = `run ${queued.id} of ${job.server_name}/${job.name} queued (manual)`
      emitSoon('run:progress', { id: ++eventId, at, kind: 'run:progress', subject: job.server_uuid, message, data: { run_id: queued.id, status: 'queued' } })
      return withoutLog(queued)
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
          ListRuns: answer('ListRuns', (limit) => state.runs.slice(0, limit).map(withoutLog)),
          ListJobRuns: answer('ListJobRuns', (ref, limit) => {
            const job = findJob(ref)
            return state.runs.filter((r) => r.job_id === job.id).slice(0, limit).map(withoutLog)
          }),
          GetRun: answer('GetRun', (id) => {
            const run = state.runs.find((r) => r.id === id)
            if (!run) throw new Error(`run ${id}: not found`)
            return clone(run)
          }),
          CreateJob: answer('CreateJob', createJob),
          RunJob: answer('RunJob', runJob),
          PruneJob: answer('PruneJob', (ref) => {
            const job = findJob(ref)
            if (job.keep === '{}') throw new Error(`invalid: job ${job.name} has no retention policy`)
            const names = (state.archives[job.server_uuid] ?? []).map((a) => a.name).filter((n) => n.startsWith(`${job.name}@`))
            return state.pruneReports?.[job.id] ?? { kept: names, pruned: [] }
          }),
          ListArchives: answer('ListArchives', (ref) => clone(state.archives[find(ref).uuid] ?? [])),
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
