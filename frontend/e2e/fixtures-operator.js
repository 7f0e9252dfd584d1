// Canned data for issue 8 (the operator's desk: health, storage, load
// history, mail and alert settings) served by desk-operator.js, in Go's
// snake_case JSON. The instant is NOW (fixtures.js).
import { EMPTY_FLEET, FLEET_SERVERS, NOW, POPULATED_FLEET, WEB1 } from './fixtures.js'

const [, DB1, BUILD3] = FLEET_SERVERS
const HOUR = 3600e3
const DAY = 24 * HOUR
const GB = 1e9
const at = (msBeforeNow) => new Date(Date.parse(NOW) - msBeforeNow).toISOString()

// GetHealth for POPULATED_FLEET: web1 is fine, db1 is past its RPO (and
// offline, its certificate close to expiry), build3 has no job yet; the
// revoked mail-old is left out, as Go does.
export const HEALTH = {
  state: 'red',
  green: 1,
  amber: 1,
  red: 1,
  summary: '1 at risk, 1 need attention, 1 healthy',
  servers: [
    {
      id: WEB1.id,
      uuid: WEB1.uuid,
      name: WEB1.name,
      state: 'green',
      reasons: [],
      last_backup: '2026-11-22T03:05:00Z',
      rpo_hours: 26,
      online: true,
      last_verified_at: '2026-11-20T04:00:00Z',
      cert_not_after: WEB1.cert_not_after,
    },
    {
      id: DB1.id,
      uuid: DB1.uuid,
      name: DB1.name,
      state: 'red',
      reasons: ['last backup 30h ago, past its 26h RPO', 'agent offline', 'certificate expires 2026-12-04'],
      last_backup: '2026-11-21T01:31:12Z',
      rpo_hours: 26,
      online: false,
      last_verified_at: null,
      cert_not_after: DB1.cert_not_after,
    },
    {
      id: BUILD3.id,
      uuid: BUILD3.uuid,
      name: BUILD3.name,
      state: 'amber',
      reasons: ['no backup job', 'agent offline'],
      last_backup: null,
      rpo_hours: 26,
      online: false,
      last_verified_at: null,
      cert_not_after: null,
    },
  ],
}

// One point per day for 90 days, growing by perDay with a little wobble.
function history(start, perDay, days = 90) {
  return Array.from({ length: days }, (_, i) => ({
    at: at((days - 1 - i) * DAY + 5 * HOUR),
    bytes: Math.round(start + perDay * i + Math.sin(i / 3) * perDay * 0.4),
  }))
}

const WEB1_HISTORY = history(31 * GB, 0.35 * GB)
const DB1_HISTORY = history(88 * GB, 1.2 * GB)

export const STORAGE = {
  disk_path: '/var/lib/borgdesk-test/repos',
  disk_total: 2000 * GB,
  disk_free: 610 * GB,
  reserve_bytes: 20 * GB,
  repos_bytes: WEB1_HISTORY[89].bytes + DB1_HISTORY[89].bytes,
  forecast_full_at: '2027-03-18T00:00:00Z',
  servers: [
    { uuid: WEB1.uuid, name: WEB1.name, bytes: WEB1_HISTORY[89].bytes, history: WEB1_HISTORY },
    { uuid: DB1.uuid, name: DB1.name, bytes: DB1_HISTORY[89].bytes, history: DB1_HISTORY },
  ],
}

// 24 hours of web1's load, a point per 5 minutes, as GetMetrics answers.
function metricPoints(hours = 24) {
  const n = (hours * 60) / 5
  return Array.from({ length: n }, (_, i) => {
    const phase = (i / n) * Math.PI * 4
    return {
      at: at((n - 1 - i) * 5 * 60e3),
      cpu_percent: Math.round((18 + 14 * Math.sin(phase) + (i % 7)) * 10) / 10,
      load1: Math.round((0.6 + 0.4 * Math.sin(phase)) * 100) / 100,
      mem_percent: Math.round((38 + 6 * Math.sin(phase / 2)) * 10) / 10,
      disk_percent: Math.round((78 + (i / n) * 2.5) * 10) / 10,
      net_rx_bps: Math.round(2.4e6 + 1.8e6 * Math.sin(phase + 1)),
      net_tx_bps: Math.round(0.8e6 + 0.5e6 * Math.sin(phase)),
    }
  })
}

