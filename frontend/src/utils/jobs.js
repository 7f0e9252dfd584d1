// What the screens derive from a Job record, and what the New job wizard
// sends back. Pure functions: the jobs store, the components and the tests
// share them. Go checks everything again; its refusal is shown as sent.
import { isValidServerName } from './servers.js'

// Kinds in the order the wizard offers them, with their icon and the tool
// the agent must have found on the server (see KNOWN_TOOLS).
export const JOB_KINDS = Object.freeze([
  { kind: 'files', icon: 'folder', tool: '' },
  { kind: 'mysql', icon: 'database', tool: 'mysqldump' },
  { kind: 'postgres', icon: 'database', tool: 'pg_dump' },
  { kind: 'mongo', icon: 'database', tool: 'mongodump' },
  { kind: 'docker', icon: 'box', tool: 'docker' },
  { kind: 'lvm', icon: 'layers', tool: 'lvm' },
  { kind: 'flx', icon: 'fileText', tool: '' },
])

// A new job starts with a name that says its kind, and a files job with
// /etc, the configuration every server has; both are there to be changed.
export const DEFAULT_PATHS = '/etc'
const DEFAULT_NAMES = Object.freeze({ files: 'files', mysql: 'mysql', postgres: 'postgres', mongo: 'mongodb', docker: 'docker', lvm: 'lvm', flx: 'snapshots' })

export function defaultJobName(kind) {
  return DEFAULT_NAMES[kind] ?? ''
}

export function kindInfo(kind) {
  return JOB_KINDS.find((k) => k.kind === kind) ?? { kind, icon: 'archive', tool: '' }
}

// Borg compression settings offered; lz4 is borg's own default.
export const COMPRESSIONS = Object.freeze(['none', 'lz4', 'zstd,3', 'zstd,10'])
export const DEFAULT_COMPRESSION = 'lz4'

// The retention a new job starts with.
export const DEFAULT_KEEP = Object.freeze({ within: '', daily: 7, weekly: 4, monthly: 6, yearly: 0 })
// A .flx job's retention, as the FlexPBX tools recommend (Go's jobs.FlxKeep).
export const FLX_KEEP = Object.freeze({ within: '', daily: 7, weekly: 4, monthly: 12, yearly: 0 })
export const KEEP_COUNTS = Object.freeze(['daily', 'weekly', 'monthly', 'yearly'])
// --keep-within units, as borg spells them.
export const WITHIN_UNITS = Object.freeze(['H', 'd', 'w', 'm', 'y'])

// parseJSON reads the spec and keep columns, which Go sends as JSON text.
// An object is taken as it is; anything unreadable is an empty object, so a
// damaged record still shows its name and server.
export function parseJSON(value) {
  if (value && typeof value === 'object') return value
  try {
    const parsed = JSON.parse(String(value ?? ''))
    return parsed && typeof parsed === 'object' && !Array.isArray(parsed) ? parsed : {}
  } catch {
    return {}
  }
}

// withParsed returns a job as ListJobs sends it with spec and keep as objects.
export function withParsed(job) {
  return { ...job, spec: parseJSON(job.spec), keep: parseJSON(job.keep) }
}

export function isAbsolutePath(path) {
  return typeof path === 'string' && path.startsWith('/')
}

// lines splits a textarea into its non-empty trimmed lines.
export function lines(text) {
  return String(text ?? '')
    .split('\n')
    .map((l) => l.trim())
    .filter(Boolean)
}

// words splits a list typed with spaces, commas or newlines.
export function words(text) {
  return String(text ?? '')
    .split(/[\s,]+/)
    .filter(Boolean)
}

// hooks reads one command per line and splits each on spaces into argv. No
// shell runs it, so there is no quoting to honour.
export function hooks(text) {
  return lines(text).map((line) => line.split(/\s+/))
}

export function newJobForm() {
  return {
    server: '',
    name: defaultJobName('files'),
    kind: 'files',
    paths: DEFAULT_PATHS,
    excludes: '',
    oneFileSystem: false,
    compression: DEFAULT_COMPRESSION,
    mysql: { databases: '', defaultsFile: '' },
    postgres: { databases: '', host: '', port: '', user: '', passFile: '', osUser: '' },
    mongo: { database: '', uriFile: '' },
    docker: { containers: '', stopDuring: false },
    lvm: { volumeGroup: '', volume: '', snapshotSize: '' },
    flx: { profile: 'flexpbx', type: 'flx', sanitize: true },
    pre: '',
    post: '',
    schedule: { mode: 'daily', time: '03:00', day: 1, cron: '', zoneOn: false, zone: '' },
    keep: { withinCount: '', withinUnit: 'd', ...pick(DEFAULT_KEEP, KEEP_COUNTS) },
    notifySuccess: false,
  }
}

