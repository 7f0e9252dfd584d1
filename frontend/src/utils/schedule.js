// Cron schedules as Go's scheduler reads them (robfig/cron: five fields or a
// @descriptor, optionally after CRON_TZ=Area/City). Pure functions: the
// wizard builds and checks a schedule with them, the tables describe one.
// Go stays the authority: a schedule it refuses is shown with its words.

export const SCHEDULE_MODES = Object.freeze(['manual', 'hourly', 'daily', 'weekly', 'custom'])

// Days as cron numbers them (0 is Sunday), in the order a week is shown.
export const WEEK_DAYS = Object.freeze([1, 2, 3, 4, 5, 6, 0])

const TIME = /^([01]?\d|2[0-3]):([0-5]\d)$/
const TZ_PREFIX = /^(?:CRON_TZ|TZ)=(\S+)\s+/

// presetCron turns a preset into cron text: hourly at minute 0, daily at a
// time, weekly on a day at a time. '' when the time or day is not valid.
export function presetCron(mode, { time = '03:00', day = 1 } = {}) {
  if (mode === 'hourly') return '0 * * * *'
  const m = TIME.exec(String(time))
  if (!m) return ''
  const [hour, minute] = [Number(m[1]), Number(m[2])]
  if (mode === 'daily') return `${minute} ${hour} * * *`
  if (mode === 'weekly' && Number.isInteger(Number(day)) && day >= 0 && day <= 6) return `${minute} ${hour} * * ${day}`
  return ''
}

// withTimeZone puts a CRON_TZ= prefix before a schedule; no zone, no prefix.
export function withTimeZone(cron, zone) {
  const expr = String(cron ?? '').trim()
  const tz = String(zone ?? '').trim()
  if (!expr) return ''
  return tz ? `CRON_TZ=${tz} ${expr}` : expr
}

// splitTimeZone separates "CRON_TZ=Europe/Paris 0 3 * * *" into its zone and cron.
export function splitTimeZone(expr) {
  const text = String(expr ?? '').trim()
  const m = TZ_PREFIX.exec(text)
  return m ? { zone: m[1], cron: text.slice(m[0].length).trim() } : { zone: '', cron: text }
}

// The zone the browser runs in, which is the coordinator's own on a desktop.
export function browserTimeZone() {
  try {
    return Intl.DateTimeFormat().resolvedOptions().timeZone || ''
  } catch {
    return ''
  }
}

// A zone name the browser knows. Go loads zones from the system's database,
// which knows the same Area/City names.
export function isKnownTimeZone(zone) {
  try {
    new Intl.DateTimeFormat('en', { timeZone: zone })
    return Boolean(zone)
  } catch {
    return false
  }
}

const FIELDS = Object.freeze([
  { name: 'minute', min: 0, max: 59 },
  { name: 'hour', min: 0, max: 23 },
  { name: 'dom', min: 1, max: 31 },
  { name: 'month', min: 1, max: 12, names: ['jan', 'feb', 'mar', 'apr', 'may', 'jun', 'jul', 'aug', 'sep', 'oct', 'nov', 'dec'] },
  { name: 'dow', min: 0, max: 6, names: ['sun', 'mon', 'tue', 'wed', 'thu', 'fri', 'sat'] },
])

const DESCRIPTORS = ['@yearly', '@annually', '@monthly', '@weekly', '@daily', '@midnight', '@hourly']
const EVERY = /^@every\s+(\d+(\.\d+)?(ns|us|µs|ms|s|m|h))+$/

function value(text, field) {
  if (/^\d+$/.test(text)) return Number(text)
  const i = field.names?.indexOf(text.toLowerCase()) ?? -1
  return i === -1 ? NaN : field.min + i
}

function validRange(text, field) {
  if (text === '*' || text === '?') return true
  const [from, to, ...rest] = text.split('-')
  if (rest.length) return false
  const lo = value(from, field)
  const hi = to === undefined ? lo : value(to, field)
  return Number.isInteger(lo) && Number.isInteger(hi) && lo >= field.min && hi <= field.max && lo <= hi
}

function validField(text, field) {
  return text.split(',').every((part) => {
    const [range, step, ...rest] = part.split('/')
    if (rest.length || range === '') return false
    if (step !== undefined && !/^[1-9]\d*$/.test(step)) return false
    return validRange(range, field)
  })
}

// checkCron says what is wrong with a cron expression, or null when Go's
// parser will take it: { problem: 'empty' | 'fields' | 'field' | 'zone', field?, zone? }.
export function checkCron(expr) {
  const { zone, cron } = splitTimeZone(expr)
  if (zone && !isKnownTimeZone(zone)) return { problem: 'zone', zone }
  if (!cron) return { problem: 'empty' }
  if (cron.startsWith('@')) {
    return DESCRIPTORS.includes(cron.toLowerCase()) || EVERY.test(cron) ? null : { problem: 'descriptor' }
  }
  const parts = cron.split(/\s+/)
  if (parts.length !== FIELDS.length) return { problem: 'fields', count: parts.length }
  const bad = FIELDS.findIndex((field, i) => !validField(parts[i], field))
  return bad === -1 ? null : { problem: 'field', field: FIELDS[bad].name, text: parts[bad] }
}