export const METRICS = { [WEB1.uuid]: metricPoints() }

export const MAIL = {
  status: {
    pending: 0,
    sent: 14,
    last_error: '',
    last_attempt: '2026-11-22T07:31:00Z',
    outbox: '/var/lib/borgdesk-test/outbox.mbox',
    sent_path: '/var/lib/borgdesk-test/sent.mbox',
  },
  // SendTestEmail rejects with this when set (Go's SMTP error), else answers.
  testError: '',
}

export const OPERATOR_SETTINGS = {
  'smtp.host': 'mail.example.lan',
  'smtp.port': '587',
  'smtp.security': 'starttls',
  'smtp.user': 'borgdesk',
  'smtp.password': '',
  'smtp.password_set': 'true',
  'smtp.from': 'borgdesk@example.lan',
  'notify.email.to': 'ops@example.lan',
  'notify.email.events': 'run_failed,rpo_missed,agent_offline',
  'notify.desktop.events': 'run_failed,rpo_missed,agent_offline,cert_expiring,drill_failed,flx_inbox',
  'notify.webhook.events': '',
  'notify.webhook.url': '',
  'notify.webhook.secret': '',
  'notify.webhook.secret_set': 'false',
  'notify.quiet_hours': '22:00-07:00',
  'notify.offline_after': '30m',
  'ui.close_to_tray': 'true',
  'ui.guide_done': 'true',
  'rpo.default': '26h',
  'rpo.db1': '12h',
}

export const OPERATOR_FLEET = {
  ...POPULATED_FLEET,
  health: HEALTH,
  storage: STORAGE,
  metrics: METRICS,
  mail: MAIL,
  settings: { ...OPERATOR_SETTINGS },
}

// A fleet of 500 servers: every 50th is red, every 7th amber, the rest
// green; one backup runs on srv-001. Used to check the dashboard stays
// usable at that size and that events do not refetch per server.
function bigFleet(n = 500) {
  const servers = []
  const health = []
  const storage = []
  let red = 0
  let amber = 0
  for (let i = 1; i <= n; i++) {
    const name = `srv-${String(i).padStart(3, '0')}`
    const uuid = `0b5e8a1c-1111-4222-8333-${String(i).padStart(12, '0')}`
    const state = i % 50 === 0 ? 'red' : i % 7 === 0 ? 'amber' : 'green'
    if (state === 'red') red++
    if (state === 'amber') amber++
    servers.push({ ...WEB1, id: 1000 + i, uuid, name, host: `${name}.example.lan`, hostname: `${name}.example.lan`, metrics: null, capabilities: null })
    health.push({
      id: 1000 + i,
      uuid,
      name,
      state,
      reasons: state === 'red' ? ['last backup 40h ago, past its 26h RPO'] : state === 'amber' ? ['agent offline'] : [],
      last_backup: at(state === 'red' ? 40 * HOUR : 3 * HOUR),
      rpo_hours: 26,
      online: state !== 'amber',
      last_verified_at: at(2 * DAY),
      cert_not_after: '2027-06-01T00:00:00Z',
    })
    storage.push({ uuid, name, bytes: (5 + (i % 40)) * GB, history: history((4 + (i % 40)) * GB, 0.02 * GB, 20) })
  }
  const green = n - red - amber
  const job = { ...POPULATED_FLEET.jobs[0], id: 1, server_id: 1001, server_name: 'srv-001', server_uuid: servers[0].uuid }
  const running = { ...POPULATED_FLEET.runs[0], id: 9, job_id: 1, server_id: 1001, server_name: 'srv-001' }
  return {
    ...EMPTY_FLEET,
    status: { ...EMPTY_FLEET.status, servers: n, jobs: 1, runs_running: 1 },
    servers,
    jobs: [job],
    runs: [running],
    health: { state: 'red', red, amber, green, summary: `${red} at risk, ${amber} need attention, ${green} healthy`, servers: health },
    storage: { ...STORAGE, servers: storage, repos_bytes: storage.reduce((s, x) => s + x.bytes, 0) },
    metrics: {},
    mail: MAIL,
    settings: { ...OPERATOR_SETTINGS },
  }
}

export const FLEET_500 = bigFleet()
