import { beforeEach, describe, expect, it, vi } from 'vitest'
import { createPinia, setActivePinia } from 'pinia'
import { flushPromises } from '@vue/test-utils'
import * as Desk from 'wailsjs/go/app/Desk.js'
import { emit, resetRuntime } from '../fake-runtime.js'
import { UNCONFIRMED, hostedRecord, nodeRecord } from '../target-records.js'
import { useTargetsStore } from '@/stores/targets.js'

vi.mock('wailsjs/go/app/Desk.js', () => import('../fake-desk.js'))
vi.mock('wailsjs/runtime/runtime.js', () => import('../fake-runtime.js'))

describe('targets store', () => {
  beforeEach(() => {
    resetRuntime()
    setActivePinia(createPinia())
    Desk.ListTargets.mockResolvedValue([nodeRecord()])
    Desk.RepoTargets.mockResolvedValue({ 1: 'nas1' })
  })

  it('reads the targets and where each repository lives together', async () => {
    const store = useTargetsStore()
    await store.load()
    expect(store.items.map((t) => t.name)).toEqual(['nas1'])
    expect(store.repoTargets).toEqual({ 1: 'nas1' })
    expect(store.loaded).toBe(true)
  })

  it('takes Go’s nulls for an empty fleet', async () => {
    Desk.ListTargets.mockResolvedValue(null)
    Desk.RepoTargets.mockResolvedValue(null)
    const store = useTargetsStore()
    await store.load()
    expect(store.items).toEqual([])
    expect(store.repoTargets).toEqual({})
  })

  it('shows a failed read as Go said it', async () => {
    Desk.RepoTargets.mockRejectedValue('database is locked')
    const store = useTargetsStore()
    await store.load()
    expect(store.error).toBe('database is locked')
    expect(store.loaded).toBe(false)
  })

  it('reads again on server:changed (a new node, a moved repository)', async () => {
    const store = useTargetsStore()
    await store.load()
    Desk.RepoTargets.mockResolvedValue({ 1: 'nas1', 2: 'nas1' })
    emit('server:changed', { id: 5, kind: 'server:changed', subject: 'uuid-db1', message: 'the repository of db1 now lives on nas1', data: { id: 2 } })
    await flushPromises()
    expect(store.repoTargets).toEqual({ 1: 'nas1', 2: 'nas1' })
  })

  it('reads the list after adding a node, even when the agent did not answer', async () => {
    const store = useTargetsStore()
    Desk.AddStorageNode.mockRejectedValue('storage node nas1: task 7 did not finish within 2m0s')
    Desk.ListTargets.mockResolvedValue([nodeRecord({ status: 'failing' })])
    const res = await store.addNode({ server: 'uuid-nas1', name: '', listen: ':2222', address: '', dir: '/srv' })
    await flushPromises()
    expect(res).toMatchObject({ ok: false, error: expect.stringContaining('did not finish') })
    expect(Desk.AddStorageNode).toHaveBeenCalledWith({ server: 'uuid-nas1', name: '', listen: ':2222', address: '', dir: '/srv' })
    expect(store.items[0].status).toBe('failing')
  })

  it('hands the unconfirmed-key refusal back to the dialog', async () => {
    const store = useTargetsStore()
    Desk.AddHostedTarget.mockRejectedValue(UNCONFIRMED)
    const res = await store.addHosted({ name: 'box' })
    expect(res).toEqual({ ok: false, value: null, error: UNCONFIRMED })
    expect(Desk.ListTargets).not.toHaveBeenCalled()
  })

  it('a check replaces the target with Go’s answer, a failed one reads the list', async () => {
    const store = useTargetsStore()
    Desk.ListTargets.mockResolvedValue([nodeRecord(), hostedRecord()])
    await store.load()
    Desk.CheckTarget.mockResolvedValue(hostedRecord({ status: 'ready' }))
    expect((await store.check('box')).ok).toBe(true)
    expect(store.items[1].status).toBe('ready')

    Desk.CheckTarget.mockRejectedValue('unavailable: box refused the coordinator’s connection')
    Desk.ListTargets.mockResolvedValue([nodeRecord(), hostedRecord({ status: 'failing', last_error: 'refused' })])
    const failed = await store.check('box')
    await flushPromises()
    expect(failed.ok).toBe(false)
    expect(store.items[1]).toMatchObject({ status: 'failing', last_error: 'refused' })
  })

  it('keeps a target Go refused to remove', async () => {
    const store = useTargetsStore()
    await store.load()
    Desk.RemoveTarget.mockRejectedValue('1 repositories live on this target; move them first: conflict')
    const res = await store.remove('nas1')
    expect(res.error).toContain('move them first')
    expect(store.items).toHaveLength(1)

    Desk.RemoveTarget.mockResolvedValue(undefined)
    Desk.ListTargets.mockResolvedValue([])
    expect((await store.remove('nas1')).ok).toBe(true)
    expect(store.items).toEqual([])
  })

  it('hostedKeys answers a list even for Go’s null', async () => {
    const store = useTargetsStore()
    Desk.HostedKeys.mockResolvedValue(null)
    expect(await store.hostedKeys('box')).toEqual({ ok: true, value: [], error: '' })
  })
})