function pick(object, keys) {
  return Object.fromEntries(keys.map((k) => [k, object[k]]))
}

// Only the fields a value was typed in are sent: Go leaves the rest out too.
function compact(object) {
  return Object.fromEntries(
    Object.entries(object).filter(([, v]) => v !== '' && v !== 0 && v !== false && v != null && !(Array.isArray(v) && !v.length)),
  )
}

// buildSpec is the spec object CreateJob takes for the form's kind.
export function buildSpec(form) {
  const spec = { kind: form.kind, compression: form.compression }
  if (form.kind === 'files') {
    Object.assign(spec, { paths: lines(form.paths), excludes: lines(form.excludes), one_file_system: form.oneFileSystem })
  } else if (form.kind === 'mysql') {
    spec.mysql = compact({ databases: words(form.mysql.databases), defaults_file: form.mysql.defaultsFile.trim() })
  } else if (form.kind === 'postgres') {
    const p = form.postgres
    spec.postgres = compact({
      databases: words(p.databases),
      host: p.host.trim(),
      port: Number(p.port) || 0,
      user: p.user.trim(),
      pass_file: p.passFile.trim(),
      os_user: p.osUser.trim(),
    })
  } else if (form.kind === 'mongo') {
    spec.mongo = compact({ database: form.mongo.database.trim(), uri_file: form.mongo.uriFile.trim() })
  } else if (form.kind === 'docker') {
    spec.docker = compact({ containers: words(form.docker.containers), stop_during: form.docker.stopDuring })
  } else if (form.kind === 'lvm') {
    const l = form.lvm
    spec.lvm = compact({ volume_group: l.volumeGroup.trim(), volume: l.volume.trim(), snapshot_size: l.snapshotSize.trim() })
  } else if (form.kind === 'flx') {
    // A snapshot, not a borg archive: no compression, no hooks (Go refuses them).
    return { kind: 'flx', flx: compact({ profile: form.flx.profile, type: form.flx.type, keep_secrets: !form.flx.sanitize }) }
  }
  return compact({ ...spec, pre: hooks(form.pre), post: hooks(form.post) })
}

// buildKeep is the retention object CreateJob takes; zero counts are left out.
export function buildKeep(keep) {
  const within = Number(keep.withinCount) > 0 ? `${Number(keep.withinCount)}${keep.withinUnit}` : ''
  return compact({ within, ...Object.fromEntries(KEEP_COUNTS.map((k) => [k, Math.max(0, Math.floor(Number(keep[k]) || 0))])) })
}

// checkWhat finds the obvious mistakes of the What step before Go is asked:
// field → message key. Empty when the step may go on.
export function checkWhat(form) {
  const errors = {}
  if (!form.server) errors.server = 'jobs.wizard.errors.server'
  if (!form.name) errors.name = 'jobs.wizard.errors.nameRequired'
  else if (!isValidServerName(form.name)) errors.name = 'jobs.wizard.errors.nameInvalid'
  const absolute = (field, value) => {
    if (value.trim() && !isAbsolutePath(value.trim())) errors[field] = 'jobs.wizard.errors.absolute'
  }
  if (form.kind === 'files') {
    const paths = lines(form.paths)
    if (!paths.length) errors.paths = 'jobs.wizard.errors.pathsRequired'
    else if (!paths.every(isAbsolutePath)) errors.paths = 'jobs.wizard.errors.pathsAbsolute'
  } else if (form.kind === 'mysql') {
    absolute('mysql.defaultsFile', form.mysql.defaultsFile)
  } else if (form.kind === 'postgres') {
    absolute('postgres.passFile', form.postgres.passFile)
    const port = form.postgres.port
    if (String(port).trim() && !(Number.isInteger(Number(port)) && port > 0 && port < 65536)) {
      errors['postgres.port'] = 'jobs.wizard.errors.port'
    }
  } else if (form.kind === 'mongo') {
    absolute('mongo.uriFile', form.mongo.uriFile)
  } else if (form.kind === 'docker') {
    if (!words(form.docker.containers).length) errors['docker.containers'] = 'jobs.wizard.errors.containers'
  } else if (form.kind === 'lvm') {
    if (!form.lvm.volumeGroup.trim()) errors['lvm.volumeGroup'] = 'jobs.wizard.errors.required'
    if (!form.lvm.volume.trim()) errors['lvm.volume'] = 'jobs.wizard.errors.required'
    if (form.lvm.snapshotSize.trim() && !/^\d+(\.\d+)?[bBsSkKmMgGtTpPeE%]?$/.test(form.lvm.snapshotSize.trim())) {
      errors['lvm.snapshotSize'] = 'jobs.wizard.errors.snapshotSize'
    }
  }
  for (const field of form.kind === 'flx' ? [] : ['pre', 'post']) {
    if (!hooks(form[field]).every((argv) => isAbsolutePath(argv[0]))) errors[field] = 'jobs.wizard.errors.hook'
  }
  return errors
}

