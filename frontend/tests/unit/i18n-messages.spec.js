import { describe, expect, it } from 'vitest'
import { createAppI18n, SUPPORTED_LOCALES } from '@/i18n.js'
import en from '@/locales/en.json'

function flatten(messages, prefix = '') {
  return Object.entries(messages).flatMap(([key, value]) =>
    value && typeof value === 'object' ? flatten(value, `${prefix}${key}.`) : [`${prefix}${key}`],
  )
}

// A message vue-i18n cannot compile (a bare @ reads as a linked message)
// throws at render and leaves its whole section blank; compile them all.
describe('locale messages', () => {
  it('all compile in every language', () => {
    const i18n = createAppI18n('en')
    const broken = []
    for (const locale of SUPPORTED_LOCALES) {
      for (const key of flatten(en)) {
        try {
          const out = i18n.global.t(key, { n: 2, name: 'x', date: 'd', size: 's' }, { locale })
          if (typeof out !== 'string') broken.push(`${locale}:${key}`)
        } catch {
          broken.push(`${locale}:${key}`)
        }
      }
    }
    expect(broken).toEqual([])
  })
})
