import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest'
import { enableAutoUnmount, flushPromises } from '@vue/test-utils'
import * as Desk from 'wailsjs/go/app/Desk.js'
import { resetRuntime } from '../fake-runtime.js'
import { mountWith, serverRecord } from '../mount.js'
import { HOSTED_FP, UNCONFIRMED, hostedRecord, nodeRecord } from '../target-records.js'
import StoragePage from '@/pages/StoragePage.vue'

vi.mock('wailsjs/go/app/Desk.js', () => import('../fake-desk.js'))
vi.mock('wailsjs/runtime/runtime.js', () => import('../fake-runtime.js'))

const web1 = serverRecord()
const db1 = serverRecord({ id: 2, uuid: 'uuid-db1', name: 'db1', host: 'db1.lan' })
const nas1 = serverRecord({ id: 3, uuid: 'uuid-nas1', name: 'nas1', host: '10.0.0.9' })
const LINES = [
  'command="borg serve --restrict-to-path ./borgdesk",restrict ssh-ed25519 AAAAcoord borgdesk-coordinator',
  'command="borg serve --append-only --restrict-to-path borgdesk/uuid-db1",restrict ssh-ed25519 AAAAdb1 borgdesk-db1',
]

const byId = (wrapper, id) => wrapper.get(`[data-testid="${id}"]`)
const card = (wrapper, name) => wrapper.get(`[data-target="${name}"]`)

async function mountPage({ targets = [nodeRecord()], repos = { 1: 'nas1' } } = {}) {
  Desk.Status.mockResolvedValue({ data_dir: '/home/op/.local/share/borgdesk', started_at: '2026-11-22T07:30:00Z', servers: 3 })
  Desk.GetStorage.mockResolvedValue({ disk_path: '/home/op/.local/share/borgdesk/repos', disk_total: 5e11, disk_free: 4e11, servers: [] })
  Desk.ListServers.mockResolvedValue([web1, db1, nas1])
  Desk.ListTargets.mockResolvedValue(targets)
  Desk.RepoTargets.mockResolvedValue(repos)
  const { wrapper } = await mountWith(StoragePage, { path: '/storage', attach: true })
  return wrapper
}

enableAutoUnmount(afterEach)

