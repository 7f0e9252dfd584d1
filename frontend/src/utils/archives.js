// Pure helpers for the archives lists of the Archives and Restore pages.

const collators = new Map()
function collator(locale) {
  const key = String(locale ?? '')
  if (!collators.has(key)) collators.set(key, new Intl.Collator(key || undefined, { numeric: true, sensitivity: 'base' }))
  return collators.get(key)
}

// naturalCompare orders names as people count: page2 before page10.
export function naturalCompare(a, b, locale) {
  return collator(locale).compare(String(a ?? ''), String(b ?? ''))
}

// ARCHIVE_SORTS are the orders the table offers: newest first, or by name.
export const ARCHIVE_SORTS = Object.freeze(['time', 'name'])

// sortArchives orders archives ({ name, date }) newest first, or by name in
// natural order; ties fall back to the other key, so the order is stable.
export function sortArchives(list, by = 'time', locale) {
  const time = (a) => a.date?.getTime() ?? 0
  const byName = (a, b) => naturalCompare(a.name, b.name, locale)
  const byTime = (a, b) => time(b) - time(a)
  return [...(list ?? [])].sort(by === 'name' ? (a, b) => byName(a, b) || byTime(a, b) : (a, b) => byTime(a, b) || byName(a, b))
}

// archiveJobs lists the job names archives were made by, in natural order.
export function archiveJobs(list, locale) {
  return [...new Set((list ?? []).map((a) => a.job).filter(Boolean))].sort((a, b) => naturalCompare(a, b, locale))
}

// filterArchives keeps the archives of one job ('' keeps all).
export function filterArchives(list, job) {
  return job ? (list ?? []).filter((a) => a.job === job) : [...(list ?? [])]
}
