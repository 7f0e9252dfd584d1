import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest'
import { createPinia, setActivePinia } from 'pinia'
import * as Desk from 'wailsjs/go/app/Desk.js'
import { emit, resetRuntime } from '../fake-runtime.js'
import { JOB_RUNS_LIMIT, REFETCH_MS, RUNS_LIMIT, useRunsStore } from '@/stores/runs.js'

vi.mock('wailsjs/go/app/Desk.js', () => import('../fake-desk.js'))
vi.mock('wailsjs/runtime/runtime.js', () => import('../fake-runtime.js'))

const run = (id, status, more = {}) => ({ id, job_id: 1, job_name: 'etc', server_name: 'web1', status, bytes: 10, files: 1, ...more })
const live = (at, data) => ({ id: 0, at, kind: 'run:progress', subject: 'uuid-web1', message: '', data: { run_id: 2, status: 'running', ...data } })
const persisted = (id, runId, status) => ({ id, at: '2026-11-22T08:00:00Z', kind: 'run:progress', subject: 'uuid-web1', data: { run_id: runId, status } })

describe('runs store', () => {
  beforeEach(() => {
    resetRuntime()
    setActivePinia(createPinia())
  })
  afterEach(() => vi.useRealTimers())

  it('asks ListRuns for a bounded number of runs', async () => {
    Desk.ListRuns.mockResolvedValue([run(1, 'running')])
    const store = useRunsStore()
    await store.load()
    expect(Desk.ListRuns).toHaveBeenCalledWith(RUNS_LIMIT)
    expect(RUNS_LIMIT).toBe(200)
    expect(store.items).toHaveLength(1)
  })

  it('knows the last run of each job', async () => {
    Desk.ListRuns.mockResolvedValue([run(3, 'running'), run(2, 'failed', { job_id: 2 }), run(1, 'succeeded')])
    const store = useRunsStore()
    await store.load()
    expect(store.lastRunByJob[1].id).toBe(3)
    expect(store.lastRunByJob[2].id).toBe(2)
  })

  it('refreshes on a persisted run:progress', async () => {
    Desk.ListRuns.mockResolvedValueOnce([run(1, 'running')]).mockResolvedValueOnce([run(1, 'succeeded')])
    const store = useRunsStore()
    await store.load()

    emit('run:progress', persisted(5, 1, 'succeeded'))

    await vi.waitFor(() => expect(store.items[0].status).toBe('succeeded'))
  })

  it('fetches once for a burst of persisted run:progress records', async () => {
    vi.useFakeTimers()
    Desk.ListRuns.mockResolvedValue([run(2, 'running')])
    Desk.ListJobRuns.mockResolvedValue([run(2, 'running')])
    const store = useRunsStore()
    await store.load()
    await store.openJob('1')
    expect(Desk.ListJobRuns).toHaveBeenCalledWith('1', JOB_RUNS_LIMIT)

    emit('run:progress', persisted(5, 2, 'queued'))
    emit('run:progress', persisted(6, 2, 'running'))
    emit('job:changed', { id: 7, subject: 'uuid-web1', data: { job_id: 1 } })
    await vi.advanceTimersByTimeAsync(REFETCH_MS)

    expect(Desk.ListRuns).toHaveBeenCalledTimes(2)
    expect(Desk.ListJobRuns).toHaveBeenCalledTimes(2)
  })

  it('patches a live run:progress into the run without fetching, with its speed', async () => {
    vi.useFakeTimers()
    Desk.ListRuns.mockResolvedValue([run(2, 'running', { bytes: 0, files: 0 })])
    Desk.ListJobRuns.mockResolvedValue([run(2, 'running', { bytes: 0, files: 0 })])
    const store = useRunsStore()
    await store.load()
    await store.openJob('1')

    emit('run:progress', live('2026-11-22T08:00:10Z', { files: 100, bytes: 50e6, path: '/etc/passwd' }))
    expect(store.progressOf(2)).toMatchObject({ files: 100, bytes: 50e6, path: '/etc/passwd', speed: null })

    emit('run:progress', live('2026-11-22T08:00:12Z', { files: 250, bytes: 250e6, path: '/var/www/index.html' }))
    expect(store.progressOf(2)).toMatchObject({ files: 250, bytes: 250e6, path: '/var/www/index.html', speed: 100e6 })
    // The lists take the frame's reports at once, at the next frame.
    expect(store.items[0]).toMatchObject({ files: 0, bytes: 0 })
    store.flushLive()
    expect(store.items[0]).toMatchObject({ files: 250, bytes: 250e6, status: 'running' })
    expect(store.jobRuns[0]).toMatchObject({ files: 250, bytes: 250e6 })

    // A record from before the last one changes nothing.
    emit('run:progress', live('2026-11-22T08:00:11Z', { files: 200, bytes: 150e6 }))
    expect(store.progressOf(2).files).toBe(250)

    await vi.advanceTimersByTimeAsync(REFETCH_MS * 3)
    expect(Desk.ListRuns).toHaveBeenCalledTimes(1)
    expect(Desk.ListJobRuns).toHaveBeenCalledTimes(1)
  })

  it('applies a frame of reports from many runs in one pass, the newest of each', async () => {
    const many = Array.from({ length: 500 }, (_, i) => run(i + 1, 'running', { bytes: 0, files: 0 }))
    Desk.ListRuns.mockResolvedValue(many)
    const store = useRunsStore()
    await store.load()
    const before = store.items
    for (let k = 1; k <= 2; k++) {
      for (let i = 1; i <= 500; i++) {
        emit('run:progress', { id: 0, at: `2026-11-22T08:00:1${k}Z`, kind: 'run:progress', data: { run_id: i, status: 'running', files: k * i, bytes: k * 1000 } })
      }
    }
    expect(store.items).toBe(before) // nothing re-rendered per report
    store.flushLive()
    expect(store.items).not.toBe(before)
    expect(store.items[499]).toMatchObject({ id: 500, files: 1000, bytes: 2000 })
    expect(store.items[0]).toMatchObject({ id: 1, files: 2, bytes: 2000 })
  })

  it('keeps the live figures over a fetched running run, and forgets them when it ends', async () => {
    Desk.ListRuns.mockResolvedValueOnce([run(2, 'queued', { bytes: 0 })])
    const store = useRunsStore()
    await store.load()
    emit('run:progress', live('2026-11-22T08:00:10Z', { files: 9, bytes: 900 }))
    store.flushLive()
    expect(store.items[0].status).toBe('running')

    Desk.ListRuns.mockResolvedValueOnce([run(2, 'running', { bytes: 0, files: 0 })])
    await store.load()
    expect(store.items[0]).toMatchObject({ bytes: 900, files: 9 })

    Desk.ListRuns.mockResolvedValueOnce([run(2, 'succeeded', { bytes: 1000, files: 10 })])
    await store.load()
    expect(store.items[0]).toMatchObject({ bytes: 1000, files: 10 })
    expect(store.progressOf(2)).toBe(null)
  })

  it('drops the runs of a job page that was left', async () => {
    let answer
    Desk.ListJobRuns.mockReturnValueOnce(new Promise((resolve) => (answer = resolve)))
    const store = useRunsStore()
    const pending = store.openJob('1')
    store.closeJob()
    answer([run(1, 'succeeded')])
    await pending
    expect(store.jobRuns).toEqual([])
  })

  it('reads a run with its log through GetRun', async () => {
    Desk.GetRun.mockResolvedValue(run(4, 'failed', { log: 'borg: error' }))
    const store = useRunsStore()
    expect(await store.getRun(4)).toMatchObject({ ok: true, value: { log: 'borg: error' } })
    expect(Desk.GetRun).toHaveBeenCalledWith(4)
  })

  it('keeps the error Go rejected with', async () => {
    Desk.ListRuns.mockRejectedValue('list runs: no such table: runs')
    const store = useRunsStore()
    await store.load()
    expect(store.error).toBe('list runs: no such table: runs')
  })
})