// parseSchedule reads a schedule into the shape the humanizer knows, or null
// when it is not one of the simple shapes (a list of days is one; a list of
// hours is not).
export function parseSchedule(expr) {
  const { zone, cron } = splitTimeZone(expr)
  if (!cron) return { kind: 'manual', zone }
  const descriptor = {
    '@hourly': '0 * * * *',
    '@daily': '0 0 * * *',
    '@midnight': '0 0 * * *',
    '@weekly': '0 0 * * 0',
    '@monthly': '0 0 1 * *',
  }[cron.toLowerCase()]
  const every = /^@every\s+(\d+)(m|h)$/.exec(cron)
  if (every) {
    const n = Number(every[1])
    return every[2] === 'm' ? { kind: 'minutes', n, zone } : { kind: 'hours', n, minute: null, zone }
  }
  const parts = (descriptor ?? cron).split(/\s+/)
  if (parts.length !== 5 || checkCron(cron.startsWith('@') ? descriptor ?? '' : cron)) return null
  const [min, hour, dom, month, dow] = parts
  const num = (s) => (/^\d+$/.test(s) ? Number(s) : null)
  const anyDay = dom === '*' || dom === '?'
  const anyDow = dow === '*' || dow === '?'
  if (month !== '*' || !(anyDay || anyDow)) return null

  const step = /^\*\/(\d+)$/.exec(min)
  if (hour === '*' && anyDay && anyDow) {
    if (min === '*') return { kind: 'minutes', n: 1, zone }
    if (step) return { kind: 'minutes', n: Number(step[1]), zone }
    if (num(min) !== null) return { kind: 'hours', n: 1, minute: num(min), zone }
    return null
  }
  const hourStep = /^\*\/(\d+)$/.exec(hour)
  if (hourStep && num(min) !== null && anyDay && anyDow) return { kind: 'hours', n: Number(hourStep[1]), minute: num(min), zone }
  if (num(min) === null || num(hour) === null) return null
  const time = `${String(num(hour)).padStart(2, '0')}:${String(num(min)).padStart(2, '0')}`
  if (anyDay && anyDow) return { kind: 'daily', time, zone }
  if (!anyDay) return num(dom) === null ? null : { kind: 'monthly', day: num(dom), time, zone }
  const days = dowList(dow)
  return days ? { kind: 'weekly', days, time, zone } : null
}

// dowList expands "1", "1-5" or "1,3,5" (or their names) into day numbers.
function dowList(text) {
  const field = FIELDS[4]
  const days = new Set()
  for (const part of text.split(',')) {
    if (part.includes('/')) return null
    const [from, to] = part.split('-')
    const lo = value(from, field)
    const hi = to === undefined ? lo : value(to, field)
    for (let d = lo; d <= hi; d++) days.add(d)
  }
  return [...days].sort((a, b) => WEEK_DAYS.indexOf(a) - WEEK_DAYS.indexOf(b))
}

// weekdayName names a cron day (0 Sunday … 6 Saturday) in the locale.
export function weekdayName(day, locale, width = 'long') {
  // 2026-11-22 was a Sunday.
  const date = new Date(Date.UTC(2026, 10, 22 + Number(day), 12))
  return new Intl.DateTimeFormat(locale, { weekday: width, timeZone: 'UTC' }).format(date)
}

function listOf(items, locale) {
  return new Intl.ListFormat(locale, { style: 'long', type: 'conjunction' }).format(items)
}

// describeSchedule says a schedule in words ("every 5 minutes", "daily at
// 03:00"), or gives its cron text back when it is not a simple one. t is
// vue-i18n's translate function, so this stays a plain function.
export function describeSchedule(expr, t, locale) {
  const parsed = parseSchedule(expr)
  if (!parsed) return String(expr ?? '').trim()
  const text = phrase(parsed, t, locale)
  return parsed.zone && parsed.kind !== 'manual' ? t('schedule.inZone', { schedule: text, zone: parsed.zone }) : text
}

function phrase(p, t, locale) {
  switch (p.kind) {
    case 'manual':
      return t('schedule.manual')
    case 'minutes':
      return p.n === 1 ? t('schedule.everyMinute') : t('schedule.everyMinutes', { n: p.n })
    case 'hours':
      if (p.n === 1) return p.minute ? t('schedule.hourlyAt', { minute: String(p.minute).padStart(2, '0') }) : t('schedule.hourly')
      return t('schedule.everyHours', { n: p.n })
    case 'daily':
      return t('schedule.daily', { time: p.time })
    case 'monthly':
      return t('schedule.monthly', { day: p.day, time: p.time })
    default: {
      const weekdays = p.days.length === 5 && [1, 2, 3, 4, 5].every((d) => p.days.includes(d))
      if (weekdays) return t('schedule.weekdays', { time: p.time })
      if (p.days.length === 7) return t('schedule.daily', { time: p.time })
      return t('schedule.weekly', { days: listOf(p.days.map((d) => weekdayName(d, locale)), locale), time: p.time })
    }
  }
}

// scheduleFromForm is the schedule the wizard's When step sends to Go:
// '' for manual runs only, else the cron text with its time zone prefix.
export function scheduleFromForm({ mode, time, day, cron, zoneOn, zone }) {
  if (mode === 'manual') return ''
  const text = mode === 'custom' ? splitTimeZone(cron).cron : presetCron(mode, { time, day })
  const inline = mode === 'custom' ? splitTimeZone(cron).zone : ''
  return withTimeZone(text, zoneOn ? zone : inline)
}
