import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest'
import { createPinia, setActivePinia } from 'pinia'
import { flushPromises } from '@vue/test-utils'
import * as Desk from 'wailsjs/go/app/Desk.js'
import { emit, listenerCount, resetRuntime } from '../fake-runtime.js'
import { FLX_TASKS_LIMIT, INBOX_TOAST_MS, useFlxStore } from '@/stores/flx.js'

vi.mock('wailsjs/go/app/Desk.js', () => import('../fake-desk.js'))
vi.mock('wailsjs/runtime/runtime.js', () => import('../fake-runtime.js'))

const ID = 'a'.repeat(64)
const PATH = '/home/ops/Downloads/pbx1.flx'
const snapshot = (overrides = {}) => ({
  id: ID,
  name: 'pbx1.flx',
  source: PATH,
  size: 2048,
  inspection: { meta: { version: '1.0', backup_type: 'system_config', file_count: 1 }, files: [{ path: 'etc/hosts', hash: 'sha256:1', size: 9 }], bytes: 9, verified: true },
  ...overrides,
})
const opened = (id = ID, path = PATH) => ({ id: 7, at: '2026-11-22T08:00:00Z', kind: 'flx:opened', subject: id, message: '', data: { id, path } })
const taskChanged = (taskId, status) => ({ id: 9, kind: 'task:changed', subject: 'uuid-web1', data: { task_id: taskId, status } })
const task = (fields) => ({ server_uuid: 'uuid-web1', server_name: 'web1', type: 'flx-restore', result: null, error: '', ...fields })
const RESULT = {
  counts: { create: 1, overwrite: 2, unchanged: 3, 'keep (user data)': 0, remove: 0 },
  changes: [{ path: 'etc/hosts', action: 'overwrite', size: 9 }],
  rollback: '/var/backups/borgdesk-flx/rollback-2026-11-22_08-00-05.flx.gz',
  dry_run: false,
}

