import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest'
import { createPinia, setActivePinia } from 'pinia'
import * as Desk from 'wailsjs/go/app/Desk.js'
import { emit, listenerCount, resetRuntime } from '../fake-runtime.js'
import { LOGGED_EVENTS } from '@/events.js'
import { EVENTS_LIMIT, TOAST_MS, useEventsStore } from '@/stores/events.js'

vi.mock('wailsjs/go/app/Desk.js', () => import('../fake-desk.js'))
vi.mock('wailsjs/runtime/runtime.js', () => import('../fake-runtime.js'))

const ev = (id, kind = 'server.seen') => ({ id, at: '2026-11-22T08:00:00Z', kind, subject: 'web1', message: `m${id}` })

describe('events store', () => {
  beforeEach(() => {
    resetRuntime()
    setActivePinia(createPinia())
  })
  afterEach(() => vi.useRealTimers())

  it('loads the latest events through ListEvents', async () => {
    Desk.ListEvents.mockResolvedValue([ev(2), ev(1)])
    const store = useEventsStore()
    await store.load()
    expect(Desk.ListEvents).toHaveBeenCalledWith(EVENTS_LIMIT)
    expect(store.items.map((e) => e.id)).toEqual([2, 1])
  })

  it('puts an emitted event on top without fetching again', async () => {
    Desk.ListEvents.mockResolvedValue([ev(1)])
    const store = useEventsStore()
    await store.load()

    emit('job:changed', ev(2, 'job.created'))
    emit('job:changed', ev(2, 'job.created'))

    expect(store.items.map((e) => e.id)).toEqual([2, 1])
    expect(Desk.ListEvents).toHaveBeenCalledTimes(1)
  })

  it('keeps no more than the limit', async () => {
    Desk.ListEvents.mockResolvedValue(Array.from({ length: EVENTS_LIMIT }, (_, i) => ev(i)))
    const store = useEventsStore()
    await store.load()
    emit('server:changed', ev(1000))
    expect(store.items).toHaveLength(EVENTS_LIMIT)
    expect(store.items[0].id).toBe(1000)
  })

  it('start subscribes to every logged event without loading', () => {
    const store = useEventsStore()
    store.start()
    for (const name of LOGGED_EVENTS) expect(listenerCount(name)).toBe(1)
    expect(LOGGED_EVENTS).toContain('task:changed')
    expect(LOGGED_EVENTS).not.toContain('agent:heartbeat')
    expect(listenerCount('agent:heartbeat')).toBe(0)
    expect(Desk.ListEvents).not.toHaveBeenCalled()
  })

  it('keeps heartbeats and other unpersisted records out of the list', async () => {
    Desk.ListEvents.mockResolvedValue([ev(1)])
    const store = useEventsStore()
    await store.load()

    emit('agent:heartbeat', { ...ev(0, 'agent.heartbeat'), data: { server_id: 1 } })
    emit('server:changed', { ...ev(0), id: 0 })
    emit('task:changed', { ...ev(3, 'task.succeeded'), data: { task_id: 17, status: 'succeeded' } })

    expect(store.items.map((e) => e.id)).toEqual([3, 1])
  })

  it('shows a notification as a toast until it times out', () => {
    vi.useFakeTimers()
    const store = useEventsStore()
    store.start()

    emit('notification', ev(7, 'run.failed'))
    expect(store.toasts.map((t) => t.id)).toEqual([7])
    emit('server:changed', ev(8))
    expect(store.toasts).toHaveLength(1)

    vi.advanceTimersByTime(TOAST_MS - 1)
    expect(store.toasts).toHaveLength(1)
    vi.advanceTimersByTime(1)
    expect(store.toasts).toHaveLength(0)
  })

  it('dismisses a toast on request', () => {
    const store = useEventsStore()
    store.start()
    emit('notification', ev(7))
    emit('notification', ev(9))
    store.dismiss(7)
    expect(store.toasts.map((t) => t.id)).toEqual([9])
  })
})
