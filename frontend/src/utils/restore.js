// Pure helpers for restoring from an archive: the request StartRestore and
// RestoreDatabase take, and what their tasks report while they run.
import { formatBytes } from './format.js'
import { formatSeconds } from './runs.js'

// What happens to a file that already exists where a restored one goes.
export const POLICIES = Object.freeze(['skip', 'overwrite', 'keep-both'])
// Keeping both loses nothing and still delivers every restored file.
export const DEFAULT_POLICY = 'keep-both'
export const DESTINATIONS = Object.freeze(['original', 'folder'])
export const DB_MODES = Object.freeze(['copy', 'replace'])

// policyKey names a policy in the locale files ("keep-both" → "keepBoth").
export function policyKey(policy) {
  return String(policy ?? '').replace(/-(\w)/g, (_, c) => c.toUpperCase())
}

// normalizePaths drops duplicates and any path a selected folder already
// holds, so a request never names a file twice.
export function normalizePaths(paths) {
  const unique = [...new Set((paths ?? []).map((p) => String(p).replace(/^\/+|\/+$/g, '')).filter(Boolean))].sort()
  return unique.filter((p) => !unique.some((q) => q !== p && p.startsWith(`${q}/`)))
}

// checkFolder says what is wrong with a destination folder: '' when it is
// usable, else 'required' or 'absolute' (the agent resolves nothing).
export function checkFolder(dir) {
  const d = String(dir ?? '').trim()
  if (!d) return 'required'
  if (!d.startsWith('/')) return 'absolute'
  return ''
}

// restoreRequest builds Go's RestoreRequest from the dialog's choices: the
// same server and the original location are sent as "".
export function restoreRequest({ server, archive, paths, destination, folder, targetServer, policy }) {
  const to = destination === 'folder' ? String(folder ?? '').trim() : ''
  return {
    server: String(server ?? ''),
    archive: String(archive ?? ''),
    paths: normalizePaths(paths),
    to,
    target_server: targetServer && targetServer !== server ? String(targetServer) : '',
    policy: POLICIES.includes(policy) ? policy : DEFAULT_POLICY,
  }
}

// dumpInfo reads a dump's path inside an archive ("postgres/app.dump"):
// its engine and the database it holds.
export function dumpInfo(dump) {
  const path = String(dump ?? '')
  const parts = path.split('/').filter(Boolean)
  const file = parts.at(-1) ?? ''
  const engine = parts.length > 1 ? parts[0] : ''
  return { path, engine, database: file.replace(/\.[^.]+$/, '') }
}

// defaultCopyName is the new database a copy restore creates:
// "<db>_restored_<yyyymmdd>", by the local date.
export function defaultCopyName(database, date = new Date()) {
  const pad = (n) => String(n).padStart(2, '0')
  return `${database}_restored_${date.getFullYear()}${pad(date.getMonth() + 1)}${pad(date.getDate())}`
}

// dbRestoreRequest builds Go's DBRestoreRequest. A replace carries what the
// operator typed to confirm; Go refuses it unless it equals the database.
export function dbRestoreRequest({ server, archive, dump, mode, copyName, confirm, targetServer }) {
  const replace = mode === 'replace'
  return {
    server: String(server ?? ''),
    archive: String(archive ?? ''),
    dump: String(dump ?? ''),
    mode: replace ? 'replace' : 'copy',
    database: replace ? dumpInfo(dump).database : String(copyName ?? '').trim(),
    confirm: replace ? String(confirm ?? '') : '',
    target_server: targetServer && targetServer !== server ? String(targetServer) : '',
  }
}

// progressRatio is how far a task is, from bytes, else files; null when
// the totals are not known yet.
export function progressRatio(progress) {
  const pairs = [
    [progress?.bytes, progress?.total_bytes],
    [progress?.files, progress?.total_files],
  ]
  for (const [done, total] of pairs) {
    const d = Number(done)
    const t = Number(total)
    if (Number.isFinite(d) && Number.isFinite(t) && t > 0) return Math.min(1, Math.max(0, d / t))
  }
  return null
}

// formatRate shows a transfer rate in the IEC units of formatBytes
// ("12.4 MiB/s", "950 bytes/s"); '' when unknown.
export function formatRate(bytesPerSec, locale) {
  const size = formatBytes(bytesPerSec, locale)
  return size ? `${size}/s` : ''
}

// formatEta shows the time left with its two largest units, rounded up so
// a restore never says "0 sec" while it still works; '' when unknown.
export function formatEta(seconds, locale) {
  const n = Number(seconds)
  if (seconds == null || seconds === '' || !Number.isFinite(n) || n < 0) return ''
  return formatSeconds(Math.ceil(n), locale)
}

// taskIdOf reads which task a task:changed record is about.
export function taskIdOf(event) {
  return Number(event?.data?.task_id ?? event?.data?.id ?? 0)
}

// resultCounts splits a file restore's result so each file is counted once:
// Go's files counts every file written, the replaced and the renamed ones
// among them; skipped ones were not written.
export function resultCounts(result) {
  const n = (v) => Math.max(0, Number(v) || 0)
  const overwritten = n(result?.overwritten)
  const renamed = n(result?.renamed)
  return [
    { key: 'written', value: Math.max(0, n(result?.files) - overwritten - renamed) },
    { key: 'overwritten', value: overwritten },
    { key: 'renamed', value: renamed },
    { key: 'skipped', value: n(result?.skipped) },
  ]
}
