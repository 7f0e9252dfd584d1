import { describe, expect, it } from 'vitest'
import { detectLocale, isSupportedLocale } from '@/i18n.js'

describe('detectLocale', () => {
  it.each([
    ['en-US', 'en'],
    ['de-AT', 'de'],
    ['fr', 'fr'],
    ['FR-ca', 'fr'],
    ['de_CH', 'de'],
    ['pt-BR', 'en'],
    ['', 'en'],
    [undefined, 'en'],
  ])('%s gives %s', (tag, want) => {
    expect(detectLocale(tag)).toBe(want)
  })

  it('knows which locales it supports', () => {
    expect(isSupportedLocale('de')).toBe(true)
    expect(isSupportedLocale('es')).toBe(false)
  })
})
