// A test double of the Go side for Playwright: window.go.app.Desk answers
// every bound method from canned data and records each call, and
// window.runtime keeps event listeners so a test can fire Go events. Records
// use Go's snake_case JSON keys.

import { EMPTY_FLEET, FLX, NOW, SCHEDULES, WEB1 } from './fixtures.js'
import { installJobsDesk } from './desk-jobs.js'
import { installRestoreDesk } from './desk-restore.js'
import { installOperatorDesk } from './desk-operator.js'
import { installRecoveryDesk } from './desk-recovery.js'
import { installSettingsDesk } from './desk-settings.js'
import { installStorageDesk } from './desk-storage.js'
import { installReplicaDesk } from './desk-replicas.js'
import { installArchiveDesk } from './desk-archives.js'
import { installEventsDesk } from './desk-events.js'

export { NOW, EMPTY_FLEET, SCHEDULES, WEB1, FLEET_SERVERS, FLEET_JOBS, FLEET_RUNS, FLEET_ARCHIVES, POPULATED_FLEET } from './fixtures.js'
export { ROLLOUT, ROLLOUT_FLEET, ROLLOUT_PASSWORD, ROLLOUT_STEPS, UNINSTALL_PASSWORD } from './fixtures.js'
export { FLX, FLX_DAMAGED, FLX_INBOX, FLX_INBOX_FILE, FLX_PBX } from './fixtures.js'
export * from './desk-restore.js'
export * from './desk-operator.js'
export { KIT_PATH, RECOVERY_NEVER, RECOVERY_OUTDATED } from './desk-recovery.js'
export * from './desk-settings.js'
export * from './desk-storage.js'
export * from './desk-replicas.js'

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
    // Arguments are recorded as copies, as Go receives them at the call (the
    // app may empty a request it passed once the call has answered).
    const answer = (name, fn) =>
      function (...args) {
        calls.push({ method: name, args: structuredClone(args) })
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
        drill_schedule: '',
        last_drill_at: null,
        notify_success: Boolean(input.notify_success),
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
        pruned_at: null,
      }
      state.runs.unshift(queued)
      const message = `run ${queued.id} of ${job.server_name}/${job.name} queued (manual)`
      emitSoon('run:progress', { id: ++eventId, at, kind: 'run:progress', subject: job.server_uuid, message, data: { run_id: queued.id, status: 'queued' } })
      return withoutLog(queued)
    }

    // Go's answers for schedules (schedules.json, written by Go).
    const schedules = state.schedules || {}
    const describeSchedule = (expr, server) => {
      if (server) find(server)
      const answer = schedules[String(expr)]
      if (!answer) {
        throw new Error(`the double has no Go answer for the schedule ${JSON.stringify(expr)}: add it to e2e/schedules.json and run go test ./backend/jobs -run TestWindowDouble -update`)
      }
      return clone(answer)
    }
    const DESCRIPTION = ['kind', 'every', 'minute', 'at', 'days', 'day', 'zone', 'expr']
    // A job as Go's ListJobs sends it (service.JobView): its schedule
    // described, the next run and the last scheduled one. A fixture may set
    // them itself.
    const jobView = (job) => {
      const answer = schedules[job.schedule ?? '']
      const desc = answer ? Object.fromEntries(DESCRIPTION.filter((k) => k in answer).map((k) => [k, answer[k]])) : { kind: 'cron', expr: job.schedule }
      const scheduled = job.last_scheduled_at && Date.parse(job.last_scheduled_at) > Date.parse(job.created_at)
      return {
        schedule_description: desc,
        next_run: job.enabled !== false && job.schedule ? answer?.next?.[0] ?? null : null,
        last_scheduled: scheduled ? job.last_scheduled_at : null,
        schedules_paused: state.settings?.['schedules.paused'] === 'true',
        ...clone(job),
      }
    }

    // CancelRun, as Go's: a queued or running run ends cancelled, naming no archive.
    const cancelRun = (id) => {
      const run = state.runs.find((r) => r.id === id)
      if (!run) throw new Error(`run ${id}: not found`)
      if (!['queued', 'running'].includes(run.status)) throw new Error(`invalid: run ${id} already ${run.status}`)
      const at = new Date().toISOString()
      Object.assign(run, { status: 'cancelled', finished_at: at, error: 'cancelled by the operator', archive: '' })
      const message = `run ${id} of ${run.server_name}/${run.job_name} cancelled`
      emitSoon('run:progress', { id: ++eventId, at, kind: 'run:progress', subject: '', message, data: { run_id: id, status: 'cancelled' } })
      return withoutLog(run)
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
      const tokens = (state.tokens ||= [])
      const id = tokens.reduce((m, t) => Math.max(m, t.id), 0) + 1
      tokens.unshift({ id, name, state: 'pending', created_at: new Date().toISOString(), expires_at: new Date(Date.now() + ms).toISOString(), used_at: null, server_uuid: '' })
      return {
        token,
        name,
        expires_at: new Date(Date.now() + ms).toISOString(),
        // as Go prints it: the link's token works for one fetch; the script
        // it serves carries a separate secret on the agent's stdin
        install_command: `curl -sS --proto =https -k --pinnedpubkey 'sha256//Qm9yZ2Rlc2sgZ2F0ZXdheSBwaW4=' ${url}/api/install/${token} | sudo sh`,
        enroll_command: `sudo borgdesk-agent enroll --server ${url} --name ${name} --ca-fingerprint ${fingerprint} --token-file -`,
        ca_fingerprint: fingerprint,
        server_url: url,
      }
    }

    // --- SSH rollout: see ROLLOUT in fixtures.js ---------------------------
    const STEPS = ['connecting', 'host key', 'checking the system', 'installing borg', 'uploading the agent', 'enrolling', 'starting the agent', 'first heartbeat', 'done']
    const rolloutConf = () => (state.rollout ||= { stepMs: 60, pauseAt: '', hosts: {} })
    const rollouts = []
    const pins = {} // "host:port" → fingerprint pinned by an earlier rollout
    const forgotten = {} // "host:port" → true once ForgetHostKey dropped its pinned key
    let paused = []
    let serverSeq = 100
    window.__rollouts = rollouts
    // resumeRollout: let held hosts go on, optionally to be held again at another step.
    window.__resumeRollout = (nextPauseAt = '') => {
      rolloutConf().pauseAt = nextPauseAt
      const waiting = paused
      paused = []
      waiting.forEach((go) => go())
    }

    const joinHostPort = (host, port) => (host.includes(':') ? `[${host}]:${port}` : `${host}:${port}`)
    const quote = (v) => JSON.stringify(v)

    // A port of Go's rollout.ParseTargets, with its sentences.
    const parseLine = (line, defaultUser) => {
      const t = { host: '', port: 22, user: defaultUser, name: '' }
      if (line.includes(',')) {
        const f = line.split(',').map((x) => x.replace(/^\s+/, ''))
        if (f[0].trim().toLowerCase() === 'host') return null
        t.host = f[0].trim()
        if (f.length > 1 && f[1].trim() !== '') {
          const p = Number(f[1].trim())
          if (!/^\d+$/.test(f[1].trim()) || p < 1 || p > 65535) throw new Error(`port ${quote(f[1])} is not a number from 1 to 65535`)
          t.port = p
        }
        if (f.length > 2 && f[2].trim() !== '') t.user = f[2].trim()
        if (f.length > 3 && f[3].trim() !== '') t.name = f[3].trim()
      } else {
        let rest = line
        const at = rest.indexOf('@')
        if (at !== -1) {
          t.user = rest.slice(0, at)
          rest = rest.slice(at + 1)
        }
        const m = /^\[([^\]]+)\]:(.*)$/.exec(rest) || /^([^:]*):([^:]*)$/.exec(rest)
        if (m) {
          const p = Number(m[2])
          if (!/^\d+$/.test(m[2]) || p < 1 || p > 65535) throw new Error(`port ${quote(m[2])} is not a number from 1 to 65535`)
          t.host = m[1]
          t.port = p
        } else {
          t.host = rest.replace(/^\[+|\]+$/g, '')
        }
      }
      if (/[ \t/]/.test(t.host)) throw new Error(`${quote(t.host)} is not a host name or address`)
      if (!t.user) throw new Error('no user: give user@host or a default user')
      return t
    }

    const parseHosts = (text, defaultUser) => {
      const out = []
      const seen = {}
      String(text).split('\n').forEach((raw, i) => {
        const line = raw.trim()
        if (!line || line.startsWith('#')) return
        let t
        try {
          t = parseLine(line, defaultUser)
        } catch (err) {
          throw new Error(`line ${i + 1} (${quote(line)}): ${err.message}`)
        }
        if (!t) return
        const key = joinHostPort(t.host, t.port)
        if (seen[key]) throw new Error(`line ${i + 1}: ${key} is already on line ${seen[key]}`)
        seen[key] = i + 1
        out.push(t)
      })
      if (!out.length) throw new Error('no hosts given: one per line, as host, host:port, user@host or host,port,user')
      return out
    }

    // The key a host presents: from the fixture, else one made from its name.
    const presented = (host) => {
      const conf = rolloutConf().hosts[host]?.key
      if (conf) return { type: 'ssh-ed25519', known: false, changed: false, pinned: '', error: '', ...conf }
      let h = 0
      for (const c of host) h = (h * 31 + c.charCodeAt(0)) >>> 0
      const body = btoa(String(h).repeat(8)).replace(/=+$/, '').slice(0, 43)
      return { type: 'ssh-ed25519', fingerprint: `SHA256:${body}`, known: false, changed: false, pinned: '', error: '' }
    }

    // The key a host presents on a port, as Go sees it: once ForgetHostKey
    // dropped what was pinned for host:port, the fixture's pinned or changed
    // key is just a new one.
    const hostKeyAt = (host, port) => {
      const key = presented(host)
      if (!forgotten[joinHostPort(host, port || 22)]) return key
      return { ...key, known: false, changed: false, pinned: '' }
    }

    // ForgetHostKey: like Go's, it asks nothing and succeeds when nothing
    // was pinned.
    const forgetHostKey = (host, port) => {
      const id = joinHostPort(String(host), Number(port) || 22)
      delete pins[id]
      forgotten[id] = true
    }

    const probeHosts = (targets) =>
      (targets || []).map((t) => {
        const key = hostKeyAt(t.host, t.port)
        const id = joinHostPort(t.host, t.port || 22)
        const out = { host: t.host, port: t.port || 22, type: key.type, fingerprint: key.fingerprint, known: key.known, changed: key.changed }
        if (key.error) return { ...out, type: '', fingerprint: '', known: false, changed: false, error: key.error }
        if (pins[id] && pins[id] !== key.fingerprint) return { ...out, known: false, changed: true, pinned: pins[id] }
        if (pins[id]) return { ...out, known: true }
        if (key.changed) return { ...out, pinned: key.pinned }
        return out
      })

    const STEP_MESSAGES = {
      connecting: (h) => `ssh ${h.user}@${joinHostPort(h.host, h.port)}`,
      'host key': (h) => `${h.fingerprint} matches the confirmed key`,
      'checking the system': () => 'Debian GNU/Linux 12 (bookworm), x86_64, systemd 252',
      'installing borg': () => 'apt-get install borgbackup',
      'uploading the agent': () => 'borgdesk-agent 0.3.1 → /usr/local/bin/borgdesk-agent',
      enrolling: () => 'enrollment token used',
      'starting the agent': () => 'systemctl enable --now borgdesk-agent',
      'first heartbeat': () => 'waiting for the agent to report in',
      done: (h) => `enrolled as ${h.name}`,
    }

    const enroll = (hs) => {
      const conf = rolloutConf().hosts[hs.host] || {}
      const at = new Date().toISOString()
      const id = ++serverSeq
      const uuid = conf.uuid || `6f1c3a52-0d7e-4a7e-9a51-${String(id).padStart(12, '0')}`
      const template = state.servers[0] || {}
      state.servers.push({
        ...clone(template),
        id,
        uuid,
        name: hs.name,
        host: hs.host,
        port: hs.port,
        user: hs.user,
        host_key_fingerprint: hs.fingerprint,
        status: 'online',
        online: true,
        last_seen: at,
        version: '0.3.1',
        hostname: hs.host,
        metrics: null,
        revoked_at: null,
        last_verified_at: null,
        verify_stale: false,
        created_at: at,
        updated_at: at,
      })
      emitSoon('server:changed', { id: ++eventId, at, kind: 'server.enrolled', subject: uuid, message: `server ${hs.name} enrolled over SSH`, data: null })
      return uuid
    }

    const publish = (rollout, hs) => {
      const at = new Date().toISOString()
      const record = { id: 0, at, kind: 'rollout:progress', subject: rollout.id, message: '', data: { rollout_id: rollout.id, host: clone(hs) } }
      rollout.events.push(record)
      for (const entry of [...(listeners['rollout:progress'] || [])]) entry.callback(record)
    }

    const finishRollout = (rollout) => {
      rollout.done = rollout.hosts.every((h) => h.status === 'done' || h.status === 'failed')
    }

    // walk moves one host through the steps, one every stepMs.
    const walk = (rollout, hs, accepted) => {
      const conf = rolloutConf().hosts[hs.host] || {}
      const key = hostKeyAt(hs.host, hs.port)
      const id = joinHostPort(hs.host, hs.port)
      let i = 0
      const next = () => {
        const step = STEPS[i]
        if (step !== 'done' && rolloutConf().pauseAt === step && hs.step !== step) {
          Object.assign(hs, { step, status: 'running', message: STEP_MESSAGES[step](hs) })
          publish(rollout, hs)
          paused.push(next)
          return
        }
        hs.step = step
        if (step === 'host key') {
          hs.fingerprint = key.fingerprint
          const trusted = pins[id] ? pins[id] === key.fingerprint : accepted[id] === key.fingerprint && !key.changed
          if (!trusted) {
            Object.assign(hs, { status: 'failed', message: `the host key of ${id} was not confirmed: ${key.fingerprint}`, finished_at: new Date().toISOString() })
            publish(rollout, hs)
            return finishRollout(rollout)
          }
          pins[id] = key.fingerprint
        }
        if (conf.fail && conf.fail.step === step) {
          Object.assign(hs, { status: 'failed', message: conf.fail.message, finished_at: new Date().toISOString() })
          publish(rollout, hs)
          return finishRollout(rollout)
        }
        if (step === 'done') {
          Object.assign(hs, { status: 'done', message: STEP_MESSAGES.done(hs), init: 'systemd', server_uuid: enroll(hs), finished_at: new Date().toISOString() })
          publish(rollout, hs)
          return finishRollout(rollout)
        }
        Object.assign(hs, { status: 'running', message: STEP_MESSAGES[step](hs) })
        if (!hs.started_at) hs.started_at = new Date().toISOString()
        publish(rollout, hs)
        i++
        setTimeout(next, rolloutConf().stepMs)
      }
      setTimeout(next, rolloutConf().stepMs)
    }

    const startRollout = (req) => {
      const targets = req?.targets || []
      if (!targets.length) throw new Error('start rollout: no hosts given')
      if (!req.password && !req.key) throw new Error('start rollout: a password or a private key is needed')
      if (req.key && !/-----BEGIN [A-Z0-9 ]*PRIVATE KEY-----/.test(req.key)) throw new Error('start rollout: the key is not a PEM or OpenSSH private key')
      const rollout = {
        id: `r${rollouts.length + 1}`,
        started_at: new Date().toISOString(),
        done: false,
        events: [],
        hosts: targets.map((t) => ({
          host: t.host,
          port: t.port || 22,
          user: t.user,
          name: t.name || t.host,
          step: '',
          status: 'pending',
          message: '',
          fingerprint: '',
          server_uuid: '',
          init: '',
          started_at: null,
          finished_at: null,
        })),
      }
      rollouts.push(rollout)
      rollout.hosts.forEach((hs) => walk(rollout, hs, req.accept_host_keys || {}))
      return rolloutRecord(rollout)
    }

    const rolloutRecord = (r) => ({ id: r.id, hosts: clone(r.hosts), done: r.done, started_at: r.started_at })
    const findRollout = (id) => {
      const r = rollouts.find((x) => x.id === id)
      if (!r) throw new Error(`rollout ${quote(id)}: not found`)
      return r
    }

    const uninstallServer = (req) => {
      const server = find(req.server)
      if (!req.password && !req.key) throw new Error('uninstall: a password or a private key is needed')
      const host = req.host || server.host || server.name
      const port = req.port || 22
      const id = joinHostPort(host, port)
      const key = hostKeyAt(host, port)
      const at = new Date().toISOString()
      const hs = { host, port, user: req.user, name: server.name, step: 'done', status: 'done', message: '', fingerprint: key.fingerprint, server_uuid: server.uuid, init: 'systemd', started_at: at, finished_at: at }
      const trusted = key.known || pins[id] === key.fingerprint || (req.accept_host_key && req.accept_host_key === key.fingerprint)
      if (!trusted || key.changed) return { ...hs, step: 'host key', status: 'failed', message: `the host key of ${id} was not confirmed: ${key.fingerprint}` }
      Object.assign(server, { status: 'revoked', online: false, revoked_at: at })
      emitSoon('server:changed', { id: ++eventId, at, kind: 'server.revoked', subject: server.uuid, message: `server ${server.name} uninstalled and revoked`, data: null })
      return { ...hs, message: `borgdesk-agent stopped and removed from ${host}; ${server.name} revoked` }
    }


    // --- .flx snapshots: see FLX in fixtures.js ----------------------------
    // Go keeps a verified snapshot it opened (by id) to send to agents; a
    // damaged one is described but not kept. Restores and creations are
    // agent tasks walked through queued → dispatched → running → finished,
    // each step announced with task:changed (queued before the call answers,
    // as Go does); holdAt keeps them at a step until releaseFlxTasks.
    const flxConf = () => state.flx
    const staged = {}
    const tasks = []
    const held = []
    let taskSeq = 40
    window.__flxTasks = tasks
    window.__releaseFlxTasks = () => {
      flxConf().holdAt = ''
      held.splice(0).forEach((go) => go())
    }
    const emitNow = (name, payload) => {
      for (const entry of [...(listeners[name] || [])]) entry.callback(payload)
    }
    const baseName = (p) => String(p).split('/').pop()
    const stamp = () => new Date().toISOString().slice(0, 19).replace('T', '_').replaceAll(':', '-')

    // goOpenFlx is Go's OpenFlx, called by a drop, a file-manager argument or the binding.
    const goOpenFlx = (path) => {
      const p = String(path)
      if (!/\.flxx?(\.gz)?$/.test(p)) throw new Error(`invalid: ${baseName(p)} is not a .flx or .flxx file`)
      const file = flxConf().files[p]
      if (!file) throw new Error(`open ${p}: no such file or directory`)
      if (file.inspection.verified) staged[file.id] = file
      const verdict = file.inspection.verified ? 'every hash matches' : `damaged: ${file.inspection.error}`
      const message = `opened ${file.name}: ${file.inspection.files.length} files, ${verdict}`
      emitSoon('flx:opened', { id: ++eventId, at: new Date().toISOString(), kind: 'flx:opened', subject: file.id, message, data: { id: file.id, path: p } })
      return clone(file)
    }
    // A file dropped on the window: Go opens it, or says why it could not.
    window.__dropFlx = (path) => {
      try {
        goOpenFlx(path)
      } catch (err) {
        emitSoon('notification', { id: ++eventId, at: new Date().toISOString(), kind: 'notification', subject: '', message: `could not open ${path}: ${err.message}`, data: null })
      }
    }

    const stagedFlx = (id) => {
      const file = staged[String(id)]
      if (!file) throw new Error(`not found: snapshot ${String(id).slice(0, 12)} is not open (or failed verification): open it again`)
      return file
    }

    const queueTask = (server, type, payload, finish) => {
      const t = {
        id: ++taskSeq,
        server_id: server.id,
        server_name: server.name,
        server_uuid: server.uuid,
        type,
        payload,
        status: 'queued',
        created_at: new Date().toISOString(),
        dispatched_at: null,
        started_at: null,
        finished_at: null,
        progress: null,
        result: null,
        error: '',
      }
      tasks.unshift(t)
      const publish = () =>
        emitNow('task:changed', {
          id: ++eventId,
          at: new Date().toISOString(),
          kind: 'task:changed',
          subject: server.uuid,
          // As Go's taskLabel: a dry run says so in the event log.
          message: `${type}${payload?.dry_run ? ' (dry run)' : ''} task ${t.id} ${t.status} on ${server.name}`,
          data: { task_id: t.id, status: t.status },
        })
      const steps = ['dispatched', 'running']
      const advance = (i) => {
        const at = new Date().toISOString()
        if (i === steps.length) {
          finish(t)
          t.finished_at = at
          return publish()
        }
        t.status = steps[i]
        if (t.status === 'dispatched') t.dispatched_at = at
        if (t.status === 'running') t.started_at = at
        publish()
        const go = () => setTimeout(() => advance(i + 1), flxConf().stepMs)
        if (flxConf().holdAt === steps[i]) held.push(go)
        else go()
      }
      publish()
      setTimeout(() => advance(0), flxConf().stepMs)
      return clone(t)
    }

    const restoreFlx = (req) => {
      const file = stagedFlx(req.id)
      const server = find(req.server)
      const mode = req.mode || 'merge'
      if (!['merge', 'fresh', 'migrate'].includes(mode)) throw new Error(`invalid: mode ${JSON.stringify(mode)}: fresh, merge or migrate`)
      if (mode === 'migrate' && !req.user) throw new Error('invalid: migrate needs the target user')
      // merge and fresh take a user too: the home a FlexPBX snapshot's home files go to.
      const root = checkRoot(req.root)
      const payload = { name: file.id, size: file.size, sha256: file.id, root: root || undefined, mode, user: req.user || undefined, dry_run: Boolean(req.dry_run) || undefined }
      return queueTask(server, 'flx-restore', payload, (t) => {
        if (flxConf().restoreError) {
          t.status = 'failed'
          t.error = flxConf().restoreError
          return
        }
        let changes = clone(flxConf().changes)
        if (mode === 'fresh') {
          changes = changes.map((c) => (c.action === 'keep (user data)' ? { ...c, action: 'overwrite' } : c))
          for (const d of flxConf().diff.filter((d) => d.status === 'only in target')) changes.push({ path: d.path, action: 'remove', size: 0 })
        }
        const counts = { create: 0, overwrite: 0, unchanged: 0, 'keep (user data)': 0, remove: 0 }
        changes.forEach((c) => counts[c.action]++)
        t.status = 'succeeded'
        t.result = { counts, changes, rollback: req.dry_run ? '' : flxConf().rollback, dry_run: Boolean(req.dry_run) }
      })
    }

    // As Go's flxRoot: '' or / is the server's root, else an absolute folder.
    const checkRoot = (root) => {
      const r = String(root ?? '').trim()
      if (r && !r.startsWith('/')) throw new Error(`invalid input: the target root must be an absolute folder on the server (such as /srv/pbx-test), not ${JSON.stringify(r)}`)
      return r === '/' ? '' : r.replace(/\/+$/, '')
    }

    const diffFlx = (id, ref, root) => {
      stagedFlx(id)
      checkRoot(root)
      const server = find(ref)
      if (!server.online) throw new Error(`the agent of ${server.name} did not answer within 1m0s (task ${taskSeq + 1} is queued): is it online?`)
      return new Promise((resolve) => setTimeout(() => resolve(clone(flxConf().diff)), flxConf().stepMs * 2))
    }

    const createFlx = (ref, profile, type) => {
      const server = find(ref)
      if (!['', 'flx', 'flxx'].includes(type)) throw new Error(`invalid: type ${JSON.stringify(type)}: flx or flxx`)
      const p = profile || 'etc'
      return queueTask(server, 'flx-backup', { profile: p, type: type || 'flx' }, (t) => {
        if (!['etc', 'flexpbx'].includes(p)) {
          t.status = 'failed'
          t.error = `unknown profile ${JSON.stringify(p)}: etc or flexpbx, or give paths`
          return
        }
        const name = `${p}-${stamp()}.${type === 'flxx' ? 'flxx' : 'flx'}`
        const stored = `${state.status.data_dir}/flx/servers/${server.uuid}/${name}`
        const received = (flxConf().received ||= {})
        received[server.uuid] = [stored, ...(received[server.uuid] || [])]
        t.status = 'succeeded'
        t.result = { name, size: 48213, file_count: 212, redaction_report: [{ file: 'etc/shadow', rule: 'password hash', count: 3 }], stored }
      })
    }

    const exportFlx = (path) => {
      const p = String(path)
      if (!p.startsWith(`${state.status.data_dir}/flx/servers/`)) throw new Error(`invalid: ${p} is not a snapshot received from a server`)
      return `${flxConf().downloads}/${baseName(p)}`
    }

    const listTasks = (ref, limit) => {
      const server = ref ? find(ref) : null
      return tasks.filter((t) => !server || t.server_id === server.id).slice(0, limit || 50).map(clone)
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
          ListJobs: answer('ListJobs', () => state.jobs.map(jobView)),
          DescribeSchedule: answer('DescribeSchedule', describeSchedule),
          CancelRun: answer('CancelRun', cancelRun),
          // As Go's ListEnrollmentTokens and RevokeEnrollmentToken (service/tokens.go).
          ListEnrollmentTokens: answer('ListEnrollmentTokens', () => clone(state.tokens ?? [])),
          RevokeEnrollmentToken: answer('RevokeEnrollmentToken', (ref) => {
            const named = (state.tokens ?? []).filter((t) => String(t.id) === ref || t.name === ref)
            const picked = named.filter((t) => t.state !== 'used')
            if (!picked.length && named.length) throw new Error(`invalid input: the token for ${ref} was used: the server is enrolled; revoke the server instead (borgdesk server revoke ${ref})`)
            if (!picked.length) throw new Error(`no unused enrollment token is named ${ref}: not found`)
            state.tokens = state.tokens.filter((t) => !picked.includes(t))
            emitSoon('server:changed', { id: ++eventId, at: new Date().toISOString(), kind: 'server:changed', subject: '', message: `enrollment token for ${ref} revoked`, data: { status: 'token_revoked' } })
            return clone(picked)
          }),
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
          ParseHosts: answer('ParseHosts', parseHosts),
          ProbeHosts: answer('ProbeHosts', probeHosts),
          ForgetHostKey: answer('ForgetHostKey', forgetHostKey),
          StartRollout: answer('StartRollout', startRollout),
          GetRollout: answer('GetRollout', (id) => rolloutRecord(findRollout(id))),
          ListRollouts: answer('ListRollouts', () => [...rollouts].reverse().map(rolloutRecord)),
          UninstallServer: answer('UninstallServer', uninstallServer),
          OpenFlx: answer('OpenFlx', goOpenFlx),
          DiffFlx: answer('DiffFlx', diffFlx),
          // The file chooser: state.flx.chosen is the path picked ('' cancels).
          ChooseFlxFile: answer('ChooseFlxFile', () => flxConf().chosen ?? ''),
          RestoreFlx: answer('RestoreFlx', restoreFlx),
          CreateFlx: answer('CreateFlx', createFlx),
          ListFlx: answer('ListFlx', (ref) => clone(flxConf().received?.[find(ref).uuid] ?? [])),
          ExportFlx: answer('ExportFlx', exportFlx),
          FlxInbox: answer('FlxInbox', () => flxConf().inbox),
          ListTasks: answer('ListTasks', listTasks),
        },
      },
    }

    // What desk-restore.js builds on (its script runs right after this one).
    // tasks: every agent task ListTasks answers; the restore double adds its own.
    window.__desk = { answer, find, findJob, state, clone, emit: emitNow, nextEventId: () => ++eventId, tasks, createJob, runJob }

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
  }, { ...fleet, flx: fleet.flx ?? FLX, schedules: fleet.schedules ?? SCHEDULES })
  await installJobsDesk(page)
  await installRestoreDesk(page)
  await installOperatorDesk(page)
  await installRecoveryDesk(page)
  await installSettingsDesk(page)
  await installStorageDesk(page)
  await installReplicaDesk(page)
  await installArchiveDesk(page)
  await installEventsDesk(page)
}

