import { beforeEach, describe, expect, it, vi } from 'vitest'
import { createPinia, setActivePinia } from 'pinia'
import { flushPromises } from '@vue/test-utils'
import * as Desk from 'wailsjs/go/app/Desk.js'
import { emit, resetRuntime } from '../fake-runtime.js'
import { useMountsStore } from '@/stores/mounts.js'

vi.mock('wailsjs/go/app/Desk.js', () => import('../fake-desk.js'))
vi.mock('wailsjs/runtime/runtime.js', () => import('../fake-runtime.js'))

const M = { dir: '/run/user/1000/borgdesk/web1/a1', kind: 'archive', server: 'uuid-web1', archive: 'a1', source: '', since: '2026-11-22T08:00:00Z' }

describe('mounts store', () => {
  beforeEach(() => {
    resetRuntime()
    setActivePinia(createPinia())
  })

  it('mount lets Go pick the folder and lists the mount at once', async () => {
    Desk.Mount.mockResolvedValue(M)
    const store = useMountsStore()
    const result = await store.mount('uuid-web1', 'a1')
    expect(Desk.Mount).toHaveBeenCalledWith('uuid-web1', 'a1', '')
    expect(result.value.dir).toBe(M.dir)
    expect(store.items).toEqual([M])
  })

  it('reads the list again on mount:changed', async () => {
    Desk.ListMounts.mockResolvedValue([])
    const store = useMountsStore()
    await store.load()
    Desk.ListMounts.mockResolvedValue([M])
    emit('mount:changed', { id: 1, kind: 'mount:changed', data: null })
    await flushPromises()
    expect(store.items).toEqual([M])
  })

  it('a busy unmount keeps the mount and says why', async () => {
    Desk.ListMounts.mockResolvedValue([M])
    const store = useMountsStore()
    await store.load()
    Desk.Unmount.mockRejectedValue(`${M.dir} is in use by bash (pid 4242); close it and try again`)
    const busy = await store.unmount(M.dir)
    expect(busy.ok).toBe(false)
    expect(busy.error).toContain('pid 4242')
    expect(store.items).toHaveLength(1)
    Desk.Unmount.mockResolvedValue(undefined)
    expect((await store.unmount(M.dir)).ok).toBe(true)
    expect(store.items).toEqual([])
  })
})