describe('flx store', () => {
  beforeEach(() => {
    resetRuntime()
    setActivePinia(createPinia())
  })
  afterEach(() => vi.useRealTimers())

  it('start listens to flx:opened, flx:inbox and task:changed', () => {
    useFlxStore().start()
    expect(['flx:opened', 'flx:inbox', 'task:changed'].map(listenerCount)).toEqual([1, 1, 1])
  })

  it('open keeps what OpenFlx answered and asks the window to show it', async () => {
    Desk.OpenFlx.mockResolvedValue(snapshot())
    const store = useFlxStore()
    const result = await store.open(PATH)
    expect(result.ok).toBe(true)
    expect(Desk.OpenFlx).toHaveBeenCalledWith(PATH)
    expect(store.get(ID).name).toBe('pbx1.flx')
    expect(store.opened).toEqual({ id: ID, n: 1 })
    expect(store.recentSnapshots.map((f) => f.id)).toEqual([ID])
  })

  it('a damaged snapshot opens too, unverified', async () => {
    Desk.OpenFlx.mockResolvedValue(snapshot({ inspection: { ...snapshot().inspection, verified: false, error: 'etc/hosts: hash mismatch' } }))
    const store = useFlxStore()
    await store.open(PATH)
    expect(store.get(ID).inspection.error).toBe('etc/hosts: hash mismatch')
    expect(store.opened.n).toBe(1)
  })

  it('on flx:opened opens a snapshot it does not know once, though OpenFlx announces it again', async () => {
    let answer
    Desk.OpenFlx.mockReturnValue(new Promise((resolve) => (answer = resolve)))
    const store = useFlxStore()
    store.start()

    emit('flx:opened', opened())
    // OpenFlx publishes flx:opened itself, before it answers.
    emit('flx:opened', opened())
    answer(snapshot())
    await flushPromises()
    emit('flx:opened', opened())
    await flushPromises()

    expect(Desk.OpenFlx).toHaveBeenCalledTimes(1)
    expect(store.get(ID)).not.toBeNull()
    expect(store.opened.id).toBe(ID)
    expect(store.opened.n).toBeGreaterThanOrEqual(2)
  })

  it('on flx:opened for a known snapshot only shows it', async () => {
    Desk.OpenFlx.mockResolvedValue(snapshot())
    const store = useFlxStore()
    await store.open(PATH)
    emit('flx:opened', opened())
    expect(Desk.OpenFlx).toHaveBeenCalledTimes(1)
    expect(store.opened.n).toBe(2)
  })

  it('says when a snapshot Go announced cannot be opened', async () => {
    Desk.OpenFlx.mockRejectedValue('open /home/ops/Downloads/pbx1.flx: no such file or directory')
    const store = useFlxStore()
    store.start()
    emit('flx:opened', opened())
    await flushPromises()
    expect(store.openError).toEqual({ path: PATH, message: 'open /home/ops/Downloads/pbx1.flx: no such file or directory' })
    expect(store.opened.n).toBe(0)
  })

  it('an inbox snapshot that cannot be opened is said, and can be tried again', async () => {
    Desk.OpenFlx.mockRejectedValueOnce('invalid: /inbox/x.flx: unexpected end of JSON input').mockResolvedValueOnce(snapshot())
    const store = useFlxStore()
    store.start()
    emit('flx:inbox', { id: 0, kind: 'flx:inbox', subject: '', data: { path: '/inbox/x.flx' } })
    const res = await store.openArrival(store.arrivals[0])
    expect(res.ok).toBe(false)
    expect(store.openError).toEqual({ path: '/inbox/x.flx', message: 'invalid: /inbox/x.flx: unexpected end of JSON input' })
    expect((await store.retryOpen()).ok).toBe(true)
    expect(store.openError).toBeNull()
    expect(Desk.OpenFlx).toHaveBeenCalledTimes(2)
  })

  it('restore sends the request, follows the task to its end and reads the result through ListTasks', async () => {
    Desk.RestoreFlx.mockImplementation(async () => {
      // Go announces the queued task before RestoreFlx answers.
      emit('task:changed', taskChanged(31, 'queued'))
      return task({ id: 31, status: 'queued' })
    })
    Desk.ListTasks.mockResolvedValue([task({ id: 30, status: 'succeeded' }), task({ id: 31, status: 'succeeded', result: RESULT })])
    const store = useFlxStore()

    const res = await store.restore({ id: ID, server: 'uuid-web1', mode: 'merge', user: ' pbx ', dryRun: false })
    expect(res.ok).toBe(true)
    // merge sends the account too: the home a FlexPBX snapshot's home files go to.
    expect(Desk.RestoreFlx).toHaveBeenCalledWith({ id: ID, server: 'uuid-web1', mode: 'merge', user: 'pbx', dry_run: false, root: '' })
    expect(store.workOf(ID).restore).toBe(31)
    expect(store.task(31)).toMatchObject({ kind: 'restore', status: 'queued', server: 'uuid-web1' })

    emit('task:changed', taskChanged(31, 'running'))
    expect(store.task(31).status).toBe('running')
    expect(Desk.ListTasks).not.toHaveBeenCalled()

    emit('task:changed', taskChanged(31, 'succeeded'))
    const done = await store.settled(31)
    expect(Desk.ListTasks).toHaveBeenCalledWith('uuid-web1', FLX_TASKS_LIMIT)
    expect(done.result.rollback).toBe(RESULT.rollback)
    expect(done.result.counts.overwrite).toBe(2)
  })

  it('a dry run is a plan; its result may come as JSON text', async () => {
    Desk.RestoreFlx.mockResolvedValue(task({ id: 32, status: 'queued' }))
    Desk.ListTasks.mockResolvedValue([task({ id: 32, status: 'succeeded', result: JSON.stringify({ ...RESULT, rollback: '', dry_run: true }) })])
    const store = useFlxStore()
    await store.restore({ id: ID, server: 'uuid-web1', mode: 'migrate', user: ' pbx2 ', dryRun: true })
    expect(Desk.RestoreFlx).toHaveBeenCalledWith({ id: ID, server: 'uuid-web1', mode: 'migrate', user: 'pbx2', dry_run: true, root: '' })
    expect(store.workOf(ID).plan).toBe(32)
    emit('task:changed', taskChanged(32, 'succeeded'))
    const done = await store.settled(32)
    expect(done.kind).toBe('plan')
    expect(done.result.dry_run).toBe(true)
  })

  it('a finished task whose events all came before the answer is read at once', async () => {
    Desk.RestoreFlx.mockImplementation(async () => {
      emit('task:changed', taskChanged(33, 'running'))
      emit('task:changed', taskChanged(33, 'failed'))
      return task({ id: 33, status: 'queued' })
    })
    Desk.ListTasks.mockResolvedValue([task({ id: 33, status: 'failed', error: 'restore failed and was rolled back: etc/hosts: read-only file system' })])
    const store = useFlxStore()
    await store.restore({ id: ID, server: 'uuid-web1', mode: 'merge' })
    const done = await store.settled(33)
    expect(done.status).toBe('failed')
    expect(done.error).toBe('restore failed and was rolled back: etc/hosts: read-only file system')
  })

  it('refreshTasks reads the tasks still running once, for events the window missed', async () => {
    Desk.RestoreFlx.mockResolvedValueOnce(task({ id: 34, status: 'queued' })).mockResolvedValueOnce(task({ id: 35, status: 'queued' }))
    Desk.ListTasks.mockResolvedValue([task({ id: 34, status: 'succeeded', result: RESULT })])
    const store = useFlxStore()
    await store.restore({ id: ID, server: 'uuid-web1', mode: 'merge' })
    await store.restore({ id: ID, server: 'uuid-web1', mode: 'merge', dryRun: true })

    await store.refreshTasks()
    expect(Desk.ListTasks).toHaveBeenCalledTimes(2)
    expect(store.task(34)).toMatchObject({ status: 'succeeded', result: RESULT })
    // Task 35 is not among the newest any more: said, not guessed.
    expect(store.task(35)).toMatchObject({ status: 'queued', missing: true })

    await store.refreshTasks()
    expect(Desk.ListTasks).toHaveBeenCalledTimes(3)

    // A resync (Go dropped events for a slow window) reads them again too.
    emit('task:changed', { kind: 'task:changed', message: 'resync' })
    await flushPromises()
    expect(Desk.ListTasks).toHaveBeenCalledTimes(4)
  })

  it('a refused restore follows nothing', async () => {
    Desk.RestoreFlx.mockRejectedValue('not found: snapshot aaaaaaaaaaaa is not open (or failed verification): open it again')
    const store = useFlxStore()
    const res = await store.restore({ id: ID, server: 'uuid-web1', mode: 'merge' })
    expect(res).toEqual({ ok: false, value: null, error: 'not found: snapshot aaaaaaaaaaaa is not open (or failed verification): open it again' })
    expect(store.tasks).toEqual({})
    expect(store.workOf(ID).restore).toBeNull()
  })

  it('ignores tasks it does not follow', async () => {
    const store = useFlxStore()
    store.start()
    emit('task:changed', taskChanged(99, 'succeeded'))
    await flushPromises()
    expect(Desk.ListTasks).not.toHaveBeenCalled()
    expect(store.tasks).toEqual({})
  })

  it('diff keeps the comparison per snapshot, or its error', async () => {
    Desk.DiffFlx.mockResolvedValueOnce([{ path: 'etc/hosts', status: 'changed' }]).mockRejectedValueOnce('the agent of db1 did not answer within 1m0s')
    const store = useFlxStore()
    await store.diff(ID, 'uuid-web1')
    expect(Desk.DiffFlx).toHaveBeenCalledWith(ID, 'uuid-web1', '')
    expect(store.workOf(ID).diff).toEqual({ server: 'uuid-web1', root: '', entries: [{ path: 'etc/hosts', status: 'changed' }], error: '', busy: false })
    await store.diff(ID, 'uuid-db1', ' /srv/pbx-test ')
    expect(Desk.DiffFlx).toHaveBeenLastCalledWith(ID, 'uuid-db1', '/srv/pbx-test')
    expect(store.workOf(ID).diff).toMatchObject({ server: 'uuid-db1', entries: [], error: 'the agent of db1 did not answer within 1m0s' })
  })

  it('opens a snapshot picked in the file chooser, and nothing when cancelled', async () => {
    Desk.ChooseFlxFile.mockResolvedValueOnce('').mockResolvedValueOnce('/home/ops/pbx1.flx')
    Desk.OpenFlx.mockResolvedValue({ id: ID, name: 'pbx1.flx', source: '/home/ops/pbx1.flx', inspection: { verified: true } })
    const store = useFlxStore()
    expect(await store.openFromDisk('Open a configuration snapshot')).toEqual({ ok: true, value: null, error: '' })
    expect(Desk.OpenFlx).not.toHaveBeenCalled()
    const result = await store.openFromDisk('Open a configuration snapshot')
    expect(Desk.ChooseFlxFile).toHaveBeenLastCalledWith('Open a configuration snapshot')
    expect(Desk.OpenFlx).toHaveBeenCalledWith('/home/ops/pbx1.flx')
    expect(result.value.id).toBe(ID)
  })

  it('create follows the snapshot task and lists the server again when it is in', async () => {
    Desk.CreateFlx.mockResolvedValue(task({ id: 40, type: 'flx-backup', status: 'queued' }))
    Desk.ListFlx.mockResolvedValueOnce([]).mockResolvedValueOnce(['/data/flx/servers/uuid-web1/etc-2026-11-22_08-00-01.flx'])
    Desk.ListTasks.mockResolvedValue([task({ id: 40, type: 'flx-backup', status: 'succeeded', result: { name: 'etc-2026-11-22_08-00-01.flx', file_count: 3 } })])
    const store = useFlxStore()
    await store.list('uuid-web1')
    expect(store.listOf('uuid-web1')).toMatchObject({ items: [], loaded: true })

    await store.create('uuid-web1', 'etc', 'flx')
    expect(Desk.CreateFlx).toHaveBeenCalledWith('uuid-web1', 'etc', 'flx')
    expect(store.listOf('uuid-web1').create).toBe(40)
    emit('task:changed', taskChanged(40, 'succeeded'))
    await store.settled(40)
    await flushPromises()
    expect(Desk.ListFlx).toHaveBeenCalledTimes(2)
    expect(store.listOf('uuid-web1').items).toEqual(['/data/flx/servers/uuid-web1/etc-2026-11-22_08-00-01.flx'])
  })

  it('exportFlx answers where the copy went', async () => {
    Desk.ExportFlx.mockResolvedValue('/home/ops/Downloads/etc.flx')
    const store = useFlxStore()
    expect(await store.exportFlx('/data/flx/servers/u/etc.flx')).toEqual({ ok: true, value: '/home/ops/Downloads/etc.flx', error: '' })
  })

  it('an inbox arrival is a toast for a while and stays listed; opening it calls OpenFlx', async () => {
    vi.useFakeTimers()
    Desk.OpenFlx.mockResolvedValue(snapshot({ source: '/inbox/pbx1.flx' }))
    Desk.FlxInbox.mockResolvedValue('/home/ops/.local/share/borgdesk/inbox')
    const store = useFlxStore()
    store.start()
    await store.loadInbox()
    expect(store.inbox).toBe('/home/ops/.local/share/borgdesk/inbox')

    emit('flx:inbox', { id: 0, kind: 'flx:inbox', subject: '', data: { path: '/inbox/pbx1.flx' } })
    emit('flx:inbox', { id: 0, kind: 'flx:inbox', subject: '', data: { path: '/inbox/pbx2.flxx' } })
    expect(store.toasts.map((t) => t.name)).toEqual(['pbx2.flxx', 'pbx1.flx'])
    expect(Desk.OpenFlx).not.toHaveBeenCalled()

    await store.openArrival(store.arrivals[1])
    expect(Desk.OpenFlx).toHaveBeenCalledWith('/inbox/pbx1.flx')
    expect(store.toasts.map((t) => t.name)).toEqual(['pbx2.flxx'])

    vi.advanceTimersByTime(INBOX_TOAST_MS)
    expect(store.toasts).toEqual([])
    expect(store.arrivals.map((a) => a.name)).toEqual(['pbx2.flxx', 'pbx1.flx'])
  })
})