// resumeRollout lets the hosts held at ROLLOUT.pauseAt go on; with a step
// name, they are held again when they reach it.
export async function resumeRollout(page, nextPauseAt = '') {
  await page.evaluate((next) => window.__resumeRollout(next), nextPauseAt)
}

// rolloutEvents returns the rollout:progress records the double emitted.
export async function rolloutEvents(page) {
  return page.evaluate(() => window.__rollouts.flatMap((r) => r.events))
}

// calls returns the recorded binding calls, optionally only one method's.
export async function calls(page, method) {
  const all = await page.evaluate(() => window.__calls)
  return method ? all.filter((c) => c.method === method) : all
}

// dropFlx plays a file dropped on the window: Go opens it and emits
// flx:opened (or a notification when it cannot), as Wails' file drop does.
export async function dropFlx(page, path) {
  await page.evaluate((p) => window.__dropFlx(p), path)
}

// inboxArrival emits the flx:inbox record Go sends when a file lands in the inbox.
export async function inboxArrival(page, path, at = NOW) {
  await fire(page, 'flx:inbox', { id: 0, at, kind: 'flx:inbox', subject: '', message: '', data: { path } })
}

// releaseFlxTasks lets the tasks held at FLX.holdAt go on.
export async function releaseFlxTasks(page) {
  await page.evaluate(() => window.__releaseFlxTasks())
}

// flxTasks returns the agent tasks the double queued, newest first.
export async function flxTasks(page) {
  return page.evaluate(() => window.__flxTasks)
}
