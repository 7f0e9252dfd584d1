import { beforeEach, describe, expect, it, vi } from 'vitest'
import { createPinia, setActivePinia } from 'pinia'
import { flushPromises } from '@vue/test-utils'
import * as Desk from 'wailsjs/go/app/Desk.js'
import { emit, listenerCount, resetRuntime } from '../fake-runtime.js'
import { useRestoreStore } from '@/stores/restore.js'

vi.mock('wailsjs/go/app/Desk.js', () => import('../fake-desk.js'))
vi.mock('wailsjs/runtime/runtime.js', () => import('../fake-runtime.js'))

const REQUEST = { server: 'uuid-web1', archive: 'a1', paths: ['etc'], to: '', target_server: '', policy: 'skip' }
const changed = (data) => ({ id: 0, kind: 'task:changed', subject: 'uuid-web1', data })
const PROGRESS = { files: 10, total_files: 40, bytes: 100, total_bytes: 400, path: 'etc/hosts', bytes_per_sec: 50, eta_sec: 6, phase: 'extracting' }
const RESULT = { to: '', files: 40, bytes: 400, overwritten: 0, skipped: 2, renamed: 0, written: ['/etc/hosts'], log: '' }

describe('restore store', () => {
  beforeEach(() => {
    resetRuntime()
    setActivePinia(createPinia())
  })

  it('follows a restore through task:changed, then reads its result with GetTask', async () => {
    Desk.StartRestore.mockResolvedValue({ id: 71, status: 'queued' })
    const store = useRestoreStore()
    const started = await store.restoreFiles(REQUEST)
    expect(Desk.StartRestore).toHaveBeenCalledWith(REQUEST)
    expect(started.value.status).toBe('queued')
    expect(listenerCount('task:changed')).toBe(1)

    emit('task:changed', changed({ task_id: 71, status: 'running', progress: PROGRESS }))
    expect(store.task(71)).toMatchObject({ status: 'running', progress: PROGRESS })
    expect(Desk.GetTask).not.toHaveBeenCalled()

    // Another task's news is not this one's.
    emit('task:changed', changed({ task_id: 99, status: 'failed' }))
    expect(store.task(71).status).toBe('running')

    Desk.GetTask.mockResolvedValue({ id: 71, status: 'succeeded', progress: null, result: JSON.stringify(RESULT), error: '' })
    emit('task:changed', changed({ task_id: 71, status: 'succeeded' }))
    await flushPromises()
    expect(Desk.GetTask).toHaveBeenCalledWith(71)
    expect(store.task(71)).toMatchObject({ status: 'succeeded', result: RESULT })
  })

  it('takes in what was heard before StartRestore answered, and never moves back', async () => {
    let answer
    Desk.StartRestore.mockReturnValue(new Promise((resolve) => (answer = resolve)))
    const store = useRestoreStore()
    const pending = store.restoreFiles(REQUEST)
    emit('task:changed', changed({ task_id: 72, status: 'running', progress: PROGRESS }))
    answer({ id: 72, status: 'queued' })
    await pending
    expect(store.task(72)).toMatchObject({ status: 'running', progress: PROGRESS })
    emit('task:changed', changed({ task_id: 72, status: 'dispatched', progress: PROGRESS }))
    expect(store.task(72).status).toBe('running')
  })

  it('an event without progress is read with GetTask', async () => {
    Desk.StartRestore.mockResolvedValue({ id: 73, status: 'queued' })
    Desk.GetTask.mockResolvedValue({ id: 73, status: 'running', progress: PROGRESS, result: null, error: '' })
    const store = useRestoreStore()
    await store.restoreFiles(REQUEST)
    emit('task:changed', changed({ id: 73, status: 'running' }))
    await flushPromises()
    expect(store.task(73).progress).toEqual(PROGRESS)
  })

  it('cancel asks Go and keeps what it answers', async () => {
    Desk.StartRestore.mockResolvedValue({ id: 74, status: 'running' })
    Desk.CancelTask.mockResolvedValue({ id: 74, status: 'cancelled', result: { ...RESULT, files: 3 }, error: 'cancelled after 3 files' })
    const store = useRestoreStore()
    await store.restoreFiles(REQUEST)
    const result = await store.cancel(74)
    expect(result.ok).toBe(true)
    expect(Desk.CancelTask).toHaveBeenCalledWith(74)
    expect(store.task(74)).toMatchObject({ status: 'cancelled', cancelling: false, error: 'cancelled after 3 files' })
    expect(store.task(74).result.files).toBe(3)
  })

  it('a refused start is reported as Go said it and followed nowhere', async () => {
    Desk.RestoreDatabase.mockRejectedValue('confirm: type shop to replace it')
    const store = useRestoreStore()
    const result = await store.restoreDatabase({ mode: 'replace' })
    expect(result).toEqual({ ok: false, value: null, error: 'confirm: type shop to replace it' })
    expect(store.tasks).toEqual({})
  })
})

describe('restore store, waiting states', () => {
  beforeEach(() => {
    resetRuntime()
    setActivePinia(createPinia())
  })

  it('queued and dispatched carry no progress and cost no GetTask', async () => {
    Desk.StartRestore.mockResolvedValue({ id: 75, status: 'queued' })
    const store = useRestoreStore()
    await store.restoreFiles(REQUEST)
    emit('task:changed', changed({ task_id: 75, status: 'dispatched', progress: null }))
    await flushPromises()
    expect(store.task(75).status).toBe('dispatched')
    expect(Desk.GetTask).not.toHaveBeenCalled()
  })

  it('lists the last restores among the newest tasks and reads them again as tasks change', async () => {
    Desk.ListTasks.mockResolvedValue([
      { id: 9, type: 'restore', status: 'running' },
      { id: 8, type: 'backup', status: 'succeeded' },
      { id: 7, type: 'db-restore', status: 'succeeded' },
    ])
    const store = useRestoreStore()
    await store.loadRecent()
    expect(Desk.ListTasks).toHaveBeenCalledWith('', 200)
    expect(store.recent.map((t) => t.id)).toEqual([9, 7])
    emit('task:changed', { id: 1, data: { task_id: 9, status: 'succeeded' } })
    await vi.waitFor(() => expect(Desk.ListTasks).toHaveBeenCalledTimes(2))
  })
})
