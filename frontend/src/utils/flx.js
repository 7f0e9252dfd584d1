// Pure helpers for .flx/.flxx snapshots: what OpenFlx, DiffFlx, RestoreFlx
// and the tasks behind them send, read for the restore view.
import { parseArchiveTime } from './runs.js'

export const MODES = Object.freeze(['merge', 'fresh', 'migrate'])
export const DEFAULT_MODE = 'merge'
export const PROFILES = Object.freeze(['etc', 'flexpbx'])
export const TYPES = Object.freeze(['flx', 'flxx'])

// A task's status, in the order Go moves it; the last three are final.
const TASK_STEPS = ['queued', 'dispatched', 'running', 'succeeded', 'failed', 'cancelled']
const FINAL = ['succeeded', 'failed', 'cancelled']

export function isTaskDone(status) {
  return FINAL.includes(status)
}

// laterStatus keeps the furthest of two statuses, so an answer that was on
// its way while an event said more never moves a task back.
export function laterStatus(a, b) {
  if (isTaskDone(a)) return a
  if (isTaskDone(b)) return b
  return TASK_STEPS.indexOf(b) > TASK_STEPS.indexOf(a) ? b : a || b || ''
}

// parseJSON reads a task's result or progress, which Go sends embedded (an
// object) or as JSON text; anything unreadable is null.
export function parseJSON(value) {
  if (value == null || value === '') return null
  if (typeof value === 'object') return value
  try {
    return JSON.parse(value)
  } catch {
    return null
  }
}

export function basename(path) {
  const parts = String(path ?? '').split(/[/\\]/).filter(Boolean)
  return parts.at(-1) ?? ''
}

// flxType tells .flx (system_config) from .flxx (extended): the snapshot's
// own word first, the file name after.
export function flxType(file) {
  const kind = file?.inspection?.meta?.backup_type
  if (kind === 'extended') return 'flxx'
  if (kind === 'system_config') return 'flx'
  return /\.flxx(\.gz)?$/i.test(file?.name ?? '') ? 'flxx' : 'flx'
}

// FlexPBX writes "2025-03-14 09:26:53" without a zone (the machine's local
// time); Borgdesk writes RFC 3339.
export function parseCreated(value) {
  return parseArchiveTime(value)
}

// redactionState: 'secrets' when the snapshot was made without sanitizing,
// 'none' when sanitizing found nothing, 'redacted' when it has a report.
export function redactionState(meta) {
  if (meta?.sensitive_data_included) return 'secrets'
  return meta?.redaction_report?.length ? 'redacted' : 'none'
}

export function includedParts(meta) {
  return Object.entries(meta?.includes ?? {})
    .filter(([, on]) => on)
    .map(([name]) => name)
    .sort()
}

// The actions a restore reports, in the order they matter to a reader: what
// is written or removed first, what stays last.
export const ACTIONS = Object.freeze(['create', 'overwrite', 'remove', 'keep (user data)', 'unchanged'])

// actionSlug makes an action usable in a key or a test id ("keep (user
// data)" → "keep").
export function actionSlug(action) {
  return String(action ?? '').split(' ')[0]
}

// restoreCounts lists every action with its count, zeros included, then any
// action this build does not know.
export function restoreCounts(result) {
  const counts = result?.counts ?? {}
  const known = ACTIONS.map((action) => ({ action, count: Number(counts[action] ?? 0) }))
  const extra = Object.keys(counts)
    .filter((a) => !ACTIONS.includes(a))
    .map((action) => ({ action, count: Number(counts[action]) }))
  return [...known, ...extra]
}

// listedChanges: every change but the unchanged files, in ACTIONS order then
// by path; unchanged is how many were left out.
export function listedChanges(result) {
  const all = result?.changes ?? []
  const rank = (a) => (ACTIONS.includes(a) ? ACTIONS.indexOf(a) : ACTIONS.length)
  const shown = all
    .filter((c) => c.action !== 'unchanged')
    .sort((a, b) => rank(a.action) - rank(b.action) || String(a.path).localeCompare(String(b.path)))
  return { shown, unchanged: all.length - shown.length }
}

