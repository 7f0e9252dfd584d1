import { describe, expect, it } from 'vitest'
import { formatBytes, formatDateTime, formatNumber, hasTime } from '@/utils/format.js'

describe('format', () => {
  it('treats Go zero time and empty strings as no time', () => {
    expect(hasTime('0001-01-01T00:00:00Z')).toBe(false)
    expect(hasTime('')).toBe(false)
    expect(hasTime('not a time')).toBe(false)
    expect(formatDateTime('0001-01-01T00:00:00Z', 'en')).toBe('')
    expect(hasTime('2026-11-22T08:00:00Z')).toBe(true)
    expect(formatDateTime('2026-11-22T08:00:00Z', 'en')).toMatch(/2026/)
  })

  it('formats sizes with decimal units', () => {
    expect(formatBytes(999, 'en')).toMatch(/^999\s?byte/)
    expect(formatBytes(1532000000, 'en')).toBe('1.5 GB')
    // German puts a no-break space before the unit.
    expect(formatBytes(1532000000, 'de')).toMatch(/^1,5\sGB$/)
    expect(formatBytes(-1, 'en')).toBe('')
  })

  it('formats counts for the locale', () => {
    expect(formatNumber(48213, 'en')).toBe('48,213')
    expect(formatNumber(48213, 'de')).toBe('48.213')
    expect(formatNumber('x', 'en')).toBe('')
  })
})
