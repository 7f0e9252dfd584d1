// Events in words: the event log and notifications say what happened in the
// operator's language instead of Go's kind names and English sentences.
// Each rule matches one sentence Go's service writes (backend/service, the
// fmt.Sprintf beside each publish) and names the i18n key that says it; an
// event no rule knows keeps Go's sentence, with its byte counts in binary
// units. Pure functions: t is vue-i18n's translate function.
import {
  AUDIT,
  DRILL_CHANGED,
  FLX_OPENED,
  FLX_STORED,
  JOB_CHANGED,
  MOUNT_CHANGED,
  NOTIFICATION,
  RECOVERY_EXPORTED,
  REPLICA_CHANGED,
  RUN_PROGRESS,
  SERVER_CHANGED,
  SETTINGS_CHANGED,
  TASK_CHANGED,
} from '@/events.js'

// The i18n key (under events.kinds) of each event name.
export const KIND_KEYS = Object.freeze({
  [SERVER_CHANGED]: 'server',
  [JOB_CHANGED]: 'job',
  [RUN_PROGRESS]: 'run',
  [NOTIFICATION]: 'notice',
  [SETTINGS_CHANGED]: 'settings',
  [TASK_CHANGED]: 'task',
  [FLX_OPENED]: 'flx',
  [FLX_STORED]: 'flx',
  [MOUNT_CHANGED]: 'mount',
  [DRILL_CHANGED]: 'drill',
  [RECOVERY_EXPORTED]: 'recovery',
  [REPLICA_CHANGED]: 'replica',
  [AUDIT]: 'auditEntry',
})

const IEC = ['B', 'KiB', 'MiB', 'GiB', 'TiB', 'PiB', 'EiB']

// formatIEC shows bytes in binary units, as borg and the CLI count them:
// 1502122360 → "1.4 GiB".
export function formatIEC(bytes, locale) {
  let n = Number(bytes)
  if (!Number.isFinite(n) || n < 0) return ''
  let i = 0
  while (n >= 1024 && i < IEC.length - 1) {
    n /= 1024
    i++
  }
  const digits = i === 0 ? 0 : 1
  return `${new Intl.NumberFormat(locale, { minimumFractionDigits: digits, maximumFractionDigits: digits }).format(n)} ${IEC[i]}`
}

// withUnits rewrites "1502122360 bytes" in a sentence as "1.4 GiB".
export function withUnits(text, locale) {
  return String(text ?? '').replace(/\b(\d+) bytes\b/g, (_, n) => formatIEC(n, locale))
}

