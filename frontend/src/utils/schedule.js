// Cron schedules as the wizard builds them (five fields or a @descriptor,
// optionally after CRON_TZ=Area/City). Go's cron parser is the one
// authority: it checks a schedule, describes it and computes its next runs
// (DescribeSchedule, the jobs' schedule_description); these functions only
// build the text and word Go's answers.

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

// weekdayName names a cron day (0 Sunday … 6 Saturday) in the locale.
export function weekdayName(day, locale, width = 'long') {
  // 2026-11-22 was a Sunday.
  const date = new Date(Date.UTC(2026, 10, 22 + Number(day), 12))
  return new Intl.DateTimeFormat(locale, { weekday: width, timeZone: 'UTC' }).format(date)
}

function listOf(items, locale) {
  return new Intl.ListFormat(locale, { style: 'long', type: 'conjunction' }).format(items)
}

// scheduleWords says a schedule in words ("every 5 minutes", "daily at
// 03:00") from the description Go gives of it (jobs.Description: kind, every,
// minute, at, days, day, zone, expr): Go parses, the window only words it.
// A shape Go does not name is shown as its expression. t is vue-i18n's
// translate function, so this stays a plain function.
export function scheduleWords(desc, t, locale, { zone = true } = {}) {
  if (!desc?.kind || desc.kind === 'manual') return t('schedule.manual')
  const text = phrase(desc, t, locale)
  return zone && desc.zone ? t('schedule.inZone', { schedule: text, zone: desc.zone }) : text
}

const pad = (n) => String(n ?? 0).padStart(2, '0')

function phrase(d, t, locale) {
  switch (d.kind) {
    case 'every_minutes':
      return d.every === 1 ? t('schedule.everyMinute') : t('schedule.everyMinutes', { n: d.every })
    case 'hourly':
      return d.minute ? t('schedule.hourlyAt', { minute: pad(d.minute) }) : t('schedule.hourly')
    case 'every_hours':
      return d.minute ? t('schedule.everyHoursAt', { n: d.every, minute: pad(d.minute) }) : t('schedule.everyHours', { n: d.every })
    case 'daily':
      return t('schedule.daily', { time: d.at })
    case 'weekdays':
      return t('schedule.weekdays', { time: d.at })
    case 'weekly':
      return t('schedule.weekly', { days: listOf((d.days ?? []).map((day) => weekdayName(day, locale)), locale), time: d.at })
    case 'monthly':
      return t('schedule.monthly', { day: d.day, time: d.at })
    default:
      return String(d.expr ?? '')
  }
}

// isRawSchedule: Go gave no shape for it, so the words are the expression.
export function isRawSchedule(desc) {
  return Boolean(desc?.kind) && !['manual', 'every_minutes', 'hourly', 'every_hours', 'daily', 'weekdays', 'weekly', 'monthly'].includes(desc.kind)
}

// customFrom is the cron text the Cron field starts from when the operator
// leaves a preset for it: the preset's own, so it can be edited rather
// than typed again.
export function customFrom(mode, { time, day } = {}) {
  if (mode === 'manual' || mode === 'custom') return ''
  return presetCron(mode, { time, day })
}

// scheduleFromForm is the schedule the wizard's When step sends to Go:
// '' for manual runs only, else the cron text with its time zone prefix.
export function scheduleFromForm({ mode, time, day, cron, zoneOn, zone }) {
  if (mode === 'manual') return ''
  const text = mode === 'custom' ? splitTimeZone(cron).cron : presetCron(mode, { time, day })
  const inline = mode === 'custom' ? splitTimeZone(cron).zone : ''
  return withTimeZone(text, zoneOn ? zone : inline)
}

// formatSlot shows one of Go's next runs with its weekday, in the
// schedule's own zone when it has one (so "daily at 03:00" lists 03:00).
export function formatSlot(value, locale, zone = '') {
  const date = new Date(value)
  if (!value || Number.isNaN(date.getTime())) return ''
  const options = { weekday: 'short', day: 'numeric', month: 'short', year: 'numeric', hour: '2-digit', minute: '2-digit' }
  try {
    return new Intl.DateTimeFormat(locale, zone ? { ...options, timeZone: zone } : options).format(date)
  } catch {
    return new Intl.DateTimeFormat(locale, options).format(date)
  }
}

const pad2 = (n) => String(n).padStart(2, '0')

// scheduleForm is the When step's fields for a job's schedule, the reverse
// of scheduleFromForm: the presets the wizard writes are recognised by their
// text, anything else is a custom cron. It reads the text only; Go parses.
export function scheduleForm(expr) {
  const base = { mode: 'daily', time: '03:00', day: 1, cron: '', zoneOn: false, zone: '' }
  const { zone, cron } = splitTimeZone(expr)
  if (!cron) return { ...base, mode: 'manual' }
  const zoned = zone ? { zoneOn: true, zone } : {}
  if (cron === '0 * * * *') return { ...base, ...zoned, mode: 'hourly' }
  // Only as presetCron writes them (no leading zeros), so the text is kept.
  const m = /^([1-5]?\d) (1?\d|2[0-3]) \* \* (\*|[0-6])$/.exec(cron)
  if (m) {
    const time = `${pad2(Number(m[2]))}:${pad2(Number(m[1]))}`
    if (m[3] === '*') return { ...base, ...zoned, mode: 'daily', time }
    return { ...base, ...zoned, mode: 'weekly', time, day: Number(m[3]) }
  }
  return { ...base, ...zoned, mode: 'custom', cron }
}
