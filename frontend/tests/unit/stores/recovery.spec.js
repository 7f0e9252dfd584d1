import { beforeEach, describe, expect, it, vi } from 'vitest'
import { createPinia, setActivePinia } from 'pinia'
import * as Desk from 'wailsjs/go/app/Desk.js'
import { emit, resetRuntime } from '../fake-runtime.js'
import { useRecoveryStore } from '@/stores/recovery.js'

vi.mock('wailsjs/go/app/Desk.js', () => import('../fake-desk.js'))
vi.mock('wailsjs/runtime/runtime.js', () => import('../fake-runtime.js'))

const flush = () => new Promise((r) => setTimeout(r, 0))
const NEVER = { last_export: null, last_path: '', stale: true, new_servers: [], secrets_changed: false }
const CURRENT = { last_export: '2026-11-20T08:00:00Z', last_path: '/media/usb/kit.age', stale: false, new_servers: [], secrets_changed: false }
const OUTDATED = { ...CURRENT, stale: true, new_servers: ['web2'] }

describe('recovery store', () => {
  beforeEach(() => {
    resetRuntime()
    vi.clearAllMocks()
    setActivePinia(createPinia())
  })

  it('tells never, outdated and current apart', async () => {
    const store = useRecoveryStore()
    for (const [status, never, outdated] of [
      [NEVER, true, false],
      [OUTDATED, false, true],
      [CURRENT, false, false],
    ]) {
      Desk.GetRecoveryKitStatus.mockResolvedValueOnce(status)
      await store.load()
      expect([store.never, store.outdated]).toEqual([never, outdated])
    }
  })

  it('reads the status again when a kit is made, a server changes or a setting does', async () => {
    Desk.GetRecoveryKitStatus.mockResolvedValue(NEVER)
    const store = useRecoveryStore()
    await store.load()
    for (const name of ['recovery:exported', 'server:changed', 'settings:changed']) {
      emit(name, { id: 1, kind: name })
      await flush()
    }
    expect(Desk.GetRecoveryKitStatus).toHaveBeenCalledTimes(4)
    emit('run:progress', { id: 2, kind: 'run:progress' })
    await flush()
    expect(Desk.GetRecoveryKitStatus).toHaveBeenCalledTimes(4)
  })

  it('exports: the result, a cancelled dialog, or the error Go sent', async () => {
    Desk.GetRecoveryKitStatus.mockResolvedValue(CURRENT)
    const store = useRecoveryStore()
    Desk.ExportRecoveryKit.mockResolvedValueOnce({ path: '/media/usb/kit.age', size: 9000, manifest: { files: 7, repositories: [] }, warnings: [] })
    const ok = await store.exportKit('a long passphrase')
    expect(ok).toMatchObject({ ok: true, cancelled: false, value: { path: '/media/usb/kit.age' } })
    expect(Desk.ExportRecoveryKit).toHaveBeenCalledWith('a long passphrase')
    expect(Desk.GetRecoveryKitStatus).toHaveBeenCalledTimes(1)

    Desk.ExportRecoveryKit.mockResolvedValueOnce({ path: '', size: 0, manifest: null, warnings: [] })
    expect(await store.exportKit('a long passphrase')).toMatchObject({ ok: true, cancelled: true })
    expect(Desk.GetRecoveryKitStatus).toHaveBeenCalledTimes(1)

    Desk.ExportRecoveryKit.mockRejectedValueOnce('invalid input: unusable passphrase: the passphrase has 5 characters; use at least 12')
    expect(await store.exportKit('short')).toMatchObject({ ok: false, cancelled: false, error: expect.stringContaining('use at least 12') })
  })

  it('keeps the error Go sent for the status', async () => {
    Desk.GetRecoveryKitStatus.mockRejectedValue('recovery kit status: database is locked')
    const store = useRecoveryStore()
    await store.load()
    expect(store.error).toBe('recovery kit status: database is locked')
    expect(store.never).toBe(false)
  })
})