// Rules by event name: [pattern over Go's message, key, params from the match].
// Groups that carry a Go error or a path are passed through as they are.
const RUN = String.raw`run \d+ of (.+?)\/(\S+)`
const RULES = {
  [RUN_PROGRESS]: [
    [new RegExp(`^${RUN} queued \\((\\S+)\\)$`), 'run.queued', (m, t) => ({ server: m[1], job: m[2], trigger: trigger(m[3], t) })],
    [new RegExp(`^${RUN} started: archive (.+)$`), 'run.started', (m) => ({ server: m[1], job: m[2], archive: m[3] })],
    [new RegExp(`^${RUN} (succeeded|warning)(?:: ([\\s\\S]*))?$`), (m) => `run.${m[3]}`, (m) => ({ server: m[1], job: m[2], error: m[4] ?? '' })],
    [new RegExp(`^${RUN} failed: ([\\s\\S]*)$`), 'run.failed', (m) => ({ server: m[1], job: m[2], error: m[3] })],
    [new RegExp(`^${RUN} cancelled`), 'run.cancelled', (m) => ({ server: m[1], job: m[2] })],
    [new RegExp(`^${RUN} was interrupted by a restart`), 'run.requeued', (m) => ({ server: m[1], job: m[2] })],
  ],
  [JOB_CHANGED]: [
    [/^job (\S+) created for (.+)$/, 'job.created', (m) => ({ job: m[1], server: m[2] })],
    [/^retention of (.+?)\/(\S+): kept (\d+), pruned (\d+) archive/, 'job.retention', (m) => ({ server: m[1], job: m[2], kept: m[3], pruned: m[4] })],
    [/^restore drill schedule of (.+?)\/(\S+):/, 'job.drillSchedule', (m) => ({ server: m[1], job: m[2] })],
  ],
  [SERVER_CHANGED]: [
    [/^server (\S+) enrolled/, 'server.enrolled', (m) => ({ server: m[1] })],
    [/^server (\S+) is online$/, 'server.online', (m) => ({ server: m[1] })],
    [/^server (\S+) is offline/, 'server.offline', (m) => ({ server: m[1] })],
    [/^server (\S+) revoked$/, 'server.revoked', (m) => ({ server: m[1] })],
    [/^server (\S+) renewed its certificate \(valid until (\S+)\)$/, 'server.renewed', (m) => ({ server: m[1], date: m[2] })],
    [/^repository of (\S+) checked: ok$/, 'server.checked', (m) => ({ server: m[1] })],
  ],
  [TASK_CHANGED]: [
    [/^(\S+) task (\d+) (\S+) on (\S+)(?:: ([\s\S]*))?$/, (m) => `task.${m[3]}`, (m, t) => ({ type: taskType(m[1], t), id: m[2], server: m[4], error: m[5] ?? '' })],
  ],
  [DRILL_CHANGED]: [
    [/^restore drill \d+ of (.+?)\/(\S+) started/, 'drill.started', (m) => ({ server: m[1], job: m[2] })],
    [/^restore drill \d+ of (.+?)\/(\S+) passed: archive (\S+), (\d+) files checked/, 'drill.passed', (m) => ({ server: m[1], job: m[2], archive: m[3], n: m[4] })],
    [/^restore drill \d+ of (.+?)\/(\S+) failed: archive (\S*), \d+ files checked(?:: ([\s\S]*))?/, 'drill.failed', (m) => ({ server: m[1], job: m[2], error: m[4] ?? '' })],
  ],
  [REPLICA_CHANGED]: [
    [
      /^replication of (\S+) .*?: (\d+) archives, (\d+) files \((\d+) bytes copied\) in (\S+) to (.+?); verified/,
      'replica.done',
      (m, t, locale) => ({ server: m[1], archives: m[2], files: m[3], size: formatIEC(m[4], locale), duration: m[5], target: m[6] }),
    ],
    [/^replication of (\S+) failed: ([\s\S]*)$/, 'replica.failed', (m) => ({ server: m[1], error: m[2] })],
  ],
  [FLX_STORED]: [
    [/^snapshot (\S+) of (.+?)\/(\S+) stored; (\d+) kept(?:, (\d+) older removed)?/, 'flx.stored', (m) => ({ name: m[1], server: m[2], job: m[3], kept: m[4], removed: m[5] ?? '0' })],
    [/^snapshot (\S+) of (\S+) stored: (\d+) files$/, 'flx.storedOneOff', (m) => ({ name: m[1], server: m[2], n: m[3] })],
  ],
  [MOUNT_CHANGED]: [
    [/^(.+) mounted at (.+)$/, 'mount.mounted', (m) => ({ source: m[1], dir: m[2] })],
    [/^(.+) unmounted$/, 'mount.unmounted', (m) => ({ dir: m[1] })],
  ],
}

// Notifications repeat the sentences of the events they announce.
RULES[NOTIFICATION] = [...RULES[RUN_PROGRESS], ...RULES[DRILL_CHANGED], ...RULES[REPLICA_CHANGED]]

function trigger(name, t) {
  const key = `runs.trigger.${name}`
  const text = t(key)
  return text === key ? name : text.toLowerCase()
}

function taskType(name, t) {
  const key = `tasks.types.${name}`
  const text = t(key)
  return text === key ? name : text
}

// settingName names a setting key in words where the window knows it.
function settingName(key, t) {
  const id = `events.settingNames.${String(key).replaceAll('.', '_')}`
  const text = t(id)
  return text === id ? key : text
}

// eventKind names an event's kind ("Backup run", "Setting"), or gives the
// kind back when it is not one the window knows.
export function eventKind(event, t) {
  const key = KIND_KEYS[event?.kind]
  return key ? t(`events.kinds.${key}`) : String(event?.kind ?? '')
}

// eventText says what an event reports in the operator's language.
export function eventText(event, t, locale) {
  const message = String(event?.message ?? '')
  if (event?.kind === SETTINGS_CHANGED) {
    const key = event.data?.key ?? message.replace(/ changed$/, '')
    return t('events.settings.changed', { setting: settingName(key, t) })
  }
  for (const [pattern, key, params] of RULES[event?.kind] ?? []) {
    const m = pattern.exec(message)
    if (!m) continue
    const id = `events.${typeof key === 'function' ? key(m) : key}`
    const values = params(m, t, locale)
    // A sentence with Go's error after it when there is one.
    for (const candidate of values.error ? [`${id}Error`, id] : [id]) {
      const text = t(candidate, values)
      if (text !== candidate) return text
    }
  }
  return withUnits(message, locale)
}
