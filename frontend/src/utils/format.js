// Formatting of values that come from Go. Times arrive as RFC 3339 strings
// or null; Go's zero time means "never" and is shown as missing. Every helper
// returns '' for a value it cannot show, so templates can fall back with ||.

export function parseTime(value) {
  if (!value) return null
  const date = new Date(value)
  if (Number.isNaN(date.getTime()) || date.getUTCFullYear() <= 1) return null
  return date
}

export function hasTime(value) {
  return parseTime(value) !== null
}

export function formatDateTime(value, locale) {
  const date = parseTime(value)
  if (!date) return ''
  return new Intl.DateTimeFormat(locale, { dateStyle: 'medium', timeStyle: 'short' }).format(date)
}

export function formatDate(value, locale) {
  const date = parseTime(value)
  if (!date) return ''
  return new Intl.DateTimeFormat(locale, { dateStyle: 'medium' }).format(date)
}

const SECOND = 1000
const MINUTE = 60 * SECOND
const HOUR = 60 * MINUTE
const DAY = 24 * HOUR

// The largest unit that keeps the number readable: "3 hours ago", not
// "180 minutes ago". Under a minute is "now": heartbeats come every few
// seconds, so counting seconds would only flicker.
const RELATIVE_STEPS = [
  { below: MINUTE, unit: 'second', size: SECOND },
  { below: HOUR, unit: 'minute', size: MINUTE },
  { below: DAY, unit: 'hour', size: HOUR },
  { below: 30 * DAY, unit: 'day', size: DAY },
  { below: 365 * DAY, unit: 'month', size: 30 * DAY },
  { below: Infinity, unit: 'year', size: 365 * DAY },
]

// formatRelative says how far value is from now ("2 minutes ago", "in 45
// days"). now is passed in so a single UI clock drives every label.
export function formatRelative(value, now, locale) {
  const date = parseTime(value)
  if (!date) return ''
  const diff = date.getTime() - Number(now)
  const rtf = new Intl.RelativeTimeFormat(locale, { numeric: 'auto' })
  const step = RELATIVE_STEPS.find((s) => Math.abs(diff) < s.below)
  if (step.unit === 'second') return rtf.format(0, 'second')
  return rtf.format(Math.trunc(diff / step.size), step.unit)
}

// daysUntil counts whole days from now to value, negative once it is past;
// null when there is no time.
export function daysUntil(value, now) {
  const date = parseTime(value)
  if (!date) return null
  return Math.floor((date.getTime() - Number(now)) / DAY)
}

const IEC = ['KiB', 'MiB', 'GiB', 'TiB', 'PiB', 'EiB']

// formatBytes uses IEC binary units, as Go and the CLI do (backend/shared/units):
// whole bytes below 1 KiB, spelled in the locale with its plural ("1 byte",
// "671 bytes", "671 octets"), then KiB, MiB, GiB… with at most one decimal.
export function formatBytes(bytes, locale) {
  const n = Number(bytes)
  if (bytes == null || bytes === '' || !Number.isFinite(n) || n < 0) return ''
  if (n < 1024) {
    return new Intl.NumberFormat(locale, { style: 'unit', unit: 'byte', unitDisplay: 'long', maximumFractionDigits: 0 }).format(Math.round(n))
  }
  let value = n / 1024
  let unit = 0
  // 1023.96 KiB would read "1,024 KiB": that is 1 MiB.
  while (value >= 1023.95 && unit < IEC.length - 1) {
    value /= 1024
    unit++
  }
  return `${new Intl.NumberFormat(locale, { maximumFractionDigits: 1 }).format(value)} ${IEC[unit]}`
}

export function formatNumber(value, locale, maximumFractionDigits = 3) {
  const n = Number(value)
  if (value == null || value === '' || !Number.isFinite(n)) return ''
  return new Intl.NumberFormat(locale, { maximumFractionDigits }).format(n)
}

// formatPercent takes a percentage (12.5 for 12.5 %), as the agent reports
// CPU use; numbers under 10 keep one decimal.
export function formatPercent(percent, locale) {
  const n = Number(percent)
  if (percent == null || percent === '' || !Number.isFinite(n)) return ''
  return new Intl.NumberFormat(locale, {
    style: 'percent',
    maximumFractionDigits: Math.abs(n) < 10 ? 1 : 0,
  }).format(n / 100)
}

// usageRatio is used/total clamped to [0, 1], or null when total is unknown.
export function usageRatio(used, total) {
  const u = Number(used)
  const t = Number(total)
  if (!Number.isFinite(u) || !Number.isFinite(t) || t <= 0) return null
  return Math.min(1, Math.max(0, u / t))
}

const DURATION_UNITS = [
  { unit: 'day', seconds: 86400 },
  { unit: 'hour', seconds: 3600 },
  { unit: 'minute', seconds: 60 },
]

// formatDuration shows an uptime with its two largest units ("12 days 4 hr"),
// leaving out a second unit that is zero ("3 days", not "3 days 0 hr").
export function formatDuration(seconds, locale) {
  const total = Math.floor(Number(seconds))
  if (seconds == null || seconds === '' || !Number.isFinite(total) || total < 0) return ''
  const counts = []
  let left = total
  for (const { unit, seconds: size } of DURATION_UNITS) {
    counts.push({ unit, count: Math.floor(left / size) })
    left %= size
  }
  const found = counts.findIndex((c) => c.count > 0)
  const first = found === -1 ? counts.length - 1 : found
  const shown = [counts[first], counts[first + 1]].filter((c, i) => c && (i === 0 || c.count > 0))
  return shown
    .map(({ unit, count }) =>
      new Intl.NumberFormat(locale, { style: 'unit', unit, unitDisplay: 'short' }).format(count),
    )
    .join(' ')
}

export function formatMilliseconds(ms, locale) {
  const n = Number(ms)
  if (ms == null || ms === '' || !Number.isFinite(n) || n < 0) return ''
  return new Intl.NumberFormat(locale, {
    style: 'unit',
    unit: 'millisecond',
    unitDisplay: 'short',
    maximumFractionDigits: n < 10 ? 1 : 0,
  }).format(n)
}
