import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest'
import { enableAutoUnmount, flushPromises } from '@vue/test-utils'
import * as Desk from 'wailsjs/go/app/Desk.js'
import { emit, resetRuntime } from '../fake-runtime.js'
import { mountWith } from '../mount.js'
import App from '@/App.vue'
import FlxDropOverlay from '@/components/layout/FlxDropOverlay.vue'

vi.mock('wailsjs/go/app/Desk.js', () => import('../fake-desk.js'))
vi.mock('wailsjs/runtime/runtime.js', () => import('../fake-runtime.js'))

const ID = 'c'.repeat(64)
const PATH = '/home/ops/Downloads/pbx1.flx'
const snapshot = {
  id: ID,
  name: 'pbx1.flx',
  source: PATH,
  size: 100,
  inspection: { meta: { version: '1.0', backup_type: 'system_config', file_count: 1 }, files: [{ path: 'etc/hosts', hash: 'sha256:1', size: 9 }], bytes: 9, verified: true },
}

// A drag event as the webview sends it; happy-dom has no DataTransfer.
function drag(type, types = ['Files']) {
  const event = new Event(type, { bubbles: true, cancelable: true })
  Object.defineProperty(event, 'dataTransfer', { value: { types } })
  return event
}

enableAutoUnmount(afterEach)

describe('the window and .flx snapshots', () => {
  beforeEach(() => {
    resetRuntime()
    Desk.ListServers.mockResolvedValue([])
    Desk.GetSettings.mockResolvedValue({})
    Desk.ListRuns.mockResolvedValue([])
    Desk.ListEvents.mockResolvedValue([])
    Desk.ListJobs.mockResolvedValue([])
  })

  it('flx:opened (a drop, a double-click) opens the snapshot and shows its restore view', async () => {
    Desk.OpenFlx.mockResolvedValue(snapshot)
    const { wrapper, router } = await mountWith(App, { path: '/jobs', attach: true })
    expect(router.currentRoute.value.name).toBe('jobs')

    emit('flx:opened', { id: 12, at: '2026-11-22T08:00:00Z', kind: 'flx:opened', subject: ID, message: '', data: { id: ID, path: PATH } })
    await flushPromises()

    expect(Desk.OpenFlx).toHaveBeenCalledWith(PATH)
    expect(router.currentRoute.value.name).toBe('flx-restore')
    expect(router.currentRoute.value.params.id).toBe(ID)
    await flushPromises()
    expect(wrapper.find('[data-testid="flx-restore-view"] [data-testid="flx-name"]').text()).toBe('pbx1.flx')
    expect(wrapper.find('[data-testid="flx-verified"]').exists()).toBe(true)
    expect(wrapper.find('[data-testid="nav-restore"]').attributes('data-active')).toBe('true')

    // Opened again later, from anywhere: the view comes back without asking Go.
    await router.push('/servers')
    emit('flx:opened', { id: 13, at: '2026-11-22T08:01:00Z', kind: 'flx:opened', subject: ID, message: '', data: { id: ID, path: PATH } })
    await flushPromises()
    expect(router.currentRoute.value.name).toBe('flx-restore')
    expect(Desk.OpenFlx).toHaveBeenCalledTimes(1)
  })

  it('an inbox toast opens the snapshot it announces', async () => {
    Desk.OpenFlx.mockResolvedValue(snapshot)
    const { wrapper, router } = await mountWith(App, { path: '/', attach: true })
    emit('flx:inbox', { id: 0, kind: 'flx:inbox', subject: '', message: '', data: { path: '/inbox/pbx1.flx' } })
    await flushPromises()
    const toast = wrapper.find('[data-testid="flx-inbox-toast"]')
    expect(toast.text()).toContain('pbx1.flx arrived in the inbox')
    await toast.find('[data-testid="flx-inbox-open"]').trigger('click')
    await flushPromises()
    expect(Desk.OpenFlx).toHaveBeenCalledWith('/inbox/pbx1.flx')
    expect(router.currentRoute.value.name).toBe('flx-restore')
    expect(wrapper.find('[data-testid="flx-inbox-toast"]').exists()).toBe(false)
  })

  it('a snapshot that cannot be opened is said, and can be tried again', async () => {
    Desk.OpenFlx.mockRejectedValueOnce('open /home/ops/Downloads/pbx1.flx: permission denied').mockResolvedValueOnce(snapshot)
    const { wrapper, router } = await mountWith(App, { path: '/', attach: true })
    emit('flx:opened', { id: 14, kind: 'flx:opened', subject: ID, data: { id: ID, path: PATH } })
    await flushPromises()
    const alert = wrapper.find('[data-testid="flx-open-error"]')
    expect(alert.text()).toContain('Could not open pbx1.flx.')
    expect(alert.text()).toContain('permission denied')
    expect(router.currentRoute.value.name).toBe('dashboard')
    await alert.find('button').trigger('click')
    await flushPromises()
    expect(router.currentRoute.value.name).toBe('flx-restore')
    expect(wrapper.find('[data-testid="flx-open-error"]').exists()).toBe(false)
  })
})

describe('FlxDropOverlay', () => {
  it('shows while files are dragged over the window and goes on the drop', async () => {
    const { wrapper } = await mountWith(FlxDropOverlay, { attach: true })
    expect(wrapper.find('[data-testid="flx-drop-overlay"]').exists()).toBe(false)

    window.dispatchEvent(drag('dragenter', ['text/plain']))
    await flushPromises()
    expect(wrapper.find('[data-testid="flx-drop-overlay"]').exists()).toBe(false)

    window.dispatchEvent(drag('dragenter'))
    window.dispatchEvent(drag('dragover'))
    await flushPromises()
    expect(wrapper.find('[data-testid="flx-drop-overlay"]').text()).toContain('Drop a .flx or .flxx file to restore it')

    window.dispatchEvent(drag('drop'))
    await flushPromises()
    expect(wrapper.find('[data-testid="flx-drop-overlay"]').exists()).toBe(false)
  })

  it('goes when the drag leaves the window', async () => {
    const { wrapper } = await mountWith(FlxDropOverlay, { attach: true })
    window.dispatchEvent(drag('dragenter'))
    window.dispatchEvent(drag('dragenter')) // a child element entered
    window.dispatchEvent(drag('dragleave')) // its parent left
    await flushPromises()
    expect(wrapper.find('[data-testid="flx-drop-overlay"]').exists()).toBe(true)
    window.dispatchEvent(drag('dragleave'))
    await flushPromises()
    expect(wrapper.find('[data-testid="flx-drop-overlay"]').exists()).toBe(false)
  })

  it('goes by itself when dragover stops coming', async () => {
    vi.useFakeTimers()
    try {
      const { wrapper } = await mountWith(FlxDropOverlay, { attach: true })
      window.dispatchEvent(drag('dragenter'))
      await vi.advanceTimersByTimeAsync(1000)
      window.dispatchEvent(drag('dragover'))
      await vi.advanceTimersByTimeAsync(1000)
      expect(wrapper.find('[data-testid="flx-drop-overlay"]').exists()).toBe(true)
      await vi.advanceTimersByTimeAsync(500)
      expect(wrapper.find('[data-testid="flx-drop-overlay"]').exists()).toBe(false)
    } finally {
      vi.useRealTimers()
    }
  })
})