// checkKeep: counts are whole numbers from 0; a within period is one too.
export function checkKeep(keep) {
  const errors = {}
  for (const k of [...KEEP_COUNTS, 'withinCount']) {
    const v = keep[k]
    if (v !== '' && v != null && !(Number.isInteger(Number(v)) && Number(v) >= 0)) errors[k] = 'jobs.wizard.errors.count'
  }
  return errors
}

// jobInput is exactly what the wizard hands to CreateJob.
export function jobInput(form, schedule) {
  const input = { server: form.server, name: form.name, spec: buildSpec(form), schedule, keep: buildKeep(form.keep) }
  // notify_success is sent only when asked for (Go's default is false).
  return form.notifySuccess ? { ...input, notify_success: true } : input
}

export function isKeepEmpty(keep) {
  return !keep?.within && KEEP_COUNTS.every((k) => !keep?.[k])
}

const WITHIN = /^(\d+)([HdwmyY])$/
const WITHIN_UNIT_NAMES = { H: 'hour', d: 'day', w: 'week', m: 'month', y: 'year', Y: 'year' }

// formatWithin says a --keep-within period in words ("2 days", "48 hours").
export function formatWithin(within, locale) {
  const m = WITHIN.exec(String(within ?? ''))
  if (!m) return String(within ?? '')
  return new Intl.NumberFormat(locale, { style: 'unit', unit: WITHIN_UNIT_NAMES[m[2]], unitDisplay: 'long' }).format(Number(m[1]))
}

// keepSummary is the short form for tables: "7 daily, 4 weekly, 6 monthly".
export function keepSummary(keep, t, locale) {
  if (isKeepEmpty(keep)) return t('retention.everything')
  const parts = []
  if (keep.within) parts.push(t('retention.within', { period: formatWithin(keep.within, locale) }))
  for (const k of KEEP_COUNTS) if (keep[k]) parts.push(t(`retention.${k}`, { n: keep[k] }))
  return parts.join(', ')
}

// keepSentence says a retention policy in plain words for the wizard and
// the job page.
export function keepSentence(keep, t, locale) {
  if (isKeepEmpty(keep)) return t('retention.plainNone')
  const sentences = []
  if (keep.within) sentences.push(t('retention.plainWithin', { period: formatWithin(keep.within, locale) }))
  const periods = KEEP_COUNTS.filter((k) => keep[k]).map((k) => t(`retention.periods.${k}`, { n: keep[k] }, keep[k]))
  if (periods.length) {
    const list = new Intl.ListFormat(locale, { style: 'long', type: 'conjunction' }).format(periods)
    sentences.push(t('retention.plainCounts', { periods: list }))
  }
  sentences.push(t('retention.plainAfter'))
  return sentences.join(' ')
}

// specTargets names what a job backs up, for a line under its name: the
// paths, databases, containers or logical volume. [] for "all databases".
export function specTargets(spec) {
  switch (spec?.kind) {
    case 'files':
      return spec.paths ?? []
    case 'mysql':
      return spec.mysql?.databases ?? []
    case 'postgres':
      return spec.postgres?.databases ?? []
    case 'mongo':
      return spec.mongo?.database ? [spec.mongo.database] : []
    case 'docker':
      return spec.docker?.containers ?? []
    case 'lvm':
      return spec.lvm ? [`${spec.lvm.volume_group}/${spec.lvm.volume}`] : []
    case 'flx':
      return spec.flx ? [`${spec.flx.profile} .${spec.flx.type || 'flx'}`] : []
    default:
      return []
  }
}

export const DATABASE_KINDS = Object.freeze(['mysql', 'postgres', 'mongo'])
