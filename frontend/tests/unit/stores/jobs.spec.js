import { beforeEach, describe, expect, it, vi } from 'vitest'
import { createPinia, setActivePinia } from 'pinia'
import * as Desk from 'wailsjs/go/app/Desk.js'
import { emit, resetRuntime } from '../fake-runtime.js'
import { useJobsStore } from '@/stores/jobs.js'

vi.mock('wailsjs/go/app/Desk.js', () => import('../fake-desk.js'))
vi.mock('wailsjs/runtime/runtime.js', () => import('../fake-runtime.js'))

const job = { id: 1, server_id: 1, server_name: 'web1', name: 'etc', kind: 'files', spec: '{}', schedule: '@daily', enabled: true }

describe('jobs store', () => {
  beforeEach(() => {
    resetRuntime()
    setActivePinia(createPinia())
  })

  it('loads the jobs through ListJobs', async () => {
    Desk.ListJobs.mockResolvedValue([job])
    const store = useJobsStore()
    await store.load()
    expect(Desk.ListJobs).toHaveBeenCalledTimes(1)
    expect(store.items).toEqual([job])
    expect(store.isEmpty).toBe(false)
  })

  it('keeps the error Go rejected with and the last good list', async () => {
    Desk.ListJobs.mockResolvedValueOnce([job]).mockRejectedValueOnce(new Error('list jobs: disk I/O error'))
    const store = useJobsStore()
    await store.load()
    await store.load()
    expect(store.error).toBe('list jobs: disk I/O error')
    expect(store.items).toEqual([job])
  })

  it('refreshes on job:changed and clears an old error', async () => {
    Desk.ListJobs.mockRejectedValueOnce('boom').mockResolvedValueOnce([]).mockResolvedValueOnce([job])
    const store = useJobsStore()
    await store.load()
    await store.load()
    expect(store.error).toBe('')
    expect(store.isEmpty).toBe(true)

    emit('job:changed', { id: 3, kind: 'job.created', subject: 'etc' })

    await vi.waitFor(() => expect(store.items).toEqual([job]))
    expect(Desk.ListJobs).toHaveBeenCalledTimes(3)
  })

  it('ignores events meant for other stores', async () => {
    Desk.ListJobs.mockResolvedValue([])
    const store = useJobsStore()
    await store.load()
    emit('server:changed', { id: 1 })
    emit('run:progress', { id: 2 })
    await new Promise((r) => setTimeout(r, 0))
    expect(Desk.ListJobs).toHaveBeenCalledTimes(1)
  })
})
