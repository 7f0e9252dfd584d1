import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest'
import { enableAutoUnmount, flushPromises } from '@vue/test-utils'
import * as Desk from 'wailsjs/go/app/Desk.js'
import { resetRuntime } from '../fake-runtime.js'
import { mountWith, serverRecord } from '../mount.js'
import ServerDetailPage from '@/pages/ServerDetailPage.vue'

vi.mock('wailsjs/go/app/Desk.js', () => import('../fake-desk.js'))
vi.mock('wailsjs/runtime/runtime.js', () => import('../fake-runtime.js'))

const PASSWORD = 'uninstall-Pa55!'
const FP = 'SHA256:uNiVztksCsDhcc0u9e8BujQXVUpKZIDTMczCvj3tD2s'
const web1 = serverRecord({ host: 'web1.lan', port: 2222, user: 'admin' })
const revoked = { ...web1, status: 'revoked', online: false, revoked_at: '2026-11-22T08:00:00Z' }
const hostKey = (fields = {}) => ({ host: 'web1.lan', port: 2222, type: 'ssh-ed25519', fingerprint: FP, known: true, changed: false, ...fields })
const done = { host: 'web1.lan', port: 2222, user: 'admin', name: 'web1', step: 'done', status: 'done', message: 'borgdesk-agent removed from web1.lan; web1 revoked' }

const byId = (wrapper, id) => wrapper.get(`[data-testid="${id}"]`)
const isDisabled = (el) => el.attributes('disabled') !== undefined

async function openDialog() {
  Desk.GetServer.mockResolvedValue(web1)
  Desk.ListServers.mockResolvedValue([web1])
  const { wrapper } = await mountWith(ServerDetailPage, { path: `/servers/${web1.uuid}`, attach: true })
  await byId(wrapper, 'uninstall-button').trigger('click')
  await flushPromises()
  return wrapper
}

async function probe(wrapper, key) {
  Desk.ProbeHosts.mockResolvedValue([key])
  await byId(wrapper, 'ssh-password').setValue(PASSWORD)
  await wrapper.get('[data-testid="uninstall-dialog"] form').trigger('submit')
  await flushPromises()
}

enableAutoUnmount(afterEach)

