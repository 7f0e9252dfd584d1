import { describe, expect, it } from 'vitest'
import { createAppI18n } from '@/i18n.js'
import {
  customFrom,
  formatSlot,
  isRawSchedule,
  presetCron,
  scheduleFromForm,
  scheduleWords,
  splitTimeZone,
  weekdayName,
  withTimeZone,
} from '@/utils/schedule.js'

// desc is what Go's jobs.Describe answers (DescribeSchedule, a job's
// schedule_description): the window only words it.
const say = (locale) => {
  const { t } = createAppI18n(locale).global
  return (desc) => scheduleWords(desc, t, locale)
}

describe('schedule presets', () => {
  it('builds the cron text of each preset', () => {
    expect(presetCron('hourly')).toBe('0 * * * *')
    expect(presetCron('daily', { time: '03:30' })).toBe('30 3 * * *')
    expect(presetCron('daily', { time: '00:00' })).toBe('0 0 * * *')
    expect(presetCron('weekly', { time: '02:00', day: 1 })).toBe('0 2 * * 1')
    expect(presetCron('weekly', { time: '23:45', day: 0 })).toBe('45 23 * * 0')
    expect(presetCron('daily', { time: '' })).toBe('')
    expect(presetCron('daily', { time: '24:00' })).toBe('')
    expect(presetCron('weekly', { time: '02:00', day: 7 })).toBe('')
  })

  it('puts the time zone before the cron text', () => {
    expect(withTimeZone('30 3 * * *', 'Europe/Paris')).toBe('CRON_TZ=Europe/Paris 30 3 * * *')
    expect(withTimeZone('30 3 * * *', '')).toBe('30 3 * * *')
    expect(withTimeZone('', 'Europe/Paris')).toBe('')
    expect(splitTimeZone('CRON_TZ=America/New_York 0 * * * *')).toEqual({ zone: 'America/New_York', cron: '0 * * * *' })
    expect(splitTimeZone('0 * * * *')).toEqual({ zone: '', cron: '0 * * * *' })
  })

  it('turns the When step into the schedule sent to Go', () => {
    const base = { time: '03:30', day: 1, cron: '', zoneOn: false, zone: 'Europe/Paris' }
    expect(scheduleFromForm({ ...base, mode: 'manual', zoneOn: true })).toBe('')
    expect(scheduleFromForm({ ...base, mode: 'hourly' })).toBe('0 * * * *')
    expect(scheduleFromForm({ ...base, mode: 'daily' })).toBe('30 3 * * *')
    expect(scheduleFromForm({ ...base, mode: 'weekly', time: '02:00' })).toBe('0 2 * * 1')
    expect(scheduleFromForm({ ...base, mode: 'daily', zoneOn: true })).toBe('CRON_TZ=Europe/Paris 30 3 * * *')
    expect(scheduleFromForm({ ...base, mode: 'custom', cron: '*/5 * * * *', zoneOn: true })).toBe('CRON_TZ=Europe/Paris */5 * * * *')
    expect(scheduleFromForm({ ...base, mode: 'custom', cron: 'CRON_TZ=UTC 0 4 * * *' })).toBe('CRON_TZ=UTC 0 4 * * *')
  })
})

describe('scheduleWords', () => {
  it.each([
    [{ kind: 'manual' }, 'manual runs only'],
    [null, 'manual runs only'],
    [{ kind: 'every_minutes', every: 1 }, 'every minute'],
    [{ kind: 'every_minutes', every: 5 }, 'every 5 minutes'],
    [{ kind: 'hourly' }, 'every hour'],
    [{ kind: 'hourly', minute: 15 }, 'every hour at :15'],
    [{ kind: 'every_hours', every: 6 }, 'every 6 hours'],
    [{ kind: 'every_hours', every: 6, minute: 30 }, 'every 6 hours at :30'],
    [{ kind: 'daily', at: '03:00' }, 'daily at 03:00'],
    [{ kind: 'weekly', at: '02:00', days: [1] }, 'every Monday at 02:00'],
    [{ kind: 'weekly', at: '02:00', days: [1, 3, 5] }, 'every Monday, Wednesday, and Friday at 02:00'],
    [{ kind: 'weekdays', at: '07:00' }, 'weekdays at 07:00'],
    [{ kind: 'monthly', day: 1, at: '04:00' }, 'monthly on day 1 at 04:00'],
    [{ kind: 'daily', at: '03:30', zone: 'Europe/Paris' }, 'daily at 03:30 (Europe/Paris)'],
    [{ kind: 'cron', expr: '0 3,15 * * *' }, '0 3,15 * * *'],
  ])('says %j as %j', (desc, want) => {
    expect(say('en')(desc)).toBe(want)
  })

  it('leaves the zone out when asked (the tables show it on its own line)', () => {
    const { t } = createAppI18n('en').global
    expect(scheduleWords({ kind: 'daily', at: '03:30', zone: 'Europe/Paris' }, t, 'en', { zone: false })).toBe('daily at 03:30')
  })

  it('knows the shapes Go gave no words for', () => {
    expect(isRawSchedule({ kind: 'cron', expr: '0 3,15 * * *' })).toBe(true)
    expect(isRawSchedule({ kind: 'daily', at: '03:00' })).toBe(false)
    expect(isRawSchedule(null)).toBe(false)
  })

  it('speaks French and German', () => {
    expect(say('fr')({ kind: 'every_minutes', every: 5 })).toBe('toutes les 5 minutes')
    expect(say('fr')({ kind: 'weekly', at: '02:00', days: [1] })).toBe('chaque lundi à 02:00')
    expect(say('de')({ kind: 'daily', at: '03:00' })).toBe('täglich um 03:00')
    expect(say('de')({ kind: 'weekly', at: '02:00', days: [1] })).toBe('jeden Montag um 02:00')
  })

  it('names the days in the locale', () => {
    expect(weekdayName(1, 'en')).toBe('Monday')
    expect(weekdayName(0, 'de')).toBe('Sonntag')
  })
})

describe('leaving a preset for Cron', () => {
  it('starts from the preset it replaces', () => {
    expect(customFrom('daily', { time: '02:30', day: 1 })).toBe('30 2 * * *')
    expect(customFrom('weekly', { time: '04:00', day: 0 })).toBe('0 4 * * 0')
    expect(customFrom('hourly', {})).toBe('0 * * * *')
    expect(customFrom('manual', {})).toBe('')
  })
})

describe('formatSlot', () => {
  it('shows a run in the schedule zone', () => {
    expect(formatSlot('2026-11-23T02:00:00Z', 'en', 'Europe/Paris')).toMatch(/Mon.*Nov.*03:00/)
    expect(formatSlot('', 'en')).toBe('')
  })
})
