import { beforeEach, describe, expect, it, vi } from 'vitest'
import { createPinia, setActivePinia } from 'pinia'
import * as Desk from 'wailsjs/go/app/Desk.js'
import * as Runtime from 'wailsjs/runtime/runtime.js'
import { emit, resetRuntime } from '../fake-runtime.js'
import { EVENTS_PAGE, localToISO, matches, toQuery, useEventLogStore } from '@/stores/eventlog.js'
import { useDiagnosticsStore } from '@/stores/diagnostics.js'

vi.mock('wailsjs/go/app/Desk.js', () => import('../fake-desk.js'))
vi.mock('wailsjs/runtime/runtime.js', () => import('../fake-runtime.js'))

const ev = (id, extra = {}) => ({ id, at: '2026-11-22T08:00:00Z', kind: 'run:progress', subject: 'u1', message: `run ${id} of web1/files succeeded`, severity: 'info', server_id: 1, job_id: 3, ...extra })
const page = (from, n, next = 0) => ({ events: Array.from({ length: n }, (_, k) => ev(from - k)), next })

describe('event log store', () => {
  beforeEach(() => {
    resetRuntime()
    vi.clearAllMocks()
    setActivePinia(createPinia())
  })

  it('asks Go for the newest page, then pages by its cursor both ways', async () => {
    Desk.QueryEvents.mockResolvedValueOnce(page(300, 100, 201)).mockResolvedValueOnce(page(200, 100, 101)).mockResolvedValueOnce(page(300, 100, 201))
    const log = useEventLogStore()
    await log.load()
    expect(Desk.QueryEvents).toHaveBeenLastCalledWith({ limit: EVENTS_PAGE })
    expect([log.page, log.hasNewer, log.hasOlder, log.items[0].id]).toEqual([1, false, true, 300])

    await log.older()
    expect(Desk.QueryEvents).toHaveBeenLastCalledWith({ limit: EVENTS_PAGE, before: 201 })
    expect([log.page, log.hasNewer, log.items[0].id]).toEqual([2, true, 200])

    await log.newer()
    expect(Desk.QueryEvents).toHaveBeenLastCalledWith({ limit: EVENTS_PAGE })
    expect([log.page, log.hasNewer]).toEqual([1, false])
  })

  it('sends the filters as Go’s query and starts again at the newest page', async () => {
    Desk.QueryEvents.mockResolvedValue(page(50, 2, 49))
    const log = useEventLogStore()
    await log.load()
    await log.older()
    expect(log.page).toBe(2)
    await log.setFilters({ server: '1', job: '3', kind: 'run:progress', severity: 'warning', search: '  disk full ', from: '2026-11-22T08:00' })
    expect(Desk.QueryEvents).toHaveBeenLastCalledWith({
      limit: EVENTS_PAGE,
      server: '1',
      job: '3',
      kinds: ['run:progress'],
      severity: 'warning',
      search: 'disk full',
      from: localToISO('2026-11-22T08:00'),
    })
    expect([log.page, log.filtered]).toEqual([1, true])
    await log.clearFilters()
    expect(Desk.QueryEvents).toHaveBeenLastCalledWith({ limit: EVENTS_PAGE })
    expect(log.filtered).toBe(false)
  })

  it('shows Go’s refusal of a filter', async () => {
    Desk.QueryEvents.mockRejectedValueOnce('invalid input: the time range ends before it starts: swap them')
    const log = useEventLogStore()
    await log.setFilters({ from: '2026-11-23T00:00', until: '2026-11-22T00:00' })
    expect(log.error).toContain('swap them')
  })

  it('puts a live event that matches on top of the newest page, and none other', async () => {
    Desk.QueryEvents.mockResolvedValue(page(100, EVENTS_PAGE, 0))
    const log = useEventLogStore()
    await log.setFilters({ severity: 'warning' })
    emit('run:progress', ev(101, { severity: 'info' }))
    expect(log.items[0].id).toBe(100)
    emit('run:progress', ev(102, { severity: 'error', message: 'run 102 failed' }))
    expect(log.items[0].id).toBe(102)
    expect(log.items).toHaveLength(EVENTS_PAGE)
    // The event it pushed off heads the next page.
    expect(log.next).toBe(log.items.at(-1).id)
    emit('run:progress', { ...ev(0), severity: 'error' }) // live progress, not logged
    expect(log.items[0].id).toBe(102)
  })

  it('matches as Go’s query does', () => {
    const f = { server: '', job: '', kind: '', severity: '', from: '', until: '', search: '' }
    const e = ev(1, { severity: 'warning', at: '2026-11-22T08:00:30Z', message: 'Disk FULL on web1' })
    expect(matches({ ...f, search: 'disk full' }, e)).toBe(true)
    expect(matches({ ...f, search: 'u1' }, e)).toBe(true) // the subject
    expect(matches({ ...f, severity: 'error' }, e)).toBe(false)
    expect(matches({ ...f, server: '2' }, e)).toBe(false)
    expect(matches({ ...f, job: '3' }, e)).toBe(true)
    expect(matches({ ...f, kind: 'task:changed' }, e)).toBe(false)
    expect(toQuery({ ...f, kind: 'notification' }, 7, 10)).toEqual({ limit: 10, kinds: ['notification'], before: 7 })
  })

  it('exports what the filters select and says where it went', async () => {
    Desk.QueryEvents.mockResolvedValue(page(1, 1))
    Desk.ExportEvents.mockResolvedValueOnce('/home/ops/borgdesk-events.csv').mockResolvedValueOnce('')
    const log = useEventLogStore()
    await log.setFilters({ kind: 'notification' })
    await log.exportAs('csv')
    expect(Desk.ExportEvents).toHaveBeenLastCalledWith({ limit: 0, kinds: ['notification'] }, 'csv')
    expect(log.exported).toEqual({ path: '/home/ops/borgdesk-events.csv', error: '' })
    await log.exportAs('json') // cancelled in the save dialog
    expect(log.exported).toEqual({ path: '', error: '' })
  })
})

describe('diagnostics store', () => {
  beforeEach(() => {
    vi.clearAllMocks()
    setActivePinia(createPinia())
  })

  it('copies Go’s report through the Wails clipboard', async () => {
    Desk.Diagnostics.mockResolvedValue('Borgdesk diagnostics\n…')
    const d = useDiagnosticsStore()
    await d.copy()
    expect(Runtime.ClipboardSetText).toHaveBeenCalledWith('Borgdesk diagnostics\n…')
    expect(d.state).toBe('copied')
  })

  it('keeps the report to select by hand when no clipboard takes it', async () => {
    Desk.Diagnostics.mockResolvedValue('report')
    Runtime.ClipboardSetText.mockRejectedValueOnce(new Error('no runtime'))
    const writeText = vi.fn().mockRejectedValue(new Error('denied'))
    vi.stubGlobal('navigator', { clipboard: { writeText } })
    const d = useDiagnosticsStore()
    await d.copy()
    vi.unstubAllGlobals()
    expect(writeText).toHaveBeenCalledWith('report')
    expect([d.state, d.text]).toEqual(['failed', 'report'])
  })
})
