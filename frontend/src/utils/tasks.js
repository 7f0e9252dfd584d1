// The task history: agent tasks (as `borgdesk task list` shows them) and
// restore drills in one list, newest first, each with what it did. Pure
// functions shared by the tasks store and the Tasks page.
import { formatNumber, parseTime } from './format.js'
import { formatIEC } from './eventText.js'

// Categories the page filters on, by task type.
const CATEGORIES = Object.freeze({
  restore: 'restore',
  'db-restore': 'restore',
  'flx-restore': 'restore',
  'flx-backup': 'flx',
  'flx-diff': 'flx',
  drill: 'drill',
  backup: 'backup',
})
export const TASK_CATEGORIES = Object.freeze(['all', 'restore', 'drill', 'flx', 'backup', 'other'])

export function taskCategory(type) {
  return CATEGORIES[type] ?? 'other'
}

const time = (v) => parseTime(v)?.getTime() ?? 0

// historyEntries merges tasks and drills, newest first.
export function historyEntries(tasks, drills) {
  const fromTasks = (tasks ?? []).map((t) => ({
    key: `task-${t.id}`,
    source: 'task',
    id: t.id,
    type: t.type,
    status: t.status,
    server_name: t.server_name,
    server_uuid: t.server_uuid,
    queued_at: t.created_at,
    started_at: t.started_at,
    finished_at: t.finished_at,
    error: t.error ?? '',
    result: t.result ?? null,
    progress: t.progress ?? null,
  }))
  const fromDrills = (drills ?? []).map((d) => ({
    key: `drill-${d.id}`,
    source: 'drill',
    id: d.id,
    type: 'drill',
    status: d.status,
    server_name: d.server_name,
    server_uuid: d.server_uuid,
    queued_at: d.started_at,
    started_at: d.started_at,
    finished_at: d.finished_at,
    error: d.error ?? '',
    result: { job: d.job_name, archive: d.archive, mode: d.mode, checked: d.checked, mismatches: d.mismatches, files: d.files },
    progress: null,
  }))
  return [...fromTasks, ...fromDrills].sort((a, b) => time(b.queued_at) - time(a.queued_at) || b.id - a.id)
}

// entryResult says what a finished entry did as an i18n key and its
// values, or null when there is nothing to say (unfinished, no result).
export function entryResult(entry, locale) {
  const r = entry?.result
  const n = (v) => formatNumber(v ?? 0, locale)
  if (!r || !['succeeded', 'passed'].includes(entry.status)) return null
  switch (entry.type) {
    case 'restore':
      return { key: 'tasks.result.restore', values: { n: n(r.files), size: formatIEC(r.bytes ?? 0, locale), to: r.to ?? '' } }
    case 'db-restore':
      return { key: 'tasks.result.dbRestore', values: { database: r.database ?? '', n: n(r.rows) } }
    case 'flx-restore': {
      const c = r.counts ?? {}
      return { key: r.dry_run ? 'tasks.result.flxDryRun' : 'tasks.result.flxRestore', values: { created: n(c.create), overwritten: n(c.overwrite) } }
    }
    case 'flx-backup':
      return { key: 'tasks.result.flxBackup', values: { name: r.name ?? '', n: n(r.file_count), size: formatIEC(r.size ?? 0, locale) } }
    case 'drill':
      return { key: 'tasks.result.drill', values: { job: r.job ?? '', archive: r.archive ?? '', n: n(r.checked) } }
    default:
      return null
  }
}
