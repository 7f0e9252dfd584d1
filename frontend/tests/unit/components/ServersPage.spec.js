import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest'
import { enableAutoUnmount, flushPromises } from '@vue/test-utils'
import * as Desk from 'wailsjs/go/app/Desk.js'
import { emit, resetRuntime } from '../fake-runtime.js'
import { mountWith, serverRecord } from '../mount.js'
import { TICK_MS } from '@/composables/useNow.js'
import ServersPage from '@/pages/ServersPage.vue'

vi.mock('wailsjs/go/app/Desk.js', () => import('../fake-desk.js'))
vi.mock('wailsjs/runtime/runtime.js', () => import('../fake-runtime.js'))

const NOW = new Date('2026-11-22T08:00:00Z')

const web1 = serverRecord()
const db1 = serverRecord({
  id: 2,
  uuid: 'uuid-db1',
  name: 'db1',
  status: 'offline',
  online: false,
  hostname: 'db1.example.lan',
  last_seen: '2026-11-21T22:14:00Z',
  cert_not_after: '2026-12-04T10:00:00Z',
  metrics: { ...web1.metrics, cpu_percent: 63, disks: [{ mount: '/', fstype: 'ext4', total: 500e9, used: 462e9 }] },
})
const build3 = serverRecord({
  id: 3,
  uuid: 'uuid-build3',
  name: 'build3',
  status: 'pending',
  online: false,
  host: '',
  hostname: '',
  version: '',
  last_seen: null,
  cert_not_after: null,
  capabilities: null,
  metrics: null,
})
const old = serverRecord({ id: 4, uuid: 'uuid-old', name: 'old', status: 'revoked', online: false, cert_not_after: '2026-11-01T00:00:00Z' })

const mountPage = (locale = 'en') => mountWith(ServersPage, { locale, path: '/servers' }).then((m) => m.wrapper)
const cell = (row, id) => row.get(`[data-testid="${id}"]`)

enableAutoUnmount(afterEach)

