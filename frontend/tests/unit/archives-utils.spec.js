import { describe, expect, it } from 'vitest'
import { archiveJobs, filterArchives, naturalCompare, sortArchives } from '@/utils/archives.js'

const at = (iso) => new Date(iso)
const list = [
  { name: 'page10@2026-11-20', job: 'page10', date: at('2026-11-20T03:00:00Z') },
  { name: 'page2@2026-11-21', job: 'page2', date: at('2026-11-21T03:00:00Z') },
  { name: 'Page1@2026-11-19', job: 'Page1', date: at('2026-11-19T03:00:00Z') },
  { name: 'page2@2026-11-19', job: 'page2', date: at('2026-11-19T03:00:00Z') },
]

describe('archives helpers', () => {
  it('compares names naturally, regardless of case', () => {
    expect(['page10', 'page2', 'Page1'].sort((a, b) => naturalCompare(a, b, 'en'))).toEqual(['Page1', 'page2', 'page10'])
  })

  it('sorts newest first, ties by name, or by name in natural order', () => {
    expect(sortArchives(list, 'time', 'en').map((a) => a.name)).toEqual(['page2@2026-11-21', 'page10@2026-11-20', 'Page1@2026-11-19', 'page2@2026-11-19'])
    expect(sortArchives(list, 'name', 'en').map((a) => a.name)).toEqual(['Page1@2026-11-19', 'page2@2026-11-19', 'page2@2026-11-21', 'page10@2026-11-20'])
    expect(sortArchives(null)).toEqual([])
  })

  it('lists the jobs and filters by one', () => {
    expect(archiveJobs([...list, { name: 'x', job: '' }], 'en')).toEqual(['Page1', 'page2', 'page10'])
    expect(filterArchives(list, 'page2').map((a) => a.name)).toEqual(['page2@2026-11-21', 'page2@2026-11-19'])
    expect(filterArchives(list, '')).toHaveLength(4)
  })
})
