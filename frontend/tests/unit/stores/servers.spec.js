import { beforeEach, describe, expect, it, vi } from 'vitest'
import { createPinia, setActivePinia } from 'pinia'
import * as Desk from 'wailsjs/go/app/Desk.js'
import * as Runtime from 'wailsjs/runtime/runtime.js'
import { emit, listenerCount, resetRuntime } from '../fake-runtime.js'
import { useServersStore } from '@/stores/servers.js'

vi.mock('wailsjs/go/app/Desk.js', () => import('../fake-desk.js'))
vi.mock('wailsjs/runtime/runtime.js', () => import('../fake-runtime.js'))

const web1 = { id: 1, name: 'web1', host: 'web1.lan', port: 22, user: 'borg', status: 'online' }
const web2 = { id: 2, name: 'web2', host: 'web2.lan', port: 22, user: 'borg', status: 'pending' }

describe('servers store', () => {
  beforeEach(() => {
    resetRuntime()
    setActivePinia(createPinia())
  })

  it('loads the servers through ListServers', async () => {
    Desk.ListServers.mockResolvedValue([web1])
    const store = useServersStore()
    expect(store.loaded).toBe(false)

    await store.load()

    expect(Desk.ListServers).toHaveBeenCalledTimes(1)
    expect(store.items).toEqual([web1])
    expect(store.loaded).toBe(true)
    expect(store.isEmpty).toBe(false)
    expect(store.error).toBe('')
  })

  it('is empty only once an empty list has arrived', async () => {
    Desk.ListServers.mockResolvedValue([])
    const store = useServersStore()
    expect(store.isEmpty).toBe(false)
    await store.load()
    expect(store.isEmpty).toBe(true)
  })

  it('keeps the error Go rejected with', async () => {
    Desk.ListServers.mockRejectedValue('list servers: database is locked')
    const store = useServersStore()

    await store.load()

    expect(store.error).toBe('list servers: database is locked')
    expect(store.loaded).toBe(false)
    expect(store.isEmpty).toBe(false)
  })

  it('refreshes when Go emits server:changed', async () => {
    Desk.ListServers.mockResolvedValueOnce([web1]).mockResolvedValueOnce([web1, web2])
    const store = useServersStore()
    await store.load()
    expect(Runtime.EventsOn).toHaveBeenCalledWith('server:changed', expect.any(Function))

    emit('server:changed', { id: 9, kind: 'server.enrolled', subject: 'web2' })

    await vi.waitFor(() => expect(store.items).toEqual([web1, web2]))
    expect(Desk.ListServers).toHaveBeenCalledTimes(2)
  })

  it('subscribes once however often it loads', async () => {
    Desk.ListServers.mockResolvedValue([])
    const store = useServersStore()
    await store.load()
    await store.load()
    expect(listenerCount('server:changed')).toBe(1)
  })

  it('collapses a burst of events into one more fetch', async () => {
    let release
    Desk.ListServers.mockResolvedValueOnce([]).mockImplementationOnce(
      () => new Promise((resolve) => (release = resolve)),
    )
    Desk.ListServers.mockResolvedValue([web1, web2])
    const store = useServersStore()
    await store.load()

    for (let i = 0; i < 5; i++) emit('server:changed', { id: i })
    await vi.waitFor(() => expect(release).toBeTypeOf('function'))
    release([web1])

    await vi.waitFor(() => expect(store.items).toEqual([web1, web2]))
    expect(Desk.ListServers).toHaveBeenCalledTimes(3)
  })

  it('shows a missing Wails runtime as an error', async () => {
    Runtime.EventsOn.mockImplementationOnce(() => {
      throw new TypeError("Cannot read properties of undefined (reading 'EventsOnMultiple')")
    })
    const store = useServersStore()

    await store.load()

    expect(store.error).toMatch(/EventsOnMultiple/)
    expect(Desk.ListServers).not.toHaveBeenCalled()
  })
})
