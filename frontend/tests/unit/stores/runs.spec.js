import { beforeEach, describe, expect, it, vi } from 'vitest'
import { createPinia, setActivePinia } from 'pinia'
import * as Desk from 'wailsjs/go/app/Desk.js'
import { emit, resetRuntime } from '../fake-runtime.js'
import { RUNS_LIMIT, useRunsStore } from '@/stores/runs.js'

vi.mock('wailsjs/go/app/Desk.js', () => import('../fake-desk.js'))
vi.mock('wailsjs/runtime/runtime.js', () => import('../fake-runtime.js'))

const run = (id, status) => ({ id, job_id: 1, job_name: 'etc', server_name: 'web1', status, bytes: 10, files: 1 })

describe('runs store', () => {
  beforeEach(() => {
    resetRuntime()
    setActivePinia(createPinia())
  })

  it('asks ListRuns for a bounded number of runs', async () => {
    Desk.ListRuns.mockResolvedValue([run(1, 'running')])
    const store = useRunsStore()
    await store.load()
    expect(Desk.ListRuns).toHaveBeenCalledWith(RUNS_LIMIT)
    expect(RUNS_LIMIT).toBe(200)
    expect(store.items).toHaveLength(1)
  })

  it('derives the archives from the runs that left one', async () => {
    Desk.ListRuns.mockResolvedValue([run(1, 'succeeded'), run(2, 'failed'), run(3, 'running'), run(4, 'warning')])
    const store = useRunsStore()
    await store.load()
    expect(store.archives.map((r) => r.id)).toEqual([1, 4])
  })

  it('refreshes on run:progress', async () => {
    Desk.ListRuns.mockResolvedValueOnce([run(1, 'running')]).mockResolvedValueOnce([run(1, 'succeeded')])
    const store = useRunsStore()
    await store.load()
    expect(store.archives).toEqual([])

    emit('run:progress', { id: 5, kind: 'run.finished', subject: 'web1' })

    await vi.waitFor(() => expect(store.items[0].status).toBe('succeeded'))
    expect(store.archives).toHaveLength(1)
  })

  it('keeps the error Go rejected with', async () => {
    Desk.ListRuns.mockRejectedValue('list runs: no such table: runs')
    const store = useRunsStore()
    await store.load()
    expect(store.error).toBe('list runs: no such table: runs')
  })
})