export function undoCommand(rollback) {
  return `borgdesk-agent flx restore --rollback ${rollback}`
}

export const DIFF_STATUSES = Object.freeze(['changed', 'only in snapshot', 'only in target'])

// diffGroups sorts DiffFlx's entries by status, each list by path.
export function diffGroups(entries) {
  const groups = Object.fromEntries(DIFF_STATUSES.map((s) => [s, []]))
  for (const e of entries ?? []) (groups[e.status] ??= []).push(e.path)
  for (const list of Object.values(groups)) list.sort()
  return groups
}

// A Unix account name as useradd takes it; Go and the agent check that it
// exists.
const USER = /^[a-z_][a-z0-9_.-]{0,31}\$?$/i

export function userProblem(mode, user) {
  const name = String(user ?? '').trim()
  if (!name) return mode === 'migrate' ? 'required' : ''
  return USER.test(name) ? '' : 'invalid'
}

// restoreRequest is what RestoreFlx takes: the account (needed for
// migrate; for merge and fresh the one whose home gets a FlexPBX
// snapshot's home files, '' to let the agent find it), the folder to
// restore under ('' for the server's own root).
export function restoreRequest({ id, server, mode = DEFAULT_MODE, user = '', dryRun = false, root = '' }) {
  return {
    id: String(id),
    server: String(server),
    mode,
    user: String(user ?? '').trim(),
    dry_run: Boolean(dryRun),
    root: String(root ?? '').trim(),
  }
}

// rootProblem says what is wrong with a target root: '' (the server's own
// root) or an absolute folder.
export function rootProblem(root) {
  const r = String(root ?? '').trim()
  return r && !r.startsWith('/') ? 'absolute' : ''
}

// buildTree turns the snapshot's flat file list into directories, each with
// the bytes and files below it. Absolute ("/etc/x") and relative ("etc/x")
// paths land in the same tree.
export function buildTree(files) {
  const root = { name: '', path: '', dirs: new Map(), files: [], size: 0, count: 0 }
  for (const f of files ?? []) {
    const parts = String(f.path ?? '').split('/').filter(Boolean)
    if (!parts.length) continue
    let dir = root
    const size = Number(f.size) || 0
    root.size += size
    root.count++
    for (const name of parts.slice(0, -1)) {
      if (!dir.dirs.has(name)) {
        dir.dirs.set(name, { name, path: `${dir.path}${name}/`, dirs: new Map(), files: [], size: 0, count: 0 })
      }
      dir = dir.dirs.get(name)
      dir.size += size
      dir.count++
    }
    dir.files.push({ ...f, name: parts.at(-1) })
  }
  return root
}

// A directory holding one directory and no file is shown as one row
// ("etc/asterisk"), so a deep tree does not start with empty steps.
function collapsed(dir) {
  let d = dir
  let name = d.name
  while (d.files.length === 0 && d.dirs.size === 1) {
    d = [...d.dirs.values()][0]
    name = `${name}/${d.name}`
  }
  return { dir: d, name }
}

// treeRows flattens the tree into the rows to show: a directory's content
// only when isOpen(path) says it is expanded. Directories come first, then
// files, each by name.
export function treeRows(root, isOpen) {
  const rows = []
  const byName = (a, b) => a.name.localeCompare(b.name)
  const walk = (dir, depth) => {
    for (const child of [...dir.dirs.values()].sort(byName)) {
      const { dir: d, name } = collapsed(child)
      const open = isOpen(d.path, depth)
      rows.push({ type: 'dir', key: d.path, path: d.path, name, depth, size: d.size, count: d.count, open })
      if (open) walk(d, depth + 1)
    }
    for (const f of [...dir.files].sort(byName)) {
      rows.push({ type: 'file', key: f.path, path: f.path, name: f.name, depth, size: f.size, mode: f.mode ?? '', owner: f.owner ?? '', mtime: f.mtime ?? '' })
    }
  }
  walk(root, 0)
  return rows
}
