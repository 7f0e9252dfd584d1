import { beforeEach, describe, expect, it, vi } from 'vitest'
import { createPinia, setActivePinia } from 'pinia'
import * as Desk from 'wailsjs/go/app/Desk.js'
import { useBrowseStore } from '@/stores/browse.js'

vi.mock('wailsjs/go/app/Desk.js', () => import('../fake-desk.js'))
vi.mock('wailsjs/runtime/runtime.js', () => import('../fake-runtime.js'))

const dir = (path, children = 1) => ({ name: path.split('/').pop(), path, type: 'd', size: 0, children })
const file = (path, size = 10) => ({ name: path.split('/').pop(), path, type: '-', size })
const TREE = {
  '': [dir('etc'), dir('var')],
  etc: [file('etc/hosts'), file('etc/big.iso', 4e9)],
}
const listing = (d) => ({ archive: 'a1', dir: d, entries: TREE[d], total: TREE[d].length, truncated: false })

describe('browse store', () => {
  beforeEach(() => {
    setActivePinia(createPinia())
    Desk.BrowseArchive.mockImplementation(async (s, a, d) => {
      if (!TREE[d]) throw `${d} is not in archive ${a}`
      return listing(d)
    })
  })

  it('lists the root on open, and a folder only when it is opened, once', async () => {
    const store = useBrowseStore()
    await store.open('uuid-web1', 'a1')
    expect(Desk.BrowseArchive.mock.calls).toEqual([['uuid-web1', 'a1', '']])
    expect(store.rows.map((r) => r.entry.path)).toEqual(['etc', 'var'])

    await store.toggle(TREE[''][0])
    expect(Desk.BrowseArchive.mock.calls.map((c) => c[2])).toEqual(['', 'etc'])
    expect(store.rows.map((r) => r.entry?.path)).toEqual(['etc', 'etc/hosts', 'etc/big.iso', 'var'])

    await store.toggle(TREE[''][0])
    await store.toggle(TREE[''][0])
    expect(Desk.BrowseArchive).toHaveBeenCalledTimes(2)

    // Opening the same archive again lists nothing again.
    await store.open('uuid-web1', 'a1')
    expect(Desk.BrowseArchive).toHaveBeenCalledTimes(2)
  })

  it('a folder that cannot be listed shows its error in place', async () => {
    const store = useBrowseStore()
    await store.open('uuid-web1', 'a1')
    await store.toggle(TREE[''][1])
    expect(store.rows.at(-1)).toMatchObject({ kind: 'error', dir: 'var', error: 'var is not in archive a1' })
    expect(store.rootError).toBe('')
  })

  it('an archive that cannot be listed at all (pruned) gives a root error', async () => {
    Desk.BrowseArchive.mockRejectedValue('archive a0 of web1 is no longer in the repository (pruned at 2026-11-21); pick another archive')
    const store = useBrowseStore()
    await store.open('uuid-web1', 'a0')
    expect(store.rootError).toContain('no longer in the repository')
    expect(store.rows).toEqual([])
  })

  it('previews a small file when it is picked, a large one only when asked', async () => {
    Desk.PreviewFile.mockResolvedValue({ path: 'etc/hosts', size: 10, text: '127.0.0.1 localhost', binary: false, truncated: false })
    const store = useBrowseStore()
    await store.open('uuid-web1', 'a1')
    await store.pick(file('etc/hosts'))
    expect(Desk.PreviewFile).toHaveBeenCalledWith('uuid-web1', 'a1', 'etc/hosts')
    expect(store.preview.value.text).toBe('127.0.0.1 localhost')
    await store.pick(file('etc/big.iso', 4e9))
    expect(Desk.PreviewFile).toHaveBeenCalledTimes(1)
    expect(store.preview).toBeNull()
    await store.pick(dir('etc'))
    expect(Desk.PreviewFile).toHaveBeenCalledTimes(1)
  })

  it('another archive starts from nothing: listings, selection and details', async () => {
    const store = useBrowseStore()
    await store.open('uuid-web1', 'a1')
    store.select('etc')
    await store.pick(dir('etc'))
    await store.open('uuid-web1', 'a2')
    expect(store.selected).toEqual([])
    expect(store.current).toBeNull()
    expect(Desk.BrowseArchive.mock.calls.map((c) => c[1])).toEqual(['a1', 'a2'])
  })
})
