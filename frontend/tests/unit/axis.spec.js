import { describe, expect, it } from 'vitest'
import { axisLabel } from '@/utils/axis.js'
import { formatBytes, formatPercent } from '@/utils/format.js'

const labels = (format, values) => {
  const ticks = values.map((value) => ({ value }))
  return values.map((v, i) => axisLabel(format, v, i, ticks))
}

describe('axisLabel', () => {
  it('reads 0 at zero, without a unit', () => {
    const [zero, some] = labels((v) => formatBytes(v, 'en'), [0, 512])
    expect(zero).toBe('0')
    expect(some).toMatch(/^512\sbytes$/)
    expect(labels((v) => `${formatBytes(v, 'en')}/s`, [0])).toEqual(['0'])
  })

  it('leaves out a label that repeats the one below it', () => {
    const bytes = (v) => formatBytes(v, 'en')
    // 1.00, 1.02, 1.04 GiB all read "1 GiB" at one decimal … 1.06 reads "1.1 GiB".
    const g = 2 ** 30
    expect(labels(bytes, [g, 1.02 * g, 1.04 * g, 1.06 * g])).toEqual(['1 GiB', null, null, '1.1 GiB'])
    const pct = (v) => formatPercent(v, 'en')
    expect(labels(pct, [0, 0.2, 0.4, 0.6])).toEqual(['0', '0.2%', '0.4%', '0.6%'])
    expect(labels(pct, [20, 20.2, 20.4])).toEqual(['20%', null, null])
  })
})
