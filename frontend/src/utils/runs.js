// What the screens derive from a Run record and from the live progress Go
// announces while a backup runs. Pure functions shared by the runs store and
// the components.
import { parseTime } from './format.js'

export const RUN_STATUSES = Object.freeze(['queued', 'running', 'succeeded', 'warning', 'failed', 'cancelled'])
export const ACTIVE_STATUSES = Object.freeze(['queued', 'running'])
export const TRIGGERS = Object.freeze(['manual', 'schedule', 'catch-up', 'retry'])

export function isActive(run) {
  return ACTIVE_STATUSES.includes(run?.status)
}

// runSeconds is how long a run took, or has been going until now.
export function runSeconds(run, now) {
  const start = parseTime(run?.started_at)
  if (!start) return null
  const end = parseTime(run?.finished_at)?.getTime() ?? (isActive(run) ? Number(now) : null)
  if (end == null) return null
  return Math.max(0, Math.round((end - start.getTime()) / 1000))
}

// dedupRatio is the share of what was read that was new to the repository.
export function dedupRatio(run) {
  const read = Number(run?.bytes)
  const fresh = Number(run?.deduplicated)
  if (!Number.isFinite(read) || !Number.isFinite(fresh) || read <= 0 || fresh < 0) return null
  return Math.min(1, fresh / read)
}

// nextProgress folds one live run:progress record into what is known of the
// run: files, bytes and the current path, and the speed from the bytes and
// time of the record before. A record from before the last one is ignored.
export function nextProgress(previous, event) {
  const data = event?.data ?? {}
  const at = parseTime(event?.at)?.getTime() ?? Date.now()
  if (previous && at < previous.at) return previous
  const bytes = Number(data.bytes) || 0
  let speed = previous?.speed ?? null
  if (previous && at > previous.at && bytes >= previous.bytes) {
    speed = (bytes - previous.bytes) / ((at - previous.at) / 1000)
  }
  return {
    runId: data.run_id,
    status: data.status || previous?.status || 'running',
    files: Number(data.files) || 0,
    bytes,
    path: data.path ?? previous?.path ?? '',
    speed,
    at,
  }
}

// formatClock shows an elapsed time as a stopwatch does: 4:07, 1:02:05.
export function formatClock(seconds) {
  const s = Math.floor(Number(seconds))
  if (seconds == null || !Number.isFinite(s) || s < 0) return ''
  const h = Math.floor(s / 3600)
  const m = Math.floor((s % 3600) / 60)
  const pad = (n) => String(n).padStart(2, '0')
  return h ? `${h}:${pad(m)}:${pad(s % 60)}` : `${m}:${pad(s % 60)}`
}

// formatSeconds shows a run's duration with its two largest units: "42 sec",
// "4 min 10 sec", "1 hr 2 min".
export function formatSeconds(seconds, locale) {
  const s = Math.floor(Number(seconds))
  if (seconds == null || !Number.isFinite(s) || s < 0) return ''
  const unit = (n, u) => new Intl.NumberFormat(locale, { style: 'unit', unit: u, unitDisplay: 'short' }).format(n)
  if (s < 60) return unit(s, 'second')
  if (s < 3600) return [unit(Math.floor(s / 60), 'minute'), s % 60 ? unit(s % 60, 'second') : ''].filter(Boolean).join(' ')
  const m = Math.floor((s % 3600) / 60)
  return [unit(Math.floor(s / 3600), 'hour'), m ? unit(m, 'minute') : ''].filter(Boolean).join(' ')
}

// parseArchiveTime reads borg's local time without a zone
// ("2026-11-22T05:14:31.000000"): the coordinator's clock, which is this
// desktop's, so it is read as local time.
export function parseArchiveTime(value) {
  const m = /^(\d{4})-(\d{2})-(\d{2})[T ](\d{2}):(\d{2}):(\d{2})(?:\.(\d+))?$/.exec(String(value ?? ''))
  if (!m) return parseTime(value)
  const [y, mo, d, h, mi, s] = m.slice(1, 7).map(Number)
  const ms = m[7] ? Number(m[7].slice(0, 3).padEnd(3, '0')) : 0
  return new Date(y, mo - 1, d, h, mi, s, ms)
}

// formatRunTime shows when a run started or ended to the second: runs a
// few seconds apart (a retry, a cancel) must not read as the same time.
export function formatRunTime(value, locale) {
  const date = parseTime(value)
  if (!date) return ''
  return new Intl.DateTimeFormat(locale, { dateStyle: 'medium', timeStyle: 'medium' }).format(date)
}

// runArchive says what a run's archive is to the operator: 'none' (a failed
// or cancelled run made none, whatever name it started with), 'writing'
// (the run goes on), 'pruned' (retention or a prune removed it) or
// 'browsable' (a link to the archive browser).
export function runArchive(run) {
  if (!run?.archive || ['failed', 'cancelled'].includes(run.status)) return 'none'
  if (isActive(run)) return 'writing'
  return run.pruned_at ? 'pruned' : 'browsable'
}

// canCancel: a queued or running run can be cancelled from the window.
export function canCancel(run) {
  return isActive(run)
}