describe('Storage page', () => {
  beforeEach(() => resetRuntime())

  it('shows the coordinator’s data dir and each target with the repositories on it', async () => {
    const wrapper = await mountPage({ targets: [nodeRecord(), hostedRecord({ status: 'failing', last_error: 'box refused the key' })] })
    const cards = wrapper.findAll('[data-testid="target-card"]')
    expect(cards.map((c) => c.get('[data-testid="target-name"]').text())).toEqual(['This coordinator', 'nas1', 'box'])

    const local = cards[0]
    expect(local.get('[data-testid="local-path"]').text()).toBe('/home/op/.local/share/borgdesk/repos')
    expect(local.get('[data-testid="target-free"]').text()).toBe('372.5 GiB')
    expect(local.findAll('[data-testid="target-repo"]').map((a) => a.text())).toEqual(['db1', 'nas1'])

    const nas = card(wrapper, 'nas1')
    expect(nas.get('[data-testid="target-kind"]').text()).toBe('Storage node')
    expect(nas.get('[data-testid="target-status"]').text()).toBe('Ready')
    expect(nas.get('[data-testid="target-address"]').text()).toBe('10.0.0.9:2222')
    expect(nas.get('[data-testid="target-fingerprint"]').text()).toBe(nodeRecord().host_key_fingerprint)
    expect(nas.get('[data-testid="target-free"]').text()).toBe('1.1 TiB')
    expect(nas.findAll('[data-testid="target-repo"]').map((a) => a.text())).toEqual(['web1'])
    expect(nas.find('[data-testid="target-keys"]').exists()).toBe(false)

    const box = card(wrapper, 'box')
    expect(box.get('[data-testid="target-status"]').text()).toBe('Failing')
    expect(box.get('[data-testid="target-last-error"]').text()).toContain('box refused the key')
    expect(box.get('[data-testid="target-address"]').text()).toBe('u123@u123.your-storagebox.de:23')
    expect(box.get('[data-testid="target-repos-none"]').exists()).toBe(true)
    expect(wrapper.find('[data-testid="targets-empty"]').exists()).toBe(false)
  })

  it('says what is at stake while every repository is on the workstation', async () => {
    const wrapper = await mountPage({ targets: [], repos: {} })
    expect(byId(wrapper, 'targets-empty').text()).toContain('Every repository lives on this workstation')
  })

  it('adds a storage node with the defaults and explains what its agent does', async () => {
    const wrapper = await mountPage({ targets: [], repos: {} })
    await byId(wrapper, 'add-node').trigger('click')
    await flushPromises()
    const dialog = byId(wrapper, 'add-node-dialog')
    expect(dialog.text()).toContain('only enrolled agents’ keys')
    expect(byId(wrapper, 'add-node-listen').element.value).toBe(':2222')
    expect(byId(wrapper, 'add-node-dir').element.value).toBe('/var/lib/borgdesk-storage')
    expect(byId(wrapper, 'add-node-server').findAll('option').map((o) => o.text())).toEqual(['Pick an online server', 'web1', 'db1', 'nas1'])

    await dialog.get('form').trigger('submit')
    expect(byId(wrapper, 'error-server').text()).toBe('Pick the server that stores the backups.')
    expect(Desk.AddStorageNode).not.toHaveBeenCalled()

    await byId(wrapper, 'add-node-server').setValue('uuid-nas1')
    await byId(wrapper, 'add-node-listen').setValue('2222')
    await dialog.get('form').trigger('submit')
    expect(byId(wrapper, 'error-listen').text()).toContain(':port or host:port')

    await byId(wrapper, 'add-node-listen').setValue(':2222')
    await byId(wrapper, 'add-node-address').setValue('nas1.lan')
    Desk.AddStorageNode.mockResolvedValue(nodeRecord({ host: 'nas1.lan' }))
    Desk.ListTargets.mockResolvedValue([nodeRecord({ host: 'nas1.lan' })])
    await dialog.get('form').trigger('submit')
    await flushPromises()
    expect(Desk.AddStorageNode).toHaveBeenCalledWith({ server: 'uuid-nas1', name: '', listen: ':2222', address: 'nas1.lan', dir: '/var/lib/borgdesk-storage' })
    expect(wrapper.find('[data-testid="add-node-dialog"]').exists()).toBe(false)
    expect(byId(wrapper, 'target-added').text()).toContain('nas1 is added')
    expect(document.activeElement?.textContent.trim()).toBe('nas1')
  })

  it('adds a hosted service only after its host key is confirmed, then shows the lines', async () => {
    const wrapper = await mountPage({ targets: [], repos: {} })
    await byId(wrapper, 'add-hosted').trigger('click')
    await flushPromises()
    await byId(wrapper, 'add-hosted-name').setValue('box')
    await byId(wrapper, 'add-hosted-host').setValue('u123.your-storagebox.de')
    await byId(wrapper, 'add-hosted-port').setValue(23)
    await byId(wrapper, 'add-hosted-user').setValue('u123')
    await byId(wrapper, 'add-hosted-path').setValue('./borgdesk')

    Desk.AddHostedTarget.mockRejectedValueOnce(UNCONFIRMED)
    await byId(wrapper, 'add-hosted-dialog').get('form').trigger('submit')
    await flushPromises()
    expect(Desk.AddHostedTarget).toHaveBeenLastCalledWith({ name: 'box', host: 'u123.your-storagebox.de', port: 23, user: 'u123', path: './borgdesk', accept_host_key: '' })
    expect(byId(wrapper, 'add-hosted-dialog').attributes('data-stage')).toBe('key')
    expect(byId(wrapper, 'hosted-fingerprint').text()).toBe(HOSTED_FP)
    expect(byId(wrapper, 'hosted-key-type').text()).toBe('ssh-ed25519')
    expect(document.activeElement).toBe(byId(wrapper, 'hosted-hostkey').element)

    Desk.AddHostedTarget.mockResolvedValueOnce(hostedRecord())
    Desk.HostedKeys.mockResolvedValue(LINES.slice(0, 1))
    await byId(wrapper, 'add-hosted-confirm').trigger('click')
    await flushPromises()
    expect(Desk.AddHostedTarget).toHaveBeenLastCalledWith(expect.objectContaining({ accept_host_key: HOSTED_FP }))
    expect(Desk.HostedKeys).toHaveBeenCalledWith('box')
    expect(wrapper.findAll('[data-testid="hosted-key-line"]').map((l) => l.text())).toEqual(LINES.slice(0, 1))

    Desk.CheckTarget.mockResolvedValue(hostedRecord({ status: 'ready' }))
    await byId(wrapper, 'hosted-check').trigger('click')
    await flushPromises()
    expect(Desk.CheckTarget).toHaveBeenCalledWith('box')
    expect(byId(wrapper, 'hosted-check-ok').text()).toContain('the lines are in place')

    await byId(wrapper, 'add-hosted-done').trigger('click')
    await flushPromises()
    expect(byId(wrapper, 'target-added').text()).toContain('box is added')
  })

  it('shows Go’s refusal when the key presented changed between the two calls', async () => {
    const wrapper = await mountPage({ targets: [], repos: {} })
    await byId(wrapper, 'add-hosted').trigger('click')
    await flushPromises()
    for (const [id, v] of [['add-hosted-name', 'box'], ['add-hosted-host', 'box.example'], ['add-hosted-user', 'u1'], ['add-hosted-path', './r']]) {
      await byId(wrapper, id).setValue(v)
    }
    Desk.AddHostedTarget.mockRejectedValueOnce(UNCONFIRMED)
    await byId(wrapper, 'add-hosted-dialog').get('form').trigger('submit')
    await flushPromises()
    Desk.AddHostedTarget.mockRejectedValueOnce('invalid: box.example:22 presents SHA256:other, not the SHA256:x you confirmed — stop and check with your provider')
    await byId(wrapper, 'add-hosted-confirm').trigger('click')
    await flushPromises()
    expect(byId(wrapper, 'add-hosted-dialog').attributes('data-stage')).toBe('key')
    expect(byId(wrapper, 'error-message').text()).toContain('stop and check with your provider')
    expect(Desk.HostedKeys).not.toHaveBeenCalled()
  })

  it('shows the keys of a hosted service and checks it from its card', async () => {
    const wrapper = await mountPage({ targets: [hostedRecord()], repos: { 2: 'box' } })
    Desk.HostedKeys.mockResolvedValue(LINES)
    await card(wrapper, 'box').get('[data-testid="target-keys"]').trigger('click')
    await flushPromises()
    expect(byId(wrapper, 'hosted-keys-dialog').text()).toContain('Keys for box')
    expect(wrapper.findAll('[data-testid="hosted-key-line"]')).toHaveLength(2)
    await byId(wrapper, 'hosted-keys-done').trigger('click')

    Desk.CheckTarget.mockRejectedValue('unavailable: box refused or failed the coordinator’s connection')
    await card(wrapper, 'box').get('[data-testid="target-check"]').trigger('click')
    await flushPromises()
    expect(card(wrapper, 'box').get('[data-testid="target-check-error"]').text()).toContain('refused or failed')
  })

  it('removes a target only with its name typed, and shows Go’s refusal', async () => {
    const wrapper = await mountPage()
    await card(wrapper, 'nas1').get('[data-testid="target-remove"]').trigger('click')
    await flushPromises()
    expect(byId(wrapper, 'remove-target-repos').text()).toContain('web1')
    expect(byId(wrapper, 'confirm-button').attributes('disabled')).toBeDefined()
    await byId(wrapper, 'confirm-input').setValue('nas1')
    Desk.RemoveTarget.mockRejectedValue('1 repositories live on this target; move them first: conflict')
    await byId(wrapper, 'confirm-button').trigger('click')
    await flushPromises()
    expect(Desk.RemoveTarget).toHaveBeenCalledWith('nas1')
    expect(byId(wrapper, 'remove-target-dialog').text()).toContain('move them first')
    expect(wrapper.findAll('[data-testid="target-card"]')).toHaveLength(2)
  })
})
