import { describe, expect, it } from 'vitest'
import { covered, parentDir, toggleOpen, toggleSelected, visibleRows } from '@/utils/tree.js'

const d = (path) => ({ name: path.split('/').pop(), path, type: 'd' })
const f = (path) => ({ name: path.split('/').pop(), path, type: '-' })
const LISTINGS = {
  '': { entries: [d('etc'), d('var')], total: 2, truncated: false },
  etc: { entries: [d('etc/nginx'), f('etc/hosts')], total: 2, truncated: false },
  'etc/nginx': { entries: [f('etc/nginx/nginx.conf')], total: 9000, truncated: true },
}
const shape = (rows) => rows.map((r) => (r.kind === 'entry' ? `${r.depth}:${r.entry.path}${r.open ? '/' : ''}` : `${r.depth}:${r.kind}:${r.dir}`))

describe('visibleRows', () => {
  it('shows only the root until a folder is opened', () => {
    expect(shape(visibleRows(LISTINGS, []))).toEqual(['0:etc', '0:var'])
  })

  it('shows open folders depth first, with a truncated note', () => {
    expect(shape(visibleRows(LISTINGS, ['etc', 'etc/nginx']))).toEqual([
      '0:etc/',
      '1:etc/nginx/',
      '2:etc/nginx/nginx.conf',
      '2:truncated:etc/nginx',
      '1:etc/hosts',
      '0:var',
    ])
    const note = visibleRows(LISTINGS, ['etc', 'etc/nginx']).find((r) => r.kind === 'truncated')
    expect([note.shown, note.total]).toEqual([1, 9000])
  })

  it('shows a folder opened but not listed yet as loading, or its error', () => {
    expect(shape(visibleRows(LISTINGS, ['var']))).toEqual(['0:etc', '0:var/', '1:loading:var'])
    const rows = visibleRows(LISTINGS, ['var'], { var: { error: 'var is not in archive a1' } })
    expect(rows.at(-1)).toMatchObject({ kind: 'error', dir: 'var', error: 'var is not in archive a1' })
  })

  it('hides what is inside a folder whose parent is closed', () => {
    expect(shape(visibleRows(LISTINGS, ['etc/nginx']))).toEqual(['0:etc', '0:var'])
  })
})

describe('toggleOpen', () => {
  it('opens a folder, and closing it closes what is below it', () => {
    expect(toggleOpen(['etc'], 'etc/nginx')).toEqual(['etc', 'etc/nginx'])
    expect(toggleOpen(['etc', 'etc/nginx', 'etcetera'], 'etc')).toEqual(['etcetera'])
  })
})

describe('selection', () => {
  it('a folder takes what is below it; a path in it cannot be taken out alone', () => {
    let s = toggleSelected([], 'etc/hosts')
    s = toggleSelected(s, 'etc/nginx/nginx.conf')
    s = toggleSelected(s, 'etc')
    expect(s).toEqual(['etc'])
    expect(covered(s, 'etc/nginx/nginx.conf')).toBe(true)
    expect(covered(s, 'etcetera')).toBe(false)
    expect(toggleSelected(s, 'etc/hosts')).toEqual(['etc'])
    expect(toggleSelected(s, 'etc')).toEqual([])
  })

  it('parentDir', () => {
    expect(['etc/nginx/nginx.conf', 'etc', ''].map(parentDir)).toEqual(['etc/nginx', '', ''])
  })
})
