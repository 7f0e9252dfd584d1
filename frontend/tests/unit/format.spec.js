import { describe, expect, it } from 'vitest'
import {
  daysUntil,
  formatBytes,
  formatDate,
  formatDateTime,
  formatDuration,
  formatMilliseconds,
  formatNumber,
  formatPercent,
  formatRelative,
  hasTime,
  usageRatio,
} from '@/utils/format.js'

const NOW = Date.parse('2026-11-22T08:00:00Z')

describe('format', () => {
  it('treats Go zero time, null and empty strings as no time', () => {
    expect(hasTime('0001-01-01T00:00:00Z')).toBe(false)
    expect(hasTime('')).toBe(false)
    expect(hasTime(null)).toBe(false)
    expect(hasTime('not a time')).toBe(false)
    expect(formatDateTime('0001-01-01T00:00:00Z', 'en')).toBe('')
    expect(formatDateTime(null, 'en')).toBe('')
    expect(hasTime('2026-11-22T08:00:00Z')).toBe(true)
    expect(formatDateTime('2026-11-22T08:00:00Z', 'en')).toMatch(/2026/)
  })

  it('formats a date without the time', () => {
    expect(formatDate('2027-02-20T08:00:00Z', 'en')).toBe('Feb 20, 2027')
    expect(formatDate('2027-02-20T08:00:00Z', 'de')).toBe('20.02.2027')
    expect(formatDate(null, 'en')).toBe('')
  })

  it('formats sizes in IEC units, bytes with their plural', () => {
    expect(formatBytes(0, 'en')).toMatch(/^0\sbytes$/)
    expect(formatBytes(1, 'en')).toMatch(/^1\sbyte$/)
    expect(formatBytes(671, 'en')).toMatch(/^671\sbytes$/)
    expect(formatBytes(1023, 'en')).toMatch(/^1,023\sbytes$/)
    expect(formatBytes(671, 'fr')).toMatch(/^671\soctets$/)
    expect(formatBytes(1, 'fr')).toMatch(/^1\soctet$/)
    expect(formatBytes(671, 'de')).toMatch(/^671\sByte$/)
    expect(formatBytes(1024, 'en')).toMatch(/^1\sKiB$/)
    expect(formatBytes(1536, 'en')).toMatch(/^1\.5\sKiB$/)
    expect(formatBytes(1024 * 1024 - 1, 'en')).toMatch(/^1\sMiB$/)
    expect(formatBytes(1.5 * 2 ** 30, 'en')).toMatch(/^1\.5\sGiB$/)
    expect(formatBytes(1.5 * 2 ** 30, 'de')).toMatch(/^1,5\sGiB$/)
    expect(formatBytes(1.5 * 2 ** 30, 'fr')).toMatch(/^1,5\sGiB$/)
    expect(formatBytes(1.1 * 2 ** 40, 'en')).toMatch(/^1\.1\sTiB$/)
    expect(formatBytes(-1, 'en')).toBe('')
    expect(formatBytes(null, 'en')).toBe('')
  })

  it('formats counts for the locale', () => {
    expect(formatNumber(48213, 'en')).toBe('48,213')
    expect(formatNumber(48213, 'de')).toBe('48.213')
    expect(formatNumber(0.4234, 'en', 2)).toBe('0.42')
    expect(formatNumber('x', 'en')).toBe('')
    expect(formatNumber(null, 'en')).toBe('')
  })

  it('formats percentages given as 0–100, one decimal under 10', () => {
    expect(formatPercent(12.4, 'en')).toBe('12%')
    expect(formatPercent(4.25, 'en')).toBe('4.3%')
    expect(formatPercent(0, 'en')).toBe('0%')
    expect(formatPercent(63, 'fr')).toMatch(/^63\s%$/)
    expect(formatPercent(63, 'de')).toMatch(/^63\s%$/)
    expect(formatPercent(undefined, 'en')).toBe('')
    expect(formatPercent('n/a', 'en')).toBe('')
  })

  it('computes a usage ratio clamped to [0, 1]', () => {
    expect(usageRatio(21.4, 50)).toBeCloseTo(0.428)
    expect(usageRatio(60, 50)).toBe(1)
    expect(usageRatio(1, 0)).toBe(null)
    expect(usageRatio(1, undefined)).toBe(null)
  })

  it('formats an uptime with its two largest units', () => {
    expect(formatDuration(1234567, 'en')).toBe('14 days 6 hr')
    expect(formatDuration(3 * 86400 + 59, 'en')).toBe('3 days')
    expect(formatDuration(3720, 'en')).toBe('1 hr 2 min')
    expect(formatDuration(59, 'en')).toBe('0 min')
    expect(formatDuration(1234567, 'fr')).toMatch(/^14\sj 6\sh$/)
    expect(formatDuration(1234567, 'de')).toMatch(/^14\sTg\. 6\sStd\.$/)
    expect(formatDuration(-5, 'en')).toBe('')
    expect(formatDuration(null, 'en')).toBe('')
  })

  it('formats a round trip in milliseconds', () => {
    expect(formatMilliseconds(42, 'en')).toBe('42 ms')
    expect(formatMilliseconds(3.14159, 'en')).toBe('3.1 ms')
    expect(formatMilliseconds(1234, 'de')).toMatch(/^1\.234\sms$/)
    expect(formatMilliseconds(null, 'en')).toBe('')
  })

  it('says how long ago or how far ahead a time is', () => {
    expect(formatRelative('2026-11-22T07:59:40Z', NOW, 'en')).toBe('now')
    expect(formatRelative('2026-11-22T07:58:00Z', NOW, 'en')).toBe('2 minutes ago')
    expect(formatRelative('2026-11-22T07:56:30Z', NOW, 'en')).toBe('3 minutes ago')
    expect(formatRelative('2026-11-21T22:14:00Z', NOW, 'en')).toBe('9 hours ago')
    expect(formatRelative('2026-11-21T06:00:00Z', NOW, 'en')).toBe('yesterday')
    expect(formatRelative('2026-12-04T10:00:00Z', NOW, 'en')).toBe('in 12 days')
    expect(formatRelative('2027-02-20T08:00:00Z', NOW, 'en')).toBe('in 3 months')
    expect(formatRelative('2025-06-12T10:00:00Z', NOW, 'en')).toBe('last year')
    expect(formatRelative('2026-11-22T07:58:00Z', NOW, 'fr')).toBe('il y a 2 minutes')
    expect(formatRelative('2026-11-22T07:58:00Z', NOW, 'de')).toBe('vor 2 Minuten')
    expect(formatRelative(null, NOW, 'en')).toBe('')
  })

  it('counts whole days until a time', () => {
    expect(daysUntil('2026-12-04T10:00:00Z', NOW)).toBe(12)
    expect(daysUntil('2026-11-22T20:00:00Z', NOW)).toBe(0)
    expect(daysUntil('2026-11-21T20:00:00Z', NOW)).toBe(-1)
    expect(daysUntil(null, NOW)).toBe(null)
  })
})
