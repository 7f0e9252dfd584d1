import { beforeEach, describe, expect, it, vi } from 'vitest'
import { flushPromises, mount } from '@vue/test-utils'
import { createPinia, setActivePinia } from 'pinia'
import * as Desk from 'wailsjs/go/app/Desk.js'
import { emit, resetRuntime } from '../fake-runtime.js'
import { createAppI18n } from '@/i18n.js'
import ServersPage from '@/pages/ServersPage.vue'

vi.mock('wailsjs/go/app/Desk.js', () => import('../fake-desk.js'))
vi.mock('wailsjs/runtime/runtime.js', () => import('../fake-runtime.js'))

const servers = [
  { id: 1, name: 'web1', host: 'web1.lan', port: 22, user: 'borg', status: 'online', lastSeenAt: '2026-11-22T07:00:00Z', createdAt: '2026-11-01T00:00:00Z' },
  { id: 2, name: 'db1', host: 'db1.lan', port: 2222, user: 'borg', status: 'revoked', lastSeenAt: '0001-01-01T00:00:00Z', createdAt: '2026-11-02T00:00:00Z' },
]

async function mountPage(locale = 'en') {
  const pinia = createPinia()
  setActivePinia(pinia)
  const wrapper = mount(ServersPage, {
    global: { plugins: [pinia, createAppI18n(locale)], stubs: { RouterLink: true } },
  })
  await flushPromises()
  return wrapper
}

describe('ServersPage', () => {
  beforeEach(() => resetRuntime())

  it('tells a new user how to enroll a server when there is none', async () => {
    Desk.ListServers.mockResolvedValue([])
    const wrapper = await mountPage()

    const empty = wrapper.get('[data-testid="empty-servers"]')
    expect(empty.text()).toContain('No servers yet')
    expect(empty.get('[data-testid="command"]').text()).toBe('borgdesk token create --name web1')
    expect(wrapper.find('[data-testid="servers-table"]').exists()).toBe(false)
    expect(Desk.ListServers).toHaveBeenCalledTimes(1)
  })

  it('lists the servers with their status', async () => {
    Desk.ListServers.mockResolvedValue(servers)
    const wrapper = await mountPage()

    expect(wrapper.find('[data-testid="empty-servers"]').exists()).toBe(false)
    const rows = wrapper.findAll('[data-testid="server-row"]')
    expect(rows).toHaveLength(2)
    expect(rows[0].text()).toContain('web1')
    expect(rows[0].text()).toContain('borg@web1.lan')
    expect(rows[0].get('[data-status]').text()).toBe('Online')
    expect(rows[1].text()).toContain('borg@db1.lan:2222')
    expect(rows[1].get('[data-status]').text()).toBe('Revoked')
    expect(rows[1].text()).toContain('Never')
  })

  it('speaks the chosen language', async () => {
    Desk.ListServers.mockResolvedValue(servers)
    const wrapper = await mountPage('fr')
    expect(wrapper.get('[data-testid="page-title"]').text()).toBe('Serveurs')
    expect(wrapper.findAll('[data-status]')[0].text()).toBe('En ligne')
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
    Desk.ListServers.mockResolvedValueOnce([]).mockResolvedValueOnce(servers.slice(0, 1))
    const wrapper = await mountPage()
    expect(wrapper.find('[data-testid="empty-servers"]').exists()).toBe(true)

    emit('server:changed', { id: 5, kind: 'server.enrolled', subject: 'web1' })
    await flushPromises()

    expect(wrapper.findAll('[data-testid="server-row"]')).toHaveLength(1)
    expect(wrapper.find('[data-testid="empty-servers"]').exists()).toBe(false)
  })
})
