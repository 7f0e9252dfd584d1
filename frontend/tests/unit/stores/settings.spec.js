import { beforeEach, describe, expect, it, vi } from 'vitest'
import { createPinia, setActivePinia } from 'pinia'
import * as Desk from 'wailsjs/go/app/Desk.js'
import { emit, resetRuntime } from '../fake-runtime.js'
import { useSettingsStore } from '@/stores/settings.js'

vi.mock('wailsjs/go/app/Desk.js', () => import('../fake-desk.js'))
vi.mock('wailsjs/runtime/runtime.js', () => import('../fake-runtime.js'))

describe('settings store', () => {
  beforeEach(() => {
    resetRuntime()
    setActivePinia(createPinia())
  })

  it('loads the settings through GetSettings', async () => {
    Desk.GetSettings.mockResolvedValue({ 'ui.theme': 'dark' })
    const store = useSettingsStore()
    await store.load()
    expect(store.values).toEqual({ 'ui.theme': 'dark' })
    expect(store.get('ui.theme')).toBe('dark')
    expect(store.get('ui.locale', 'en')).toBe('en')
  })

  it('saves through SetSetting', async () => {
    Desk.SetSetting.mockResolvedValue(undefined)
    const store = useSettingsStore()
    expect(await store.save('ui.locale', 'fr')).toBe(true)
    expect(Desk.SetSetting).toHaveBeenCalledWith('ui.locale', 'fr')
    expect(store.values['ui.locale']).toBe('fr')
    expect(store.saveError).toBe('')
  })

  it('puts the old value back when Go refuses the new one', async () => {
    Desk.GetSettings.mockResolvedValue({ 'ui.theme': 'light' })
    Desk.SetSetting.mockRejectedValue('set setting ui.theme: invalid value "pink"')
    const store = useSettingsStore()
    await store.load()

    expect(await store.save('ui.theme', 'pink')).toBe(false)
    expect(store.values['ui.theme']).toBe('light')
    expect(store.saveError).toBe('set setting ui.theme: invalid value "pink"')

    expect(await store.save('ui.other', 'x')).toBe(false)
    expect(Object.hasOwn(store.values, 'ui.other')).toBe(false)
  })

  it('keeps a load error', async () => {
    Desk.GetSettings.mockRejectedValue('get settings: database is locked')
    const store = useSettingsStore()
    await store.load()
    expect(store.loadError).toBe('get settings: database is locked')
    expect(store.loaded).toBe(false)
  })

  it('reloads on settings:changed', async () => {
    Desk.GetSettings.mockResolvedValueOnce({}).mockResolvedValueOnce({ 'ui.locale': 'de' })
    const store = useSettingsStore()
    await store.load()
    emit('settings:changed', { id: 4, kind: 'settings.changed', subject: 'ui.locale' })
    await vi.waitFor(() => expect(store.values).toEqual({ 'ui.locale': 'de' }))
  })
})
