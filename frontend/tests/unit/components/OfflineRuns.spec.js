import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest'
import { enableAutoUnmount, flushPromises } from '@vue/test-utils'
import * as Desk from 'wailsjs/go/app/Desk.js'
import { emit, resetRuntime } from '../fake-runtime.js'
import { mountWith, serverRecord } from '../mount.js'
import RunTrigger from '@/components/runs/RunTrigger.vue'
import DashboardPage from '@/pages/DashboardPage.vue'

vi.mock('wailsjs/go/app/Desk.js', () => import('../fake-desk.js'))
vi.mock('wailsjs/runtime/runtime.js', () => import('../fake-runtime.js'))

const web1 = serverRecord()
const delivered = (id, at, n) => ({
  id,
  at,
  kind: 'server:changed',
  subject: 'uuid-web1',
  message: `web1 delivered ${n} run(s) made while the coordinator was closed, from 2026-11-22 02:00 to 2026-11-22 06:00`,
  data: { id: 1, offline_runs: n },
})

enableAutoUnmount(afterEach)

describe('runs made while the coordinator was closed', () => {
  beforeEach(() => resetRuntime())

  it('get a badge that says so, in every language', async () => {
    for (const [locale, label, help] of [
      ['en', 'Offline run', 'Made by the agent while Borgdesk was closed'],
      ['fr', 'Exécution hors ligne', 'pendant que Borgdesk était fermé'],
      ['de', 'Offline-Lauf', 'während Borgdesk geschlossen war'],
    ]) {
      const { wrapper } = await mountWith(RunTrigger, { locale, props: { trigger: 'offline' } })
      const badge = wrapper.get('[data-testid="run-offline"]')
      expect(badge.text()).toContain(label)
      expect(badge.attributes('title')).toContain(help)
      expect(badge.get('.sr-only').text()).toContain(help)
      wrapper.unmount()
    }
  })

  it('leave other triggers as they were', async () => {
    const { wrapper } = await mountWith(RunTrigger, { props: { trigger: 'schedule' } })
    expect(wrapper.find('[data-testid="run-offline"]').exists()).toBe(false)
    expect(wrapper.text()).toBe('Schedule')
  })

  it('are announced on the dashboard when delivered since this start, until dismissed', async () => {
    Desk.Status.mockResolvedValue({ started_at: '2026-11-22T07:30:00Z', servers: 1, jobs: 1, runs_running: 0, data_dir: '/d' })
    Desk.ListServers.mockResolvedValue([web1])
    Desk.ListRuns.mockResolvedValue([])
    Desk.ListEvents.mockResolvedValue([delivered(12, '2026-11-22T07:31:00Z', 3), delivered(4, '2026-11-21T07:31:00Z', 1)])
    const { wrapper } = await mountWith(DashboardPage)

    const notice = wrapper.get('[data-testid="offline-notice"]')
    expect(notice.findAll('[data-testid="offline-delivery"]').map((li) => li.text())).toEqual([
      expect.stringContaining('web1 delivered 3 runs it made on its own.'),
    ])

    await wrapper.get('[data-testid="offline-dismiss"]').trigger('click')
    expect(wrapper.find('[data-testid="offline-notice"]').exists()).toBe(false)

    emit('server:changed', delivered(13, '2026-11-22T07:40:00Z', 1))
    await flushPromises()
    expect(wrapper.get('[data-testid="offline-delivery"]').text()).toContain('web1 delivered 1 run it made on its own.')
  })
})