describe('ServersPage', () => {
  beforeEach(() => {
    resetRuntime()
    vi.useFakeTimers({ toFake: ['Date', 'setInterval', 'clearInterval'] })
    vi.setSystemTime(NOW)
  })
  afterEach(() => vi.useRealTimers())

  it('offers the Add server dialog and the CLI when there is no server', async () => {
    Desk.ListServers.mockResolvedValue([])
    const wrapper = await mountPage()

    const empty = wrapper.get('[data-testid="empty-servers"]')
    expect(empty.text()).toContain('No servers yet')
    expect(empty.get('[data-testid="command"]').text()).toBe('borgdesk token create --name web1')
    expect(wrapper.find('[data-testid="servers-table"]').exists()).toBe(false)
    expect(Desk.ListServers).toHaveBeenCalledTimes(1)

    expect(wrapper.find('[role="dialog"]').exists()).toBe(false)
    await empty.get('[data-testid="empty-servers-add"]').trigger('click')
    expect(wrapper.get('[role="dialog"]').text()).toContain('Add a server')
  })

  it('opens the Add server dialog from the page header', async () => {
    Desk.ListServers.mockResolvedValue([web1])
    const wrapper = await mountPage()
    await wrapper.get('[data-testid="add-server"]').trigger('click')
    expect(wrapper.get('[data-testid="add-server-dialog"]').attributes('aria-modal')).toBe('true')
  })

  it('lists each server with its state, agent, certificate and metrics', async () => {
    Desk.ListServers.mockResolvedValue([web1, db1, build3, old])
    const wrapper = await mountPage()

    const rows = wrapper.findAll('[data-testid="server-row"]')
    expect(rows).toHaveLength(4)
    const [r1, r2, r3, r4] = rows

    expect(r1.get('[data-testid="server-link"]').text()).toBe('web1')
    expect(r1.get('[data-status]').text()).toBe('Online')
    expect(r1.text()).toContain('web1.example.lan')
    expect(r1.text()).toContain('0.3.1')
    const seen = cell(r1, 'server-last-seen').get('time')
    expect(seen.text()).toBe('2 minutes ago')
    expect(seen.attributes('datetime')).toBe('2026-11-22T07:58:00Z')
    expect(seen.attributes('title')).toMatch(/Nov 22, 2026/)
    expect(cell(r1, 'server-cert').text()).toBe('Feb 20, 2027')
    expect(cell(r1, 'server-cert').get('[data-cert-state]').attributes('data-cert-state')).toBe('valid')
    expect(cell(r1, 'server-cpu').text()).toBe('12%')
    expect(cell(r1, 'server-memory').text()).toBe('2.9 GiB / 7.6 GiB')
    const bar = cell(r1, 'server-disk').get('[role="meter"]')
    expect(bar.attributes('aria-valuenow')).toBe('43')
    expect(bar.attributes('aria-label')).toBe('19.9 GiB of 46.6 GiB used on /')
    expect(cell(r1, 'server-disk').text()).toBe('43%')

    expect(r2.get('[data-status]').text()).toBe('Offline')
    expect(cell(r2, 'server-last-seen').text()).toBe('9 hours ago')
    expect(cell(r2, 'server-cert').get('[data-cert-state]').attributes('data-cert-state')).toBe('expiring')
    expect(cell(r2, 'server-cert').get('[data-cert-state]').attributes('title')).toBe('Expires in 12 days')
    expect(cell(r2, 'server-disk').get('[role="meter"]').attributes('data-tone')).toBe('bg-red-500')

    expect(r3.get('[data-status]').text()).toBe('Pending')
    expect(cell(r3, 'server-last-seen').text()).toBe('Never')
    expect(cell(r3, 'server-cpu').text()).toBe('—')
    expect(cell(r3, 'server-disk').text()).toBe('—')

    expect(r4.get('[data-status]').text()).toBe('Revoked')
    expect(cell(r4, 'server-cert').get('[data-cert-state]').attributes('data-cert-state')).toBe('expired')
  })

  it('links each name to the server detail by uuid', async () => {
    Desk.ListServers.mockResolvedValue([web1])
    const wrapper = await mountPage()
    expect(wrapper.get('[data-testid="server-link"]').attributes('href')).toBe('/servers/uuid-web1')
  })

  it('speaks the chosen language', async () => {
    Desk.ListServers.mockResolvedValue([web1])
    const wrapper = await mountPage('fr')
    expect(wrapper.get('[data-testid="page-title"]').text()).toBe('Serveurs')
    expect(wrapper.get('[data-status]').text()).toBe('En ligne')
    expect(wrapper.get('[data-testid="server-last-seen"]').text()).toBe('il y a 2 minutes')
    expect(wrapper.get('[data-testid="add-server"]').text()).toBe('Ajouter un serveur')
  })

  it('shows a failed call in an alert', async () => {
    Desk.ListServers.mockRejectedValue('list servers: database is locked')
    const wrapper = await mountPage()

    const alert = wrapper.get('[data-testid="error-alert"]')
    expect(alert.attributes('role')).toBe('alert')
    expect(alert.text()).toContain('Could not load the servers.')
    expect(alert.text()).toContain('list servers: database is locked')
    expect(wrapper.find('[data-testid="empty-servers"]').exists()).toBe(false)
  })

  it('updates when a server:changed event arrives', async () => {
    Desk.ListServers.mockResolvedValueOnce([]).mockResolvedValueOnce([web1])
    const wrapper = await mountPage()
    expect(wrapper.find('[data-testid="empty-servers"]').exists()).toBe(true)

    emit('server:changed', { id: 5, kind: 'server.enrolled', subject: 'web1' })
    await flushPromises()

    expect(wrapper.findAll('[data-testid="server-row"]')).toHaveLength(1)
    expect(wrapper.find('[data-testid="empty-servers"]').exists()).toBe(false)
  })

  it('shows a heartbeat at once and ages it with the clock, without asking Go', async () => {
    Desk.ListServers.mockResolvedValue([web1, db1])
    const wrapper = await mountPage()
    const rows = () => wrapper.findAll('[data-testid="server-row"]')

    emit('agent:heartbeat', {
      id: 0,
      at: '2026-11-22T08:00:00Z',
      kind: 'agent.heartbeat',
      subject: 'uuid-db1',
      data: { server_id: 2, last_seen: '2026-11-22T08:00:00Z', metrics: { ...db1.metrics, cpu_percent: 55 } },
    })
    await flushPromises()

    expect(cell(rows()[1], 'server-last-seen').text()).toBe('now')
    expect(cell(rows()[1], 'server-cpu').text()).toBe('55%')
    expect(rows()[1].get('[data-status]').text()).toBe('Online')

    vi.advanceTimersByTime(3 * 60 * 1000 + TICK_MS)
    await flushPromises()

    expect(cell(rows()[1], 'server-last-seen').text()).toBe('3 minutes ago')
    expect(cell(rows()[0], 'server-last-seen').text()).toBe('5 minutes ago')
    expect(Desk.ListServers).toHaveBeenCalledTimes(1)
  })
})
