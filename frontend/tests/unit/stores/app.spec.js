import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest'
import { nextTick } from 'vue'
import { createPinia, setActivePinia } from 'pinia'
import * as Desk from 'wailsjs/go/app/Desk.js'
import { emit, resetRuntime } from '../fake-runtime.js'
import { i18n } from '@/i18n.js'
import { useAppStore } from '@/stores/app.js'

vi.mock('wailsjs/go/app/Desk.js', () => import('../fake-desk.js'))
vi.mock('wailsjs/runtime/runtime.js', () => import('../fake-runtime.js'))

// A MediaQueryList whose answer a test can change, as the desktop would.
function fakeMedia(matches) {
  const handlers = new Set()
  return {
    matches,
    media: '(prefers-color-scheme: dark)',
    addEventListener: (type, fn) => type === 'change' && handlers.add(fn),
    removeEventListener: (type, fn) => handlers.delete(fn),
    change(next) {
      this.matches = next
      handlers.forEach((fn) => fn({ matches: next }))
    },
  }
}

const html = document.documentElement
const originalMatchMedia = window.matchMedia
const status = { version: '1.2.3', data_dir: '/var/lib/borgdesk', schema: 2, started_at: '2026-11-22T07:00:00Z', servers: 2, jobs: 1, runs_running: 0 }

function start({ prefersDark = false, settings = {} } = {}) {
  const media = fakeMedia(prefersDark)
  window.matchMedia = vi.fn(() => media)
  Desk.Status.mockResolvedValue(status)
  Desk.GetSettings.mockResolvedValue(settings)
  Desk.SetSetting.mockResolvedValue(undefined)
  return { media, store: useAppStore() }
}

describe('app store: theme', () => {
  beforeEach(() => {
    resetRuntime()
    setActivePinia(createPinia())
    html.className = ''
  })
  afterEach(() => {
    window.matchMedia = originalMatchMedia
  })

  it('follows a dark system by default', async () => {
    const { store } = start({ prefersDark: true })
    await store.init()
    expect(store.theme).toBe('system')
    expect(html.classList.contains('dark')).toBe(true)
  })

  it('stays light on a light system', async () => {
    const { store } = start({ prefersDark: false })
    await store.init()
    expect(html.classList.contains('dark')).toBe(false)
  })

  it('reacts when the system switches', async () => {
    const { media, store } = start({ prefersDark: false })
    await store.init()
    media.change(true)
    await nextTick()
    expect(html.classList.contains('dark')).toBe(true)
    media.change(false)
    await nextTick()
    expect(html.classList.contains('dark')).toBe(false)
  })

  it('uses the theme saved in the settings over the system', async () => {
    const { store } = start({ prefersDark: true, settings: { 'ui.theme': 'light' } })
    await store.init()
    expect(store.theme).toBe('light')
    expect(html.classList.contains('dark')).toBe(false)
  })

  it('persists an explicit choice through SetSetting', async () => {
    const { store } = start({ prefersDark: false })
    await store.init()

    await store.setTheme('dark')
    await nextTick()

    expect(Desk.SetSetting).toHaveBeenCalledWith('ui.theme', 'dark')
    expect(html.classList.contains('dark')).toBe(true)
    expect(store.theme).toBe('dark')
  })

  it('does not send an unknown theme to Go', async () => {
    const { store } = start()
    expect(await store.setTheme('sepia')).toBe(false)
    expect(Desk.SetSetting).not.toHaveBeenCalled()
  })

  it('falls back when Go refuses the theme', async () => {
    const { store } = start({ prefersDark: false })
    await store.init()
    Desk.SetSetting.mockRejectedValueOnce('set setting: read-only database')

    await store.setTheme('dark')
    await nextTick()

    expect(html.classList.contains('dark')).toBe(false)
    expect(store.theme).toBe('system')
  })
})

describe('app store: status and locale', () => {
  beforeEach(() => {
    resetRuntime()
    setActivePinia(createPinia())
  })
  afterEach(() => {
    window.matchMedia = originalMatchMedia
    i18n.global.locale.value = 'en'
  })

  it('loads the status and the settings at start', async () => {
    const { store } = start()
    await store.init()
    expect(Desk.Status).toHaveBeenCalledTimes(1)
    expect(Desk.GetSettings).toHaveBeenCalledTimes(1)
    expect(store.status).toEqual(status)
  })

  it('reloads the status when the fleet changes', async () => {
    const { store } = start()
    await store.init()
    Desk.Status.mockResolvedValue({ ...status, servers: 3 })

    emit('server:changed', { id: 1 })

    await vi.waitFor(() => expect(store.status.servers).toBe(3))
    expect(Desk.Status).toHaveBeenCalledTimes(2)
  })

  it('does not ask for the status on a live run:progress, which moves no count', async () => {
    const { store } = start()
    await store.init()
    emit('run:progress', { id: 0, subject: 'uuid-web1', data: { run_id: 2, status: 'running', bytes: 10 } })
    emit('run:progress', { id: 31, subject: 'uuid-web1', data: { run_id: 2, status: 'succeeded' } })
    await vi.waitFor(() => expect(Desk.Status).toHaveBeenCalledTimes(2))
    await new Promise((r) => setTimeout(r, 0))
    expect(Desk.Status).toHaveBeenCalledTimes(2)
  })

  it('keeps a status error', async () => {
    const { store } = start()
    Desk.Status.mockRejectedValue('status: data dir not writable')
    await store.init()
    expect(store.statusError).toBe('status: data dir not writable')
  })

  it('applies the saved language', async () => {
    const { store } = start({ settings: { 'ui.locale': 'de' } })
    await store.init()
    await nextTick()
    expect(store.locale).toBe('de')
    expect(i18n.global.locale.value).toBe('de')
    expect(html.lang).toBe('de')
    expect(i18n.global.t('nav.settings')).toBe('Einstellungen')
  })

  it('persists a language choice through SetSetting', async () => {
    const { store } = start()
    await store.init()
    await store.setLocale('fr')
    await nextTick()
    expect(Desk.SetSetting).toHaveBeenCalledWith('ui.locale', 'fr')
    expect(i18n.global.locale.value).toBe('fr')
  })

  it('does not send an unsupported language to Go', async () => {
    const { store } = start()
    expect(await store.setLocale('tlh')).toBe(false)
    expect(Desk.SetSetting).not.toHaveBeenCalled()
  })
})

describe('app store: navigation from Go', () => {
  beforeEach(() => {
    resetRuntime()
    setActivePinia(createPinia())
  })
  afterEach(() => {
    window.matchMedia = originalMatchMedia
  })

  it('counts each app:navigate request, so the same page can be asked for twice', async () => {
    const { store } = start()
    await store.init()
    emit('app:navigate', '/jobs/3?run=4')
    expect(store.navigation).toEqual({ route: '/jobs/3?run=4', n: 1 })
    emit('app:navigate', '/jobs/3?run=4')
    expect(store.navigation.n).toBe(2)
    emit('app:navigate', 42)
    expect(store.navigation.n).toBe(2)
  })
})