describe('Uninstall agent', () => {
  beforeEach(() => {
    resetRuntime()
    vi.useFakeTimers({ toFake: ['Date'] })
    vi.setSystemTime(new Date('2026-11-22T08:00:00Z'))
  })
  afterEach(() => vi.useRealTimers())

  it('asks where and as whom to log in, filled from the server', async () => {
    const wrapper = await openDialog()
    expect(byId(wrapper, 'dialog-title').text()).toBe('Uninstall the agent from web1')
    expect(byId(wrapper, 'uninstall-host').element.value).toBe('web1.lan')
    expect(byId(wrapper, 'uninstall-port').element.value).toBe('2222')
    expect(byId(wrapper, 'uninstall-user').element.value).toBe('admin')
    expect(byId(wrapper, 'ssh-password').attributes()).toMatchObject({ type: 'password', autocomplete: 'off' })
  })

  it('needs a password before it probes, and probes without it', async () => {
    const wrapper = await openDialog()
    await wrapper.get('[data-testid="uninstall-dialog"] form').trigger('submit')
    expect(byId(wrapper, 'error-password').text()).toBe('Enter the password.')
    expect(Desk.ProbeHosts).not.toHaveBeenCalled()

    await probe(wrapper, hostKey())
    expect(Desk.ProbeHosts).toHaveBeenCalledWith([{ host: 'web1.lan', port: 2222, user: 'admin', name: 'web1' }])
  })

  it('uninstalls over SSH, shows the sentence and refreshes the server to revoked', async () => {
    const wrapper = await openDialog()
    await probe(wrapper, hostKey())
    let sent = null
    Desk.UninstallServer.mockImplementation(async (req) => {
      sent = structuredClone(req)
      return done
    })
    Desk.GetServer.mockResolvedValue(revoked)
    Desk.ListServers.mockResolvedValue([revoked])

    await byId(wrapper, 'uninstall-confirm').trigger('click')
    await flushPromises()

    expect(sent).toEqual({ server: web1.uuid, host: 'web1.lan', port: 2222, user: 'admin', password: PASSWORD })
    expect(byId(wrapper, 'uninstall-result').attributes('data-status')).toBe('done')
    expect(byId(wrapper, 'uninstall-message').text()).toBe('borgdesk-agent removed from web1.lan; web1 revoked')
    expect(Desk.ListServers).toHaveBeenCalled()
    expect(byId(wrapper, 'detail-status').text()).toBe('Revoked')
    expect(wrapper.html()).not.toContain(PASSWORD)
  })

  it('sends a new host key only once ticked, and never past a changed one', async () => {
    const wrapper = await openDialog()
    await probe(wrapper, hostKey({ known: false }))
    expect(isDisabled(byId(wrapper, 'uninstall-confirm'))).toBe(true)
    await byId(wrapper, 'hostkey-confirm').setValue(true)
    Desk.UninstallServer.mockResolvedValue(done)
    await byId(wrapper, 'uninstall-confirm').trigger('click')
    await flushPromises()
    expect(Desk.UninstallServer.mock.calls[0][0].accept_host_key).toBe(FP)

    await byId(wrapper, 'uninstall-close').trigger('click')
    await byId(wrapper, 'uninstall-button').trigger('click')
    await flushPromises()
    await probe(wrapper, hostKey({ known: false, changed: true, pinned: 'SHA256:old' }))
    expect(byId(wrapper, 'hostkey-changed').text()).toContain('SHA256:old')
    expect(wrapper.find('[data-testid="hostkey-confirm"]').exists()).toBe(false)
    expect(isDisabled(byId(wrapper, 'uninstall-confirm'))).toBe(true)
  })

  it('forgets a changed key once confirmed, probes again and sends the new key only once ticked', async () => {
    const NEW = 'SHA256:rEiNsTaLlEdWeB1rEiNsTaLlEdWeB1rEiNsTaLlEd'
    const wrapper = await openDialog()
    await probe(wrapper, hostKey({ known: false, changed: true, pinned: 'SHA256:old' }))
    expect(isDisabled(byId(wrapper, 'uninstall-confirm'))).toBe(true)
    Desk.ProbeHosts.mockClear()
    Desk.ProbeHosts.mockResolvedValue([hostKey({ known: false, fingerprint: NEW })])

    await byId(wrapper, 'hostkey-forget').trigger('click')
    await flushPromises()
    expect(byId(wrapper, 'hostkey-forget-dialog').text()).toContain('Forget the old host key of web1.lan:2222?')
    expect(Desk.ForgetHostKey).not.toHaveBeenCalled()
    await byId(wrapper, 'confirm-button').trigger('click')
    await flushPromises()

    expect(Desk.ForgetHostKey).toHaveBeenCalledWith('web1.lan', 2222)
    expect(Desk.ProbeHosts).toHaveBeenCalledWith([{ host: 'web1.lan', port: 2222, user: 'admin', name: 'web1' }])
    expect(JSON.stringify([Desk.ForgetHostKey.mock.calls, Desk.ProbeHosts.mock.calls])).not.toContain(PASSWORD)
    expect(byId(wrapper, 'uninstall-dialog').attributes('data-stage')).toBe('key')
    expect(byId(wrapper, 'hostkey-row').attributes('data-state')).toBe('new')
    expect(byId(wrapper, 'hostkey-fingerprint').text()).toBe(NEW)
    expect(byId(wrapper, 'hostkey-confirm').element.checked).toBe(false)
    expect(isDisabled(byId(wrapper, 'uninstall-confirm'))).toBe(true)

    await byId(wrapper, 'hostkey-confirm').setValue(true)
    Desk.UninstallServer.mockResolvedValue(done)
    await byId(wrapper, 'uninstall-confirm').trigger('click')
    await flushPromises()
    expect(Desk.UninstallServer.mock.calls[0][0].accept_host_key).toBe(NEW)
  })

  it('shows a failed uninstall in red with Go’s sentence', async () => {
    const wrapper = await openDialog()
    await probe(wrapper, hostKey())
    Desk.UninstallServer.mockResolvedValue({ ...done, step: 'connecting', status: 'failed', message: 'ssh: permission denied (password)' })
    await byId(wrapper, 'uninstall-confirm').trigger('click')
    await flushPromises()

    const result = byId(wrapper, 'uninstall-result')
    expect(result.attributes('role')).toBe('alert')
    expect(result.text()).toContain('The agent could not be uninstalled.')
    expect(byId(wrapper, 'uninstall-message').text()).toBe('ssh: permission denied (password)')
  })

  it('shows a refusal on the form, without the password', async () => {
    const wrapper = await openDialog()
    await probe(wrapper, hostKey())
    Desk.UninstallServer.mockRejectedValue(`uninstall: sudo: wrong password ${PASSWORD}`)
    await byId(wrapper, 'uninstall-confirm').trigger('click')
    await flushPromises()

    expect(byId(wrapper, 'error-message').text()).toBe('uninstall: sudo: wrong password •••')
    expect(byId(wrapper, 'ssh-password').element.value).toBe('')
  })
})
