// What the dashboard derives from Go's FleetHealth (GetHealth). Pure
// functions: the health store and the components share them, tests call them.
import { parseTime } from './format.js'

export const HEALTH_STATES = Object.freeze(['red', 'amber', 'green'])
const RANK = { red: 0, amber: 1, green: 2 }
const HOUR = 3600e3

// Go rates a backup amber past three quarters of its RPO (backend/health).
export const RPO_WARN_SHARE = 0.75

// byState puts the servers that need someone first: red, then amber, then
// green, by name within a state. It copies; the store's list stays as sent.
export function byState(servers) {
  return [...(servers ?? [])].sort(
    (a, b) => (RANK[a.state] ?? 3) - (RANK[b.state] ?? 3) || String(a.name).localeCompare(String(b.name)),
  )
}

// backupAgeHours is how old the newest backup is, in hours; null without one.
export function backupAgeHours(lastBackup, now) {
  const t = parseTime(lastBackup)
  return t ? Math.max(0, (Number(now) - t.getTime()) / HOUR) : null
}

// rpoState compares a backup's age with its target the way Go does: 'none'
// without a backup, 'red' past the RPO, 'amber' past three quarters of it.
export function rpoState(lastBackup, rpoHours, now) {
  const age = backupAgeHours(lastBackup, now)
  if (age === null) return 'none'
  const rpo = Number(rpoHours)
  if (!Number.isFinite(rpo) || rpo <= 0) return 'green'
  if (age > rpo) return 'red'
  return age > rpo * RPO_WARN_SHARE ? 'amber' : 'green'
}

// rpoShare is the backup's age as a share of its RPO (1 = due now), for the
// bar under a server's age; null when either is unknown.
export function rpoShare(lastBackup, rpoHours, now) {
  const age = backupAgeHours(lastBackup, now)
  const rpo = Number(rpoHours)
  if (age === null || !Number.isFinite(rpo) || rpo <= 0) return null
  return age / rpo
}

// formatHours shows a span of hours with its largest sensible unit, as Go's
// roundAge does: minutes under an hour, hours under two days, days beyond.
export function formatHours(hours, locale) {
  const h = Number(hours)
  if (hours == null || !Number.isFinite(h) || h < 0) return ''
  const unit = (n, u) => new Intl.NumberFormat(locale, { style: 'unit', unit: u, unitDisplay: 'short' }).format(n)
  if (h < 1) return unit(Math.floor(h * 60), 'minute')
  if (h < 48) return unit(Math.floor(h), 'hour')
  return unit(Math.floor(h / 24), 'day')
}

// Go's reasons are English sentences (backend/health); each known one is
// turned into a kind the locale files say in every language. A reason this
// build does not know is kept as Go sent it.
const REASONS = [
  { kind: 'pastRpo', pattern: /^last backup .* ago, past its .* RPO$/ },
  { kind: 'nearRpo', pattern: /^last backup .* ago, close to its .* RPO$/ },
  { kind: 'noBackup', pattern: /^no successful backup yet$/ },
  { kind: 'noJob', pattern: /^no backup job$/ },
  { kind: 'offline', pattern: /^agent offline$/ },
  { kind: 'certExpires', pattern: /^certificate expires / },
  { kind: 'noDrill', pattern: /^no recent restore drill$/ },
]

export function reasonKind(reason) {
  return REASONS.find((r) => r.pattern.test(String(reason ?? '')))?.kind ?? 'other'
}

// reasonText says one reason of server in the interface's language; t is
// vue-i18n's, formatDate the page's date formatter.
export function reasonText(reason, server, { t, locale, now, formatDate }) {
  const kind = reasonKind(reason)
  if (kind === 'other') return String(reason)
  const age = formatHours(backupAgeHours(server?.last_backup, now), locale)
  const rpo = formatHours(server?.rpo_hours, locale)
  const date = formatDate(server?.cert_not_after, locale)
  return t(`health.reason.${kind}`, { age, rpo, date })
}

// Go names what is wrong with a server as issues with stable codes
// (backend/health); each is said in the interface's language with its
// job's name. Older coordinators send only the sentences (reasons).
const ISSUE_KEYS = {
  past_rpo: 'pastRpo',
  near_rpo: 'nearRpo',
  never_succeeded: 'neverSucceeded',
  never_succeeded_red: 'neverSucceededPast',
  last_run_failed: 'lastRunFailed',
  no_job: 'noJob',
  all_paused: 'allPaused',
  offline: 'offline',
  cert_expiring: 'certExpires',
  no_drill: 'noDrill',
}

export function issueText(issue, server, { t, locale, now, formatDate }) {
  let code = issue?.code
  if (code === 'never_succeeded' && issue.state === 'red') code = 'never_succeeded_red'
  const key = ISSUE_KEYS[code]
  if (!key) return String(issue?.text ?? '')
  const age = formatHours(backupAgeHours(issue.since, now), locale)
  const rpo = formatHours(server?.rpo_hours, locale)
  const date = formatDate(issue.since ?? server?.cert_not_after, locale)
  const text = t(`health.issue.${key}`, { job: issue.job ?? '', age, rpo, date })
  return issue.detail ? `${text}: ${issue.detail}` : text
}

// serverReasons says why a server has its colour, worst first.
export function serverReasons(server, ctx) {
  if (Array.isArray(server?.issues)) return server.issues.map((i) => issueText(i, server, ctx))
  return (server?.reasons ?? []).map((r) => reasonText(r, server, ctx))
}

// counts reads the three numbers Go sends, falling back to counting the list.
export function healthCounts(fleet) {
  if (!fleet) return { red: 0, amber: 0, green: 0 }
  const counted = { red: 0, amber: 0, green: 0 }
  for (const s of fleet.servers ?? []) if (s.state in counted) counted[s.state]++
  return {
    red: Number.isFinite(fleet.red) ? fleet.red : counted.red,
    amber: Number.isFinite(fleet.amber) ? fleet.amber : counted.amber,
    green: Number.isFinite(fleet.green) ? fleet.green : counted.green,
  }
}

// A finished run changes a server's last backup; queued and running do not.
export const FINISHED_STATUSES = Object.freeze(['succeeded', 'failed', 'warning'])

export function changesHealth(event) {
  return Boolean(event?.id) && FINISHED_STATUSES.includes(event?.data?.status)
}
