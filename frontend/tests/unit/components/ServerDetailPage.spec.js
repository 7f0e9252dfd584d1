import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest'
import { enableAutoUnmount, flushPromises } from '@vue/test-utils'
import * as Desk from 'wailsjs/go/app/Desk.js'
import { emit, resetRuntime } from '../fake-runtime.js'
import { mountWith, serverRecord } from '../mount.js'
import ServerDetailPage from '@/pages/ServerDetailPage.vue'

vi.mock('wailsjs/go/app/Desk.js', () => import('../fake-desk.js'))
vi.mock('wailsjs/runtime/runtime.js', () => import('../fake-runtime.js'))

const web1 = serverRecord()
const revoked = { ...web1, status: 'revoked', online: false, revoked_at: '2026-11-22T08:00:00Z' }

async function openPage(server = web1, locale = 'en') {
  Desk.GetServer.mockResolvedValue(server)
  return mountWith(ServerDetailPage, { locale, path: `/servers/${server.uuid}`, attach: true })
}

const text = (wrapper, id) => wrapper.get(`[data-testid="${id}"]`).text()

enableAutoUnmount(afterEach)

describe('ServerDetailPage', () => {
  beforeEach(() => {
    resetRuntime()
    vi.useFakeTimers({ toFake: ['Date'] })
    vi.setSystemTime(new Date('2026-11-22T08:00:00Z'))
  })
  afterEach(() => vi.useRealTimers())

  it('loads the server named in the route through GetServer', async () => {
    const { wrapper } = await openPage()
    expect(Desk.GetServer).toHaveBeenCalledWith('uuid-web1')
    expect(text(wrapper, 'page-title')).toBe('web1')
    expect(text(wrapper, 'server-uuid')).toBe('uuid-web1')
    expect(wrapper.get('[data-testid="detail-status"]').text()).toBe('Online')
  })

  it('shows the agent, certificate and system cards', async () => {
    const { wrapper } = await openPage()

    const agent = text(wrapper, 'agent-card')
    expect(agent).toContain('0.3.1')
    expect(agent).toContain('web1.example.lan')
    expect(text(wrapper, 'detail-last-seen')).toBe('2 minutes ago')

    expect(text(wrapper, 'cert-card')).toContain('5e:2b:91')
    expect(text(wrapper, 'cert-days-left')).toBe('90 days left')

    const system = text(wrapper, 'system-card')
    expect(system).toContain('Debian GNU/Linux')
    expect(system).toContain('6.1.0-27-amd64')
    expect(text(wrapper, 'borg-version')).toBe('1.2.8')
    expect(wrapper.findAll('[data-testid="tool-chip"]').map((c) => c.text())).toEqual(['mysqldump', 'docker', 'lvm'])
  })

  it('renders the metrics', async () => {
    const { wrapper } = await openPage()
    const metric = (id) => wrapper.get(`[data-testid="metric-${id}"] [data-testid="metric-value"]`).text()

    expect(metric('cpu')).toBe('12%')
    expect(metric('load')).toBe('0.42')
    expect(metric('memory')).toBe('38%')
    expect(wrapper.get('[data-testid="metric-memory"] [data-testid="metric-detail"]').text()).toBe('2.9 GiB / 7.6 GiB')
    expect(metric('swap')).toBe('None')
    expect(metric('uptime')).toBe('14 days 6 hr')

    const disks = wrapper.findAll('[data-testid="disk-row"]')
    expect(disks.map((r) => r.find('td').text())).toEqual(['/', '/var'])
    expect(disks[1].text()).toContain('177 GiB')
    expect(disks[1].text()).toContain('95%')
    expect(disks[1].get('[role="meter"]').attributes('data-tone')).toBe('bg-red-500')

    const net = wrapper.get('[data-testid="net-row"]')
    expect(net.text()).toContain('eth0')
    expect(net.text()).toContain('1.1 TiB')
    expect(net.text()).toContain('353.9 GiB')
    expect(text(wrapper, 'resources-card')).toContain('Reported 2 minutes ago')
  })

  it('says when an agent has not reported yet', async () => {
    const { wrapper } = await openPage(serverRecord({ status: 'pending', online: false, metrics: null, capabilities: null, last_seen: null }))
    expect(text(wrapper, 'metrics-unknown')).toContain('No metrics yet')
    expect(text(wrapper, 'system-unknown')).toContain('Not reported yet')
    expect(text(wrapper, 'detail-last-seen')).toBe('Never')
  })

  it('patches the metrics from a heartbeat', async () => {
    const { wrapper } = await openPage()
    emit('agent:heartbeat', {
      id: 0,
      subject: 'uuid-web1',
      data: { server_id: 1, last_seen: '2026-11-22T08:00:00Z', metrics: { ...web1.metrics, cpu_percent: 81 } },
    })
    await flushPromises()
    expect(wrapper.get('[data-testid="metric-cpu"] [data-testid="metric-value"]').text()).toBe('81%')
    expect(text(wrapper, 'detail-last-seen')).toBe('now')
    expect(Desk.GetServer).toHaveBeenCalledTimes(1)
  })

  it('shows a GetServer error with a way back', async () => {
    Desk.GetServer.mockRejectedValue('get server "nope": not found')
    const { wrapper } = await mountWith(ServerDetailPage, { path: '/servers/nope' })
    expect(text(wrapper, 'error-alert')).toContain('get server "nope": not found')
    expect(wrapper.text()).toContain('All servers')
  })

  describe('revoke', () => {
    it('requires typing the server name before RevokeServer is called', async () => {
      Desk.RevokeServer.mockResolvedValue(revoked)
      const { wrapper } = await openPage()

      await wrapper.get('[data-testid="revoke-button"]').trigger('click')
      const dialog = wrapper.get('[data-testid="revoke-dialog"]')
      expect(dialog.attributes('role')).toBe('dialog')
      expect(dialog.text()).toContain('Revoke web1?')
      expect(dialog.text()).toContain('refused immediately')
      expect(dialog.text()).toContain('new enrollment')
      const input = dialog.get('[data-testid="confirm-input"]')
      expect(document.activeElement).toBe(input.element)
      const confirm = dialog.get('[data-testid="confirm-button"]')
      expect(confirm.attributes('disabled')).toBeDefined()

      await input.setValue('web')
      expect(confirm.attributes('disabled')).toBeDefined()
      await input.trigger('keydown', { key: 'Enter' })
      await dialog.get('form').trigger('submit')
      expect(Desk.RevokeServer).not.toHaveBeenCalled()

      await input.setValue('web1')
      expect(confirm.attributes('disabled')).toBeUndefined()
      await confirm.trigger('click')
      await flushPromises()

      expect(Desk.RevokeServer).toHaveBeenCalledWith('uuid-web1')
      expect(wrapper.find('[data-testid="revoke-dialog"]').exists()).toBe(false)
      expect(wrapper.get('[data-testid="detail-status"]').text()).toBe('Revoked')
      expect(wrapper.get('[data-testid="revoke-button"]').attributes('disabled')).toBeDefined()
      expect(text(wrapper, 'revoked-note')).toContain('enroll it again')
    })

    it('shows a refused revoke in the dialog', async () => {
      Desk.RevokeServer.mockRejectedValue('revoke server web1: database is locked')
      const { wrapper } = await openPage()
      await wrapper.get('[data-testid="revoke-button"]').trigger('click')
      await wrapper.get('[data-testid="confirm-input"]').setValue('web1')
      await wrapper.get('[data-testid="confirm-button"]').trigger('click')
      await flushPromises()

      const dialog = wrapper.get('[data-testid="revoke-dialog"]')
      expect(dialog.get('[data-testid="error-message"]').text()).toBe('revoke server web1: database is locked')
      expect(wrapper.get('[data-testid="detail-status"]').text()).toBe('Online')
    })

    it('is not offered for a server already revoked', async () => {
      const { wrapper } = await openPage(revoked)
      expect(wrapper.get('[data-testid="revoke-button"]').attributes('disabled')).toBeDefined()
    })

    it('closes on Escape without revoking', async () => {
      const { wrapper } = await openPage()
      await wrapper.get('[data-testid="revoke-button"]').trigger('click')
      document.activeElement.dispatchEvent(new KeyboardEvent('keydown', { key: 'Escape', bubbles: true }))
      await flushPromises()
      expect(wrapper.find('[data-testid="revoke-dialog"]').exists()).toBe(false)
      expect(Desk.RevokeServer).not.toHaveBeenCalled()
    })
  })

  describe('remove', () => {
    it('confirms, calls RemoveServer and goes back to the list', async () => {
      Desk.RemoveServer.mockResolvedValue(web1)
      const { wrapper, router } = await openPage()

      await wrapper.get('[data-testid="remove-button"]').trigger('click')
      const dialog = wrapper.get('[data-testid="remove-dialog"]')
      expect(dialog.text()).toContain('Backups already on disk are kept')
      expect(document.activeElement).toBe(dialog.get('[data-testid="confirm-cancel"]').element)
      await dialog.get('[data-testid="confirm-button"]').trigger('click')
      await flushPromises()

      expect(Desk.RemoveServer).toHaveBeenCalledWith('uuid-web1')
      expect(router.currentRoute.value.path).toBe('/servers')
    })
  })

  describe('test connection', () => {
    it('shows the round trip', async () => {
      Desk.PingServer.mockResolvedValue({ task_id: 9, echo: 'borgdesk', hostname: 'web1.example.lan', round_trip_ms: 42 })
      const { wrapper } = await openPage()
      await wrapper.get('[data-testid="ping-button"]').trigger('click')
      await flushPromises()

      expect(Desk.PingServer).toHaveBeenCalledWith('uuid-web1')
      expect(text(wrapper, 'ping-result')).toContain('The agent answered in 42 ms.')
      expect(text(wrapper, 'ping-result')).toContain('borgdesk')
    })

    it('shows the error when the agent does not answer', async () => {
      Desk.PingServer.mockRejectedValue('ping web1: the agent did not answer within 30s')
      const { wrapper } = await openPage()
      await wrapper.get('[data-testid="ping-button"]').trigger('click')
      await flushPromises()

      expect(text(wrapper, 'ping-result')).toContain('The agent did not answer.')
      expect(text(wrapper, 'ping-result')).toContain('ping web1: the agent did not answer within 30s')
    })
  })
})
