import { beforeEach, describe, expect, it, vi } from 'vitest'
import { createPinia, setActivePinia } from 'pinia'
import * as Desk from 'wailsjs/go/app/Desk.js'
import { emit, resetRuntime } from '../fake-runtime.js'
import { ALL_SERVERS, useArchivesStore } from '@/stores/archives.js'

vi.mock('wailsjs/go/app/Desk.js', () => import('../fake-desk.js'))
vi.mock('wailsjs/runtime/runtime.js', () => import('../fake-runtime.js'))

// As ListArchives sends them: oldest first, borg's local time without a zone.
const older = { name: 'etc@2026-11-21T03.00.00Z', id: 'aa11', time: '2026-11-21T03:00:04.000000', job: 'etc' }
const newer = { name: 'etc@2026-11-22T03.00.00Z', id: 'bb22', time: '2026-11-22T03:00:05.123456', job: 'etc' }

describe('archives store', () => {
  beforeEach(() => {
    resetRuntime()
    setActivePinia(createPinia())
  })

  it('lists the archives of the server picked, newest first, with their time read', async () => {
    Desk.ListArchives.mockResolvedValue([older, newer])
    const store = useArchivesStore()
    await store.select('uuid-web1')

    expect(Desk.ListArchives).toHaveBeenCalledWith('uuid-web1')
    expect(store.items.map((a) => a.name)).toEqual([newer.name, older.name])
    const d = store.items[0].date
    expect([d.getFullYear(), d.getMonth(), d.getDate(), d.getHours(), d.getMinutes(), d.getSeconds(), d.getMilliseconds()]).toEqual([
      2026, 10, 22, 3, 0, 5, 123,
    ])
    expect(store.isEmpty).toBe(false)
  })

  it('lists every server at once, each archive naming its server', async () => {
    Desk.ListArchives.mockImplementation(async (uuid) => (uuid === 'uuid-web1' ? [older] : [newer]))
    const store = useArchivesStore()
    await store.select(ALL_SERVERS, [
      { uuid: 'uuid-web1', name: 'web1' },
      { uuid: 'uuid-db1', name: 'db1' },
    ])
    expect(Desk.ListArchives.mock.calls.map((c) => c[0]).sort()).toEqual(['uuid-db1', 'uuid-web1'])
    expect(store.items.map((a) => [a.name, a.server_name, a.server_uuid])).toEqual([
      [newer.name, 'db1', 'uuid-db1'],
      [older.name, 'web1', 'uuid-web1'],
    ])
    // A backup finishing on any server refreshes the list.
    emit('run:progress', { id: 5, subject: 'uuid-db1', data: { status: 'succeeded' } })
    await vi.waitFor(() => expect(Desk.ListArchives).toHaveBeenCalledTimes(4))
  })

  it('is empty for a repository without archives', async () => {
    Desk.ListArchives.mockResolvedValue([])
    const store = useArchivesStore()
    await store.select('uuid-web1')
    expect(store.isEmpty).toBe(true)
  })

  it('drops an answer for a server no longer picked', async () => {
    let first
    Desk.ListArchives.mockReturnValueOnce(new Promise((resolve) => (first = resolve))).mockResolvedValueOnce([newer])
    const store = useArchivesStore()
    const pending = store.select('uuid-web1')
    store.select('uuid-db1')
    first([older])
    await pending
    await vi.waitFor(() => expect(store.items.map((a) => a.id)).toEqual(['bb22']))
    expect(store.server).toBe('uuid-db1')
  })

  it('shows the error Go refused with', async () => {
    Desk.ListArchives.mockRejectedValue('unavailable: this coordinator holds no repositories')
    const store = useArchivesStore()
    await store.select('uuid-web1')
    expect(store.error).toBe('unavailable: this coordinator holds no repositories')
    expect(store.loaded).toBe(false)
  })

  it('lists again when a backup of that server finished or its job was pruned, and only then', async () => {
    Desk.ListArchives.mockResolvedValue([older])
    const store = useArchivesStore()
    await store.select('uuid-web1')

    emit('run:progress', { id: 0, subject: 'uuid-web1', data: { run_id: 3, status: 'running', bytes: 5 } })
    emit('run:progress', { id: 8, subject: 'uuid-web1', data: { run_id: 3, status: 'running' } })
    emit('run:progress', { id: 9, subject: 'uuid-db1', data: { run_id: 4, status: 'succeeded' } })
    await Promise.resolve()
    expect(Desk.ListArchives).toHaveBeenCalledTimes(1)

    emit('run:progress', { id: 10, subject: 'uuid-web1', data: { run_id: 3, status: 'succeeded' } })
    await vi.waitFor(() => expect(Desk.ListArchives).toHaveBeenCalledTimes(2))
    emit('job:changed', { id: 11, subject: 'uuid-web1', data: { job_id: 1 } })
    await vi.waitFor(() => expect(Desk.ListArchives).toHaveBeenCalledTimes(3))
  })
  it('lists again when the catalog indexed that server after a backup, a live event with id 0', async () => {
    Desk.ListArchives.mockResolvedValue([older])
    const store = useArchivesStore()
    await store.select('uuid-web1')

    // Other live job:changed events (the repository's size) do not list again.
    emit('job:changed', { id: 0, subject: 'uuid-web1', data: { storage: true } })
    emit('job:changed', { id: 0, subject: 'uuid-db1', data: { catalog_indexed: 1, catalog_forgotten: 0 } })
    await Promise.resolve()
    expect(Desk.ListArchives).toHaveBeenCalledTimes(1)

    emit('job:changed', { id: 0, subject: 'uuid-web1', data: { catalog_indexed: 1, catalog_forgotten: 0 } })
    await vi.waitFor(() => expect(Desk.ListArchives).toHaveBeenCalledTimes(2))
  })

  it('deletes, keeps and renames an archive through Go, then lists again', async () => {
    let listed = [older, newer]
    Desk.ListArchives.mockImplementation(async () => listed)
    const store = useArchivesStore()
    await store.select('uuid-web1')

    Desk.DeleteArchive.mockImplementation(async () => {
      listed = [newer]
      return { server: 'web1', archive: older.name, freed_bytes: 2048 }
    })
    const deleted = await store.remove('uuid-web1', older.name, older.name)
    expect(Desk.DeleteArchive).toHaveBeenCalledWith('uuid-web1', older.name, older.name)
    expect(deleted).toEqual({ ok: true, value: { server: 'web1', archive: older.name, freed_bytes: 2048 } })
    expect(store.items.map((a) => a.name)).toEqual([newer.name])

    Desk.KeepArchive.mockImplementation(async () => {
      listed = [{ ...newer, keep_forever: true }]
    })
    expect(await store.keepForever('uuid-web1', newer.name, true)).toEqual({ ok: true, value: undefined })
    expect(Desk.KeepArchive).toHaveBeenCalledWith('uuid-web1', newer.name, true)
    expect(store.items[0].keep_forever).toBe(true)

    Desk.RenameArchive.mockResolvedValue({ server: 'web1', archive: 'etc@golden', comment: 'before the upgrade' })
    const renamed = await store.rename('uuid-web1', newer.name, 'etc@golden', 'before the upgrade')
    expect(Desk.RenameArchive).toHaveBeenCalledWith({ server: 'uuid-web1', archive: newer.name, new_name: 'etc@golden', comment: 'before the upgrade' })
    expect(renamed.ok).toBe(true)
    expect(Desk.ListArchives).toHaveBeenCalledTimes(4)
  })

  it("answers Go's sentence when a change is refused, and lists nothing again", async () => {
    Desk.ListArchives.mockResolvedValue([older])
    const store = useArchivesStore()
    await store.select('uuid-web1')
    const busy = 'the repository of web1 is busy: a backup, check or prune holds its lock and Borgdesk waited 60 s for it; nothing was changed — delete archive etc@1 again when it has finished'
    Desk.DeleteArchive.mockRejectedValue(busy)
    expect(await store.remove('uuid-web1', older.name, older.name)).toEqual({ ok: false, error: busy })
    Desk.RenameArchive.mockRejectedValue(new Error('web1 already has an archive named etc@2; pick another name'))
    expect(await store.rename('uuid-web1', older.name, 'etc@2', '')).toEqual({ ok: false, error: 'web1 already has an archive named etc@2; pick another name' })
    expect(Desk.ListArchives).toHaveBeenCalledTimes(1)
    expect(store.items.map((a) => a.name)).toEqual([older.name])
  })
})
