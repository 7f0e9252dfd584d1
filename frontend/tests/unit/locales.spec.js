import { readdirSync, readFileSync } from 'node:fs'
import { join } from 'node:path'
import { describe, expect, it } from 'vitest'
import en from '@/locales/en.json'
import fr from '@/locales/fr.json'
import de from '@/locales/de.json'
import { NAV_ITEMS } from '@/router.js'
import { THEMES } from '@/stores/app.js'

// Vitest runs from frontend/, where vitest.config.js is.
const SRC = join(process.cwd(), 'src')

function flatten(messages, prefix = '') {
  return Object.entries(messages).flatMap(([key, value]) =>
    value && typeof value === 'object' ? flatten(value, `${prefix}${key}.`) : [[`${prefix}${key}`, value]],
  )
}

const keys = (messages) => flatten(messages).map(([k]) => k).sort()

function sourceFiles(dir) {
  return readdirSync(dir, { withFileTypes: true }).flatMap((entry) => {
    const path = join(dir, entry.name)
    if (entry.isDirectory()) return sourceFiles(path)
    return /\.(vue|js)$/.test(entry.name) ? [path] : []
  })
}

describe('locale files', () => {
  it('have exactly the same keys', () => {
    expect(keys(fr)).toEqual(keys(en))
    expect(keys(de)).toEqual(keys(en))
  })

  it('have no empty messages', () => {
    for (const messages of [en, fr, de]) {
      for (const [key, value] of flatten(messages)) {
        expect(typeof value, key).toBe('string')
        expect(value.trim(), key).not.toBe('')
      }
    }
  })

  it('are really translated', () => {
    const same = (a, b) => {
      const other = new Map(flatten(b))
      return flatten(a).filter(([k, v]) => other.get(k) === v)
    }
    // A few words are the same in two languages (Archives, Status, Version);
    // most must differ.
    expect(same(en, fr).length).toBeLessThan(keys(en).length / 5)
    expect(same(en, de).length).toBeLessThan(keys(en).length / 5)
  })

  it('keep the same placeholders in every language', () => {
    const placeholders = (v) => (String(v).match(/\{\w+\}/g) ?? []).sort()
    const frMessages = new Map(flatten(fr))
    const deMessages = new Map(flatten(de))
    for (const [key, value] of flatten(en)) {
      const want = placeholders(value)
      expect(placeholders(frMessages.get(key)), key).toEqual(want)
      expect(placeholders(deMessages.get(key)), key).toEqual(want)
    }
  })

  it('hold every key the source asks for', () => {
    const known = new Set(keys(en))
    const used = new Set()
    for (const file of sourceFiles(SRC)) {
      const text = readFileSync(file, 'utf8')
      for (const m of text.matchAll(/\$?\bt\(\s*'([a-zA-Z0-9_.]+)'/g)) used.add(m[1])
    }
    NAV_ITEMS.forEach((item) => used.add(`nav.${item.name}`))
    THEMES.forEach((theme) => used.add(`theme.${theme}`))

    expect(used.size).toBeGreaterThan(40)
    expect([...used].filter((k) => !known.has(k))).toEqual([])
  })
})

describe('templates', () => {
  // Every word a user reads comes from the locale files: a template may hold
  // text only inside {{ }}, and labels only as bound attributes.
  it('hold no untranslated text', () => {
    const offenders = []
    for (const file of sourceFiles(SRC).filter((f) => f.endsWith('.vue'))) {
      const source = readFileSync(file, 'utf8')
      const template = source.match(/<template>([\s\S]*)<\/template>/)?.[1] ?? ''
      const text = template
        .replace(/<!--[\s\S]*?-->/g, '')
        .replace(/\{\{[\s\S]*?\}\}/g, '')
        .replace(/<[^>]*>/g, '')
        .trim()
      if (text) offenders.push(`${file}: ${text.slice(0, 60)}`)
      for (const m of template.matchAll(/\s(aria-label|title|placeholder|alt)="([^"]*)"/g)) {
        offenders.push(`${file}: ${m[1]}="${m[2]}"`)
      }
    }
    expect(offenders).toEqual([])
  })
})

