import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest'
import { enableAutoUnmount, flushPromises } from '@vue/test-utils'
import * as Desk from 'wailsjs/go/app/Desk.js'
import { emit, resetRuntime } from '../fake-runtime.js'
import { mountWith } from '../mount.js'
import RecoveryKitReminder from '@/components/dashboard/RecoveryKitReminder.vue'
import RecoveryKitSettings from '@/components/recovery/RecoveryKitSettings.vue'

vi.mock('wailsjs/go/app/Desk.js', () => import('../fake-desk.js'))
vi.mock('wailsjs/runtime/runtime.js', () => import('../fake-runtime.js'))

const PASS = 'orange tractor seven lanterns'
const NEVER = { last_export: null, last_path: '', stale: true, new_servers: [], secrets_changed: false }
const CURRENT = { last_export: '2026-11-22T07:00:00Z', last_path: '/media/usb/kit.age', stale: false, new_servers: [], secrets_changed: false }
const RESULT = { path: '/media/usb/kit.age', size: 48213, created_at: '2026-11-22T08:00:00Z', manifest: { files: 9, repositories: [{ uuid: 'u1' }] }, warnings: [] }

const byId = (wrapper, id) => wrapper.get(`[data-testid="${id}"]`)
const has = (wrapper, id) => wrapper.find(`[data-testid="${id}"]`).exists()

enableAutoUnmount(afterEach)

describe('recovery kit reminder and dialog', () => {
  beforeEach(() => {
    resetRuntime()
    vi.clearAllMocks()
    vi.useFakeTimers({ toFake: ['Date'] })
    vi.setSystemTime(new Date('2026-11-22T08:00:00Z'))
  })
  afterEach(() => vi.useRealTimers())

  it('shows until a kit is exported, and the dialog walks through it', async () => {
    Desk.GetRecoveryKitStatus.mockResolvedValue(NEVER)
    const { wrapper } = await mountWith(RecoveryKitReminder, { attach: true })
    expect(byId(wrapper, 'kit-reminder').attributes('data-state')).toBe('never')

    await byId(wrapper, 'kit-reminder-export').trigger('click')
    await flushPromises()
    const exportButton = () => byId(wrapper, 'kit-export')
    expect(exportButton().attributes('disabled')).toBeDefined()
    await byId(wrapper, 'kit-passphrase').setValue('too short')
    expect(byId(wrapper, 'kit-strength-text').text()).toBe('At least 12 characters.')
    await byId(wrapper, 'kit-passphrase').setValue(PASS)
    await byId(wrapper, 'kit-confirm').setValue('something else')
    expect(byId(wrapper, 'error-kit-confirm').text()).toBe('The two passphrases differ.')
    expect(exportButton().attributes('disabled')).toBeDefined()
    await byId(wrapper, 'kit-confirm').setValue(PASS)
    expect(exportButton().attributes('disabled')).toBeUndefined()

    Desk.ExportRecoveryKit.mockResolvedValue(RESULT)
    Desk.GetRecoveryKitStatus.mockResolvedValue(CURRENT)
    await wrapper.get('[data-testid="recovery-dialog"] form').trigger('submit')
    await flushPromises()
    expect(Desk.ExportRecoveryKit).toHaveBeenCalledWith(PASS)
    expect(byId(wrapper, 'kit-path').text()).toBe('/media/usb/kit.age')
    expect(byId(wrapper, 'kit-summary').text()).toContain('9 files')
    // Still shown while the result is open, gone once closed.
    await byId(wrapper, 'kit-done').trigger('click')
    await flushPromises()
    expect(has(wrapper, 'kit-reminder')).toBe(false)
    expect(document.body.innerHTML).not.toContain(PASS)
  })

  it('says why an out-of-date kit is out of date', async () => {
    Desk.GetRecoveryKitStatus.mockResolvedValue({ ...CURRENT, stale: true, new_servers: ['a', 'b', 'c', 'd', 'e', 'f', 'g'] })
    const { wrapper } = await mountWith(RecoveryKitReminder)
    expect(byId(wrapper, 'kit-stale-reason').text()).toBe('a, b, c, d, e and 2 more were enrolled since.')
    Desk.GetRecoveryKitStatus.mockResolvedValue({ ...CURRENT, stale: true, secrets_changed: true })
    emit('settings:changed', { id: 3, kind: 'settings:changed' })
    await flushPromises()
    expect(byId(wrapper, 'kit-stale-reason').text()).toBe('keys or passwords changed since.')
  })

  it('the settings section: the last kit, and Go refusing the export', async () => {
    Desk.GetRecoveryKitStatus.mockResolvedValue(CURRENT)
    const { wrapper } = await mountWith(RecoveryKitSettings, { attach: true, locale: 'fr' })
    expect(byId(wrapper, 'kit-last').attributes('data-state')).toBe('current')
    expect(byId(wrapper, 'kit-last-path').text()).toBe('/media/usb/kit.age')
    expect(byId(wrapper, 'kit-last').text()).toContain('il y a 1 heure')

    await byId(wrapper, 'kit-open').trigger('click')
    await flushPromises()
    await byId(wrapper, 'kit-passphrase').setValue(PASS)
    await byId(wrapper, 'kit-confirm').setValue(PASS)
    Desk.ExportRecoveryKit.mockRejectedValue('write the recovery kit /media/usb/kit.age: no space left on device')
    await wrapper.get('[data-testid="recovery-dialog"] form').trigger('submit')
    await flushPromises()
    expect(byId(wrapper, 'kit-error').text()).toContain('no space left on device')
    expect(byId(wrapper, 'kit-error').text()).toContain('Le kit de récupération n’a pas été écrit.')
    expect(byId(wrapper, 'kit-passphrase').element.value).toBe(PASS)
  })
})
