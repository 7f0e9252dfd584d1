import { describe, expect, it } from 'vitest'
import { createAppI18n } from '@/i18n.js'
import {
  checkCron,
  describeSchedule,
  presetCron,
  scheduleFromForm,
  splitTimeZone,
  weekdayName,
  withTimeZone,
} from '@/utils/schedule.js'

const say = (locale) => {
  const { t } = createAppI18n(locale).global
  return (expr) => describeSchedule(expr, t, locale)
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

describe('checkCron', () => {
  it.each([
    '*/5 * * * *',
    '0 3 * * *',
    '30 2 1,15 * *',
    '0 2 * * MON-FRI',
    '0 0 1 jan *',
    '0 8-18/2 * * 1-5',
    '0 3 ? * 0',
    '@daily',
    '@every 90m',
    '@every 1h30m',
    'CRON_TZ=Europe/Paris 0 3 * * *',
  ])('takes %j', (expr) => {
    expect(checkCron(expr)).toBe(null)
  })

  it.each([
    ['', { problem: 'empty' }],
    ['0 3 * *', { problem: 'fields', count: 4 }],
    ['0 3 * * * *', { problem: 'fields', count: 6 }],
    ['61 * * * *', { problem: 'field', field: 'minute', text: '61' }],
    ['0 24 * * *', { problem: 'field', field: 'hour', text: '24' }],
    ['0 3 0 * *', { problem: 'field', field: 'dom', text: '0' }],
    ['0 3 * 13 *', { problem: 'field', field: 'month', text: '13' }],
    ['0 3 * * 7', { problem: 'field', field: 'dow', text: '7' }],
    ['*/0 * * * *', { problem: 'field', field: 'minute', text: '*/0' }],
    ['5-1 * * * *', { problem: 'field', field: 'minute', text: '5-1' }],
    ['@sometimes', { problem: 'descriptor' }],
    ['CRON_TZ=Mars/Olympus 0 3 * * *', { problem: 'zone', zone: 'Mars/Olympus' }],
  ])('says what is wrong with %j', (expr, want) => {
    expect(checkCron(expr)).toEqual(want)
  })
})

describe('describeSchedule', () => {
  it.each([
    ['', 'manual runs only'],
    ['* * * * *', 'every minute'],
    ['*/5 * * * *', 'every 5 minutes'],
    ['@every 15m', 'every 15 minutes'],
    ['0 * * * *', 'every hour'],
    ['@hourly', 'every hour'],
    ['15 * * * *', 'every hour at :15'],
    ['0 */6 * * *', 'every 6 hours'],
    ['0 3 * * *', 'daily at 03:00'],
    ['30 3 * * *', 'daily at 03:30'],
    ['@daily', 'daily at 00:00'],
    ['0 2 * * 1', 'every Monday at 02:00'],
    ['0 2 * * 1,3,5', 'every Monday, Wednesday, and Friday at 02:00'],
    ['0 2 * * 0', 'every Sunday at 02:00'],
    ['0 7 * * 1-5', 'weekdays at 07:00'],
    ['0 7 * * MON-FRI', 'weekdays at 07:00'],
    ['0 4 1 * *', 'monthly on day 1 at 04:00'],
    ['CRON_TZ=Europe/Paris 30 3 * * *', 'daily at 03:30 (Europe/Paris)'],
  ])('says %j as %j', (expr, want) => {
    expect(say('en')(expr)).toBe(want)
  })

  it('gives the cron text back when it is not a simple one', () => {
    expect(say('en')('0 3,15 * * *')).toBe('0 3,15 * * *')
    expect(say('en')('0 3 1 * 1')).toBe('0 3 1 * 1')
    expect(say('en')('0 0 1 1 *')).toBe('0 0 1 1 *')
    expect(say('en')('@yearly')).toBe('@yearly')
    expect(say('en')('not cron')).toBe('not cron')
  })

  it('speaks French and German', () => {
    expect(say('fr')('*/5 * * * *')).toBe('toutes les 5 minutes')
    expect(say('fr')('0 2 * * 1')).toBe('chaque lundi à 02:00')
    expect(say('de')('0 3 * * *')).toBe('täglich um 03:00')
    expect(say('de')('0 2 * * 1')).toBe('jeden Montag um 02:00')
  })

  it('names the days in the locale', () => {
    expect(weekdayName(1, 'en')).toBe('Monday')
    expect(weekdayName(0, 'de')).toBe('Sonntag')
  })
})
