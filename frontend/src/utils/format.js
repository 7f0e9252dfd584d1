// Formatting of values that come from Go. Times arrive as RFC 3339 strings;
// Go's zero time means "never" and is shown as missing.

function parseTime(value) {
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

const UNITS = ['byte', 'kilobyte', 'megabyte', 'gigabyte', 'terabyte', 'petabyte']

export function formatBytes(bytes, locale) {
  const n = Number(bytes)
  if (!Number.isFinite(n) || n < 0) return ''
  let value = n
  let unit = 0
  while (value >= 1000 && unit < UNITS.length - 1) {
    value /= 1000
    unit++
  }
  return new Intl.NumberFormat(locale, {
    style: 'unit',
    unit: UNITS[unit],
    unitDisplay: 'short',
    maximumFractionDigits: unit === 0 ? 0 : 1,
  }).format(value)
}

export function formatNumber(value, locale) {
  const n = Number(value)
  return Number.isFinite(n) ? new Intl.NumberFormat(locale).format(n) : ''
}
