// A job's life after it was created, as the window sees it: the wizard's
// form filled from GetJobInput for an edit (and the input EditJob gets back,
// with every field the form does not show kept as it was), the changes Go
// lists before an edit is applied, and the fleet's next runs. Pure
// functions; Go checks, diffs and computes every schedule.
import { KEEP_COUNTS, WITHIN_UNITS, buildKeep, buildSpec, newJobForm } from './jobs.js'
import { scheduleForm } from './schedule.js'

const join = (list, sep) => (Array.isArray(list) ? list.join(sep) : '')
const str = (v) => (v == null ? '' : String(v))

// The fields of each kind's part of the spec that the form shows. Any other
// (mysql host and port, lvm paths, set by the CLI) is kept by editInput.
const SHOWN = {
  files: ['kind', 'compression', 'paths', 'excludes', 'one_file_system', 'pre', 'post'],
  mysql: ['databases', 'defaults_file'],
  postgres: ['databases', 'host', 'port', 'user', 'pass_file', 'os_user'],
  mongo: ['database', 'uri_file'],
  docker: ['containers', 'stop_during'],
  lvm: ['volume_group', 'volume', 'snapshot_size'],
  flx: ['profile', 'type', 'keep_secrets'],
}
const TOP = ['kind', 'compression', 'paths', 'excludes', 'one_file_system', 'pre', 'post', 'mysql', 'postgres', 'mongo', 'docker', 'lvm', 'flx']

// formFromInput is the wizard's form for a job as GetJobInput sends it
// (jobs.Input: server name, name, spec, schedule, keep, notify_success);
// serverUuid is the job's server, which the form names by uuid.
// notify_success has no field in the steps yet: it is carried as it was.
export function formFromInput(input, serverUuid) {
  const spec = input?.spec ?? {}
  const form = newJobForm()
  const m = spec.mysql ?? {}
  const p = spec.postgres ?? {}
  const g = spec.mongo ?? {}
  const d = spec.docker ?? {}
  const l = spec.lvm ?? {}
  const x = spec.flx ?? {}
  Object.assign(form, {
    server: serverUuid,
    name: str(input?.name),
    kind: str(spec.kind),
    paths: join(spec.paths, '\n'),
    excludes: join(spec.excludes, '\n'),
    oneFileSystem: Boolean(spec.one_file_system),
    compression: str(spec.compression),
    mysql: { databases: join(m.databases, ' '), defaultsFile: str(m.defaults_file) },
    postgres: { databases: join(p.databases, ' '), host: str(p.host), port: p.port ? String(p.port) : '', user: str(p.user), passFile: str(p.pass_file), osUser: str(p.os_user) },
    mongo: { database: str(g.database), uriFile: str(g.uri_file) },
    docker: { containers: join(d.containers, ' '), stopDuring: Boolean(d.stop_during) },
    lvm: { volumeGroup: str(l.volume_group), volume: str(l.volume), snapshotSize: str(l.snapshot_size) },
    flx: { profile: str(x.profile) || form.flx.profile, type: str(x.type) || 'flx', sanitize: !x.keep_secrets },
    pre: (spec.pre ?? []).map((argv) => argv.join(' ')).join('\n'),
    post: (spec.post ?? []).map((argv) => argv.join(' ')).join('\n'),
    schedule: scheduleForm(input?.schedule),
    keep: keepForm(input?.keep),
    notifySuccess: Boolean(input?.notify_success),
  })
  return form
}

// keepForm is the Keep step's fields for a retention policy.
export function keepForm(keep) {
  const k = keep ?? {}
  const within = /^(\d+)([A-Za-z])$/.exec(str(k.within))
  const unit = within && WITHIN_UNITS.includes(within[2]) ? within[2] : within?.[2] === 'Y' ? 'y' : 'd'
  return { withinCount: within ? within[1] : '', withinUnit: unit, ...Object.fromEntries(KEEP_COUNTS.map((c) => [c, Number(k[c]) || 0])) }
}

// editInput is what EditJob gets: the form as CreateJob would get it, plus
// the parts of the original spec the form does not show, unchanged, so an
// edit never drops what it cannot display.
export function editInput(form, schedule, original) {
  const spec = buildSpec(form)
  const before = original?.spec ?? {}
  for (const [key, value] of Object.entries(before)) {
    if (!TOP.includes(key) && !(key in spec)) spec[key] = value
  }
  const part = before[form.kind]
  if (part && typeof part === 'object' && SHOWN[form.kind]) {
    const kept = Object.fromEntries(Object.entries(part).filter(([k]) => !SHOWN[form.kind].includes(k)))
    if (Object.keys(kept).length) spec[form.kind] = { ...kept, ...(spec[form.kind] ?? {}) }
  }
  // version: the job as it was opened, so a save over someone else's is refused (Go).
  const version = original?.version ? { version: original.version } : {}
  return { server: original?.server ?? '', name: form.name, spec, schedule, keep: buildKeep(form.keep), notify_success: Boolean(form.notifySuccess), ...version }
}

// changeValue shows one side of a change as Go sent it (JSON text, or a
// word such as "(none)"): a list of strings as its items, a string without
// its quotes, anything else as sent.
export function changeValue(text) {
  const raw = str(text)
  try {
    const v = JSON.parse(raw)
    if (typeof v === 'string') return v
    if (Array.isArray(v) && v.every((x) => typeof x === 'string')) return v.join(', ')
    if (Array.isArray(v) && v.every((x) => Array.isArray(x))) return v.map((argv) => argv.join(' ')).join('; ')
    return raw
  } catch {
    return raw
  }
}

// changeLabel is the message key that names a changed field ("spec.paths",
// "keep.daily", "schedule"); a field this build does not name is shown as Go
// spells it (te tells whether a key exists).
export function changeLabel(field, t, te) {
  const key = `jobs.edit.fields.${str(field).replaceAll('.', '_')}`
  return te(key) ? t(key) : str(field)
}

// nextRuns lists the fleet's next runs from Go's next_run of each job,
// soonest first: jobs that are paused, run by hand or have no next run are
// left out.
export function nextRuns(jobs, limit = 8) {
  return (jobs ?? [])
    .filter((j) => j.enabled && j.schedule && j.next_run && !Number.isNaN(Date.parse(j.next_run)))
    .sort((a, b) => Date.parse(a.next_run) - Date.parse(b.next_run) || String(a.name).localeCompare(String(b.name)))
    .slice(0, limit)
}

// pausedJobs are the jobs whose own schedule is paused.
export function pausedJobs(jobs) {
  return (jobs ?? []).filter((j) => j.enabled === false)
}
