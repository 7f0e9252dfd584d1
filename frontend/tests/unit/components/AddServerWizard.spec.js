import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest'
import { enableAutoUnmount, flushPromises } from '@vue/test-utils'
import * as Desk from 'wailsjs/go/app/Desk.js'
import { emit, resetRuntime } from '../fake-runtime.js'
import { mountWith } from '../mount.js'
import AddServerDialog from '@/components/servers/AddServerDialog.vue'

vi.mock('wailsjs/go/app/Desk.js', () => import('../fake-desk.js'))
vi.mock('wailsjs/runtime/runtime.js', () => import('../fake-runtime.js'))

// The SSH methods of the Add server dialog: password and key, the host key
// step, and the live install rows.

const PASSWORD = 'S3cret-pa55word!'
const FP = {
  web3: 'SHA256:nThbg6kXUpJWGl7E1IGOCspRomTxdCARLviKw6E5SY8',
  web4: 'SHA256:4wQ2bW0Yt3FQ9p6xJq1lWq9sZxV2pB7mKxJtY1N0s3Q',
  web5: 'SHA256:9a0Fh2ZqkP3vQwX8yL1nR5sT7uV9wA2bC4dE6fG8hJk',
  old: 'SHA256:Zm9vYmFyYmF6cXV4cXV1eGNvcmdlZ3JhdWx0Z2FycGx5',
}

const target = (name, fields = {}) => ({ host: `${name}.lan`, port: 22, user: 'root', name: '', ...fields })
const key = (name, fields = {}) => ({
  host: `${name}.lan`,
  port: 22,
  type: 'ssh-ed25519',
  fingerprint: FP[name] ?? `SHA256:${name}`,
  known: false,
  changed: false,
  ...fields,
})
const state = (name, fields = {}) => ({
  host: `${name}.lan`,
  port: 22,
  user: 'root',
  name,
  step: '',
  status: 'pending',
  message: '',
  started_at: null,
  finished_at: null,
  ...fields,
})
const progress = (id, host) => ({ id: 0, at: '2026-11-22T08:00:01Z', kind: 'rollout:progress', subject: id, message: '', data: { rollout_id: id, host } })

const byId = (wrapper, id) => wrapper.get(`[data-testid="${id}"]`)
const has = (wrapper, id) => wrapper.find(`[data-testid="${id}"]`).exists()
const rows = (wrapper, id) => wrapper.findAll(`[data-testid="${id}"]`)

async function open(locale = 'en') {
  const mounted = await mountWith(AddServerDialog, { locale, path: '/servers', props: { open: true }, attach: true })
  return mounted
}

async function submit(wrapper) {
  await wrapper.get('form').trigger('submit')
  await flushPromises()
}

// One host with a password, up to the host key step.
async function probeOne(wrapper, keys, host = 'web3.lan') {
  Desk.ProbeHosts.mockResolvedValue(keys)
  await byId(wrapper, 'add-server-host').setValue(host)
  await byId(wrapper, 'ssh-password').setValue(PASSWORD)
  await submit(wrapper)
}

// A pasted list with a password, up to the host key step.
async function probeMany(wrapper, targets, keys) {
  Desk.ParseHosts.mockResolvedValue(targets)
  Desk.ProbeHosts.mockResolvedValue(keys)
  await wrapper.get('[data-testid="hosts-mode-many"] input').setValue(true)
  await byId(wrapper, 'add-server-hosts').setValue(targets.map((t) => t.host).join('\n'))
  await byId(wrapper, 'ssh-password').setValue(PASSWORD)
  await submit(wrapper)
}

const startButton = (wrapper) => byId(wrapper, 'rollout-start')
const isDisabled = (button) => button.attributes('disabled') !== undefined
const secretsIn = (value) => JSON.stringify(value).includes(PASSWORD)

enableAutoUnmount(afterEach)

describe('Add server wizard', () => {
  beforeEach(() => {
    resetRuntime()
    vi.useFakeTimers({ toFake: ['Date'] })
    vi.setSystemTime(new Date('2026-11-22T08:00:00Z'))
  })
  afterEach(() => vi.useRealTimers())

  describe('methods', () => {
    it('starts on the password method, with a password field the browser does not keep', async () => {
      const { wrapper } = await open()
      expect(byId(wrapper, 'add-server-dialog').attributes('data-method')).toBe('password')
      expect(wrapper.get('[data-testid="add-server-method-password"] input').element.checked).toBe(true)
      expect(byId(wrapper, 'add-server-port').element.value).toBe('22')
      expect(byId(wrapper, 'add-server-user').element.value).toBe('root')
      const password = byId(wrapper, 'ssh-password')
      expect(password.attributes()).toMatchObject({ type: 'password', autocomplete: 'off', spellcheck: 'false' })
      expect(has(wrapper, 'add-server-name')).toBe(false)
      expect(has(wrapper, 'ssh-key')).toBe(false)
    })

    it('switches to the key method: key text or file, passphrase and sudo password', async () => {
      const { wrapper } = await open()
      await wrapper.get('[data-testid="add-server-method-key"] input').setValue(true)

      expect(has(wrapper, 'ssh-password')).toBe(false)
      expect(byId(wrapper, 'ssh-key').element.tagName).toBe('TEXTAREA')
      expect(byId(wrapper, 'ssh-key').attributes()).toMatchObject({ autocomplete: 'off', spellcheck: 'false' })
      expect(byId(wrapper, 'ssh-key-file').attributes('type')).toBe('file')
      expect(byId(wrapper, 'ssh-key-passphrase').attributes()).toMatchObject({ type: 'password', autocomplete: 'off' })
      expect(byId(wrapper, 'ssh-sudo-password').attributes()).toMatchObject({ type: 'password', autocomplete: 'off' })
    })

    it('switches to the one-line command and back', async () => {
      const { wrapper } = await open()
      await wrapper.get('[data-testid="add-server-method-command"] input').setValue(true)
      expect(has(wrapper, 'add-server-name')).toBe(true)
      expect(has(wrapper, 'add-server-host')).toBe(false)
      expect(has(wrapper, 'add-server-steps')).toBe(false)
      expect(byId(wrapper, 'add-server-submit').text()).toBe('Create install command')

      await wrapper.get('[data-testid="add-server-method-password"] input').setValue(true)
      expect(has(wrapper, 'add-server-host')).toBe(true)
      expect(byId(wrapper, 'add-server-submit').text()).toBe('Check host keys')
    })

    it('reads a key file in the window and takes its text as the key', async () => {
      const { wrapper } = await open()
      await wrapper.get('[data-testid="add-server-method-key"] input').setValue(true)
      const pem = '-----BEGIN OPENSSH PRIVATE KEY-----\nb3BlbnNzaC1rZXktdjEAAAAA\n-----END OPENSSH PRIVATE KEY-----\n'
      const input = byId(wrapper, 'ssh-key-file')
      Object.defineProperty(input.element, 'files', { value: [new File([pem], 'id_ed25519')], configurable: true })
      await input.trigger('change')

      await vi.waitFor(() => expect(byId(wrapper, 'ssh-key').element.value).toBe(pem))
      await flushPromises()
      expect(byId(wrapper, 'ssh-key-summary').text()).toBe('OpenSSH private key read from id_ed25519')
    })
  })

  describe('the form', () => {
    it('says what is missing without calling Go', async () => {
      const { wrapper } = await open()
      await submit(wrapper)

      expect(byId(wrapper, 'error-host').text()).toBe("Enter the server's host name or IP address.")
      expect(byId(wrapper, 'error-password').text()).toBe('Enter the password.')
      expect(document.activeElement).toBe(byId(wrapper, 'add-server-host').element)
      expect(Desk.ProbeHosts).not.toHaveBeenCalled()
    })

    it('refuses a host field holding a user or a port, and a text that is not a private key', async () => {
      const { wrapper } = await open()
      await wrapper.get('[data-testid="add-server-method-key"] input').setValue(true)
      await byId(wrapper, 'add-server-host').setValue('admin@web3.lan')
      await byId(wrapper, 'ssh-key').setValue('ssh-ed25519 AAAAC3NzaC1lZDI1NTE5 me@laptop')
      await submit(wrapper)

      expect(byId(wrapper, 'error-host').text()).toContain('no spaces, slashes, commas or @')
      expect(byId(wrapper, 'error-key').text()).toContain('This is not a private key')
      expect(Desk.ProbeHosts).not.toHaveBeenCalled()
    })

    it('shows the sentence ParseHosts refused a pasted list with, under the list', async () => {
      const { wrapper } = await open()
      Desk.ParseHosts.mockRejectedValue('line 2 ("db1.lan,22x,root"): port "22x" is not a number from 1 to 65535')
      await wrapper.get('[data-testid="hosts-mode-many"] input').setValue(true)
      await byId(wrapper, 'add-server-hosts').setValue('web1.lan\ndb1.lan,22x,root')
      await byId(wrapper, 'add-server-user').setValue('admin')
      await byId(wrapper, 'ssh-password').setValue(PASSWORD)
      await submit(wrapper)

      expect(Desk.ParseHosts).toHaveBeenCalledWith('web1.lan\ndb1.lan,22x,root', 'admin')
      expect(byId(wrapper, 'error-hosts').text()).toBe('line 2 ("db1.lan,22x,root"): port "22x" is not a number from 1 to 65535')
      expect(byId(wrapper, 'add-server-hosts').attributes('aria-invalid')).toBe('true')
      expect(Desk.ProbeHosts).not.toHaveBeenCalled()

      await byId(wrapper, 'add-server-hosts').setValue('web1.lan\ndb1.lan,22,root')
      expect(has(wrapper, 'error-hosts')).toBe(false)
    })

    it('probes the host keys with the targets only: no credential goes with them', async () => {
      const { wrapper } = await open()
      await byId(wrapper, 'add-server-port').setValue('2222')
      await byId(wrapper, 'add-server-host-name').setValue('web3')
      await probeOne(wrapper, [key('web3', { port: 2222 })])

      expect(Desk.ProbeHosts).toHaveBeenCalledWith([{ host: 'web3.lan', port: 2222, user: 'root', name: 'web3' }])
      expect(secretsIn(Desk.ProbeHosts.mock.calls)).toBe(false)
      expect(byId(wrapper, 'add-server-dialog').attributes('data-stage')).toBe('keys')
    })

    it('shows the error ProbeHosts failed with and stays on the form', async () => {
      const { wrapper } = await open()
      Desk.ProbeHosts.mockRejectedValue('probe: no route to host')
      await byId(wrapper, 'add-server-host').setValue('web3.lan')
      await byId(wrapper, 'ssh-password').setValue(PASSWORD)
      await submit(wrapper)

      expect(byId(wrapper, 'error-alert').text()).toContain('Could not check the host keys.')
      expect(byId(wrapper, 'error-message').text()).toBe('probe: no route to host')
      expect(has(wrapper, 'add-server-host')).toBe(true)
    })
  })

  describe('host keys', () => {
    it('shows the key type and fingerprint and how to check them on the server', async () => {
      const { wrapper } = await open()
      await probeOne(wrapper, [key('web3')])

      const row = byId(wrapper, 'hostkey-row')
      expect(row.attributes('data-state')).toBe('new')
      expect(row.get('[data-testid="hostkey-type"]').text()).toBe('ssh-ed25519')
      expect(row.get('[data-testid="hostkey-fingerprint"]').text()).toBe(FP.web3)
      expect(row.get('[data-testid="hostkey-fingerprint"]').classes()).toContain('font-mono')
      expect(byId(wrapper, 'hostkeys-howto').text()).toContain('ssh-keygen -lf /etc/ssh/ssh_host_ed25519_key.pub')
    })

    it('blocks until the new key is ticked', async () => {
      const { wrapper } = await open()
      await probeOne(wrapper, [key('web3')])

      expect(isDisabled(startButton(wrapper))).toBe(true)
      expect(byId(wrapper, 'hostkeys-blocked').text()).toContain('Tick the new key')
      await startButton(wrapper).trigger('click')
      expect(Desk.StartRollout).not.toHaveBeenCalled()

      await byId(wrapper, 'hostkey-confirm').setValue(true)
      expect(isDisabled(startButton(wrapper))).toBe(false)
      expect(startButton(wrapper).text()).toBe('Install on 1 host')

      await byId(wrapper, 'hostkey-confirm').setValue(false)
      expect(isDisabled(startButton(wrapper))).toBe(true)
    })

    it('marks a pinned key as trusted without asking', async () => {
      const { wrapper } = await open()
      await probeOne(wrapper, [key('web3', { known: true })])

      expect(byId(wrapper, 'hostkey-row').attributes('data-state')).toBe('known')
      expect(byId(wrapper, 'hostkey-state').text()).toBe('Trusted')
      expect(has(wrapper, 'hostkey-confirm')).toBe(false)
      expect(isDisabled(startButton(wrapper))).toBe(false)
    })

    it('stops at a changed key: a red warning with both fingerprints, and nothing to tick', async () => {
      const { wrapper } = await open()
      await probeOne(wrapper, [key('web3', { changed: true, known: false, pinned: FP.old })])

      const warning = byId(wrapper, 'hostkey-changed')
      expect(warning.attributes('role')).toBe('alert')
      expect(warning.text()).toContain('The host key changed since it was pinned')
      expect(warning.text()).toContain('could be an attack')
      expect(byId(wrapper, 'hostkey-pinned').text()).toBe(FP.old)
      expect(warning.text()).toContain(FP.web3)
      expect(has(wrapper, 'hostkey-confirm')).toBe(false)
      expect(isDisabled(startButton(wrapper))).toBe(true)
      expect(has(wrapper, 'hostkeys-none')).toBe(true)
    })

    it('leaves hosts with a changed key or no answer out of the rollout', async () => {
      const { wrapper } = await open()
      await probeMany(
        wrapper,
        [target('web3'), target('web4'), target('web5')],
        [key('web3'), key('web4', { changed: true, pinned: FP.old }), { host: 'web5.lan', port: 22, type: '', fingerprint: '', known: false, changed: false, error: 'dial tcp 10.0.0.5:22: connect: connection refused' }],
      )

      expect(byId(wrapper, 'hostkey-error').text()).toBe('dial tcp 10.0.0.5:22: connect: connection refused')
      expect(rows(wrapper, 'hostkey-confirm')).toHaveLength(1)
      expect(byId(wrapper, 'hostkeys-skipped').text()).toContain('2 hosts are left out')

      Desk.StartRollout.mockResolvedValue({ id: 'r1', hosts: [state('web3')], done: false, started_at: '2026-11-22T08:00:00Z' })
      await byId(wrapper, 'hostkey-confirm').setValue(true)
      await startButton(wrapper).trigger('click')
      await flushPromises()

      const req = Desk.StartRollout.mock.calls[0][0]
      expect(req.targets).toEqual([{ host: 'web3.lan', port: 22, user: 'root', name: '' }])
      expect(req.accept_host_keys).toEqual({ 'web3.lan:22': FP.web3 })
      // The two left out are shown as failed, with the reason.
      const hosts = rows(wrapper, 'rollout-host')
      expect(hosts.map((h) => h.attributes('data-host'))).toEqual(['web3.lan:22', 'web4.lan:22', 'web5.lan:22'])
      expect(hosts[1].get('[data-testid="rollout-message"]').text()).toContain(`Pinned ${FP.old}, now ${FP.web4}`)
      expect(hosts[2].get('[data-testid="rollout-message"]').text()).toBe('dial tcp 10.0.0.5:22: connect: connection refused')
    })

    it('accepts every new key shown at once, never a changed one', async () => {
      const { wrapper } = await open()
      await probeMany(
        wrapper,
        [target('web3'), target('web4'), target('web5'), target('db1')],
        [key('web3'), key('web4'), key('web5', { known: true }), key('db1', { changed: true, pinned: FP.old })],
      )
      expect(byId(wrapper, 'hostkeys-count').text()).toBe('0 of 2 new keys confirmed')
      expect(isDisabled(startButton(wrapper))).toBe(true)

      await byId(wrapper, 'hostkeys-accept-all').trigger('click')

      expect(rows(wrapper, 'hostkey-confirm').map((c) => c.element.checked)).toEqual([true, true])
      expect(byId(wrapper, 'hostkeys-count').text()).toBe('2 of 2 new keys confirmed')
      expect(startButton(wrapper).text()).toBe('Install on 3 hosts')

      Desk.StartRollout.mockResolvedValue({ id: 'r1', hosts: [state('web3'), state('web4'), state('web5')], done: false })
      await startButton(wrapper).trigger('click')
      await flushPromises()
      const req = Desk.StartRollout.mock.calls[0][0]
      expect(req.targets.map((t) => t.host)).toEqual(['web3.lan', 'web4.lan', 'web5.lan'])
      expect(req.accept_host_keys).toEqual({ 'web3.lan:22': FP.web3, 'web4.lan:22': FP.web4 })
    })

    it('goes back to the form with what was typed', async () => {
      const { wrapper } = await open()
      await probeOne(wrapper, [key('web3')])
      await byId(wrapper, 'rollout-back').trigger('click')
      expect(byId(wrapper, 'add-server-host').element.value).toBe('web3.lan')
    })
  })

  describe('a changed key after a reinstall', () => {
    const NEW = 'SHA256:rEiNsTaLlEdKeYrEiNsTaLlEdKeYrEiNsTaLlEd0'
    const changedRow = (wrapper) => wrapper.get('[data-testid="hostkey-row"][data-host="web4.lan:22"]')
    const forgetDialog = () => document.querySelector('[data-testid="hostkey-forget-dialog"]')

    // web3 new, web4 changed; web3 ticked already.
    async function probeChanged(wrapper) {
      await probeMany(wrapper, [target('web3'), target('web4')], [key('web3'), key('web4', { changed: true, pinned: FP.old })])
      await byId(wrapper, 'hostkey-confirm').setValue(true)
      Desk.ProbeHosts.mockClear()
    }

    it('offers to forget the old key on a changed row only, and asks first', async () => {
      const { wrapper } = await open()
      await probeChanged(wrapper)

      expect(rows(wrapper, 'hostkey-forget')).toHaveLength(1)
      const button = changedRow(wrapper).get('[data-testid="hostkey-forget"]')
      expect(button.text()).toBe('The server was reinstalled: forget the old key')
      expect(forgetDialog()).toBeNull()

      await button.trigger('click')
      await flushPromises()

      const dialog = byId(wrapper, 'hostkey-forget-dialog')
      expect(dialog.attributes('role')).toBe('dialog')
      expect(dialog.text()).toContain('Forget the old host key of web4.lan:22?')
      expect(dialog.text()).toContain('Only do this if you know this server was reinstalled or its SSH host keys were regenerated.')
      expect(byId(wrapper, 'hostkey-forget-warning').text()).toContain('someone may be intercepting the connection')
      expect(dialog.text()).toContain(FP.old)
      expect(dialog.text()).toContain(FP.web4)
      // Cancel has the focus: a stray Enter forgets nothing.
      expect(document.activeElement).toBe(byId(wrapper, 'confirm-cancel').element)
      expect(Desk.ForgetHostKey).not.toHaveBeenCalled()
      expect(Desk.ProbeHosts).not.toHaveBeenCalled()
    })

    it('forgets nothing when the confirmation is cancelled or dismissed with Escape, and the wizard stays', async () => {
      const { wrapper } = await open()
      await probeChanged(wrapper)

      await changedRow(wrapper).get('[data-testid="hostkey-forget"]').trigger('click')
      await flushPromises()
      await byId(wrapper, 'confirm-cancel').trigger('click')
      await flushPromises()
      expect(has(wrapper, 'hostkey-forget-dialog')).toBe(false)

      await changedRow(wrapper).get('[data-testid="hostkey-forget"]').trigger('click')
      await flushPromises()
      document.activeElement.dispatchEvent(new KeyboardEvent('keydown', { key: 'Escape', bubbles: true, cancelable: true }))
      await flushPromises()
      expect(has(wrapper, 'hostkey-forget-dialog')).toBe(false)
      expect(wrapper.emitted('close')).toBeUndefined()
      expect(byId(wrapper, 'add-server-dialog').attributes('data-stage')).toBe('keys')

      expect(Desk.ForgetHostKey).not.toHaveBeenCalled()
      expect(Desk.ProbeHosts).not.toHaveBeenCalled()
      expect(changedRow(wrapper).attributes('data-state')).toBe('changed')
    })

    it('once confirmed, forgets the old key, probes that host alone and shows its new key unticked', async () => {
      const { wrapper } = await open()
      await probeChanged(wrapper)
      expect(startButton(wrapper).text()).toBe('Install on 1 host')
      Desk.ProbeHosts.mockResolvedValue([key('web4', { fingerprint: NEW })])

      await changedRow(wrapper).get('[data-testid="hostkey-forget"]').trigger('click')
      await flushPromises()
      await byId(wrapper, 'confirm-button').trigger('click')
      await flushPromises()

      expect(Desk.ForgetHostKey).toHaveBeenCalledWith('web4.lan', 22)
      expect(Desk.ProbeHosts).toHaveBeenCalledTimes(1)
      expect(Desk.ProbeHosts).toHaveBeenCalledWith([{ host: 'web4.lan', port: 22, user: 'root', name: '' }])
      expect(Desk.ForgetHostKey.mock.invocationCallOrder[0]).toBeLessThan(Desk.ProbeHosts.mock.invocationCallOrder[0])
      expect(secretsIn([Desk.ForgetHostKey.mock.calls, Desk.ProbeHosts.mock.calls])).toBe(false)
      expect(has(wrapper, 'hostkey-forget-dialog')).toBe(false)

      // The new key, to compare and tick like any new key: never ticked for the operator.
      const row = changedRow(wrapper)
      expect(row.attributes('data-state')).toBe('new')
      expect(row.get('[data-testid="hostkey-fingerprint"]').text()).toBe(NEW)
      expect(row.get('[data-testid="hostkey-state"]').text()).toBe('New key')
      expect(row.get('[data-testid="hostkey-forgotten"]').text()).toContain('The old key was forgotten')
      expect(row.find('[data-testid="hostkey-changed"]').exists()).toBe(false)
      expect(row.find('[data-testid="hostkey-forget"]').exists()).toBe(false)
      const tick = row.get('[data-testid="hostkey-confirm"]')
      expect(tick.element.checked).toBe(false)
      expect(document.activeElement).toBe(tick.element)
      // The first host stays ticked; the new key holds the install back.
      expect(changedRow(wrapper).element.previousElementSibling.querySelector('[data-testid="hostkey-confirm"]').checked).toBe(true)
      expect(isDisabled(startButton(wrapper))).toBe(true)
      expect(byId(wrapper, 'hostkeys-blocked').text()).toContain('Tick the new key')
      expect(has(wrapper, 'hostkeys-skipped')).toBe(false)
      expect(Desk.StartRollout).not.toHaveBeenCalled()

      await tick.setValue(true)
      expect(startButton(wrapper).text()).toBe('Install on 2 hosts')
      Desk.StartRollout.mockResolvedValue({ id: 'r9', hosts: [state('web3'), state('web4')], done: false })
      await startButton(wrapper).trigger('click')
      await flushPromises()

      const req = Desk.StartRollout.mock.calls[0][0]
      expect(req.targets.map((t) => t.host)).toEqual(['web3.lan', 'web4.lan'])
      expect(req.accept_host_keys).toEqual({ 'web3.lan:22': FP.web3, 'web4.lan:22': NEW })
    })

    it('keeps the row blocked and shows Go’s refusal in the confirmation', async () => {
      const { wrapper } = await open()
      await probeChanged(wrapper)
      Desk.ForgetHostKey.mockRejectedValue('forget host key: open known_hosts: permission denied')

      await changedRow(wrapper).get('[data-testid="hostkey-forget"]').trigger('click')
      await flushPromises()
      await byId(wrapper, 'confirm-button').trigger('click')
      await flushPromises()

      expect(byId(wrapper, 'hostkey-forget-dialog').text()).toContain('Could not forget the old key.')
      expect(byId(wrapper, 'hostkey-forget-dialog').text()).toContain('forget host key: open known_hosts: permission denied')
      expect(Desk.ProbeHosts).not.toHaveBeenCalled()
      expect(changedRow(wrapper).attributes('data-state')).toBe('changed')
    })

    it('leaves the host unreachable when the new probe fails, with nothing to tick', async () => {
      const { wrapper } = await open()
      await probeChanged(wrapper)
      Desk.ProbeHosts.mockRejectedValue('probe: no route to host')

      await changedRow(wrapper).get('[data-testid="hostkey-forget"]').trigger('click')
      await flushPromises()
      await byId(wrapper, 'confirm-button').trigger('click')
      await flushPromises()

      expect(has(wrapper, 'hostkey-forget-dialog')).toBe(false)
      const row = changedRow(wrapper)
      expect(row.attributes('data-state')).toBe('error')
      expect(row.get('[data-testid="hostkey-error"]').text()).toBe(
        'The old key was forgotten, but the host did not say which key it presents now: probe: no route to host. Go back and check the host keys again.',
      )
      expect(row.find('[data-testid="hostkey-confirm"]').exists()).toBe(false)
      expect(startButton(wrapper).text()).toBe('Install on 1 host')
    })

    it('still blocks the host when the new probe says the key changed again', async () => {
      const { wrapper } = await open()
      await probeChanged(wrapper)
      Desk.ProbeHosts.mockResolvedValue([key('web4', { fingerprint: NEW, changed: true, pinned: FP.web4 })])

      await changedRow(wrapper).get('[data-testid="hostkey-forget"]').trigger('click')
      await flushPromises()
      await byId(wrapper, 'confirm-button').trigger('click')
      await flushPromises()

      expect(changedRow(wrapper).attributes('data-state')).toBe('changed')
      expect(changedRow(wrapper).find('[data-testid="hostkey-confirm"]').exists()).toBe(false)
      expect(startButton(wrapper).text()).toBe('Install on 1 host')
    })
  })

  describe('install', () => {
    // What StartRollout received, as Go would have read it at the call.
    let sent = null

    async function startThree(wrapper) {
      await probeMany(wrapper, [target('web3'), target('web4'), target('web5')], [key('web3'), key('web4'), key('web5')])
      Desk.StartRollout.mockImplementation(async (req) => {
        sent = structuredClone(req)
        return { id: 'r7', hosts: [state('web3'), state('web4'), state('web5')], done: false }
      })
      Desk.GetRollout.mockResolvedValue({ id: 'r7', hosts: [state('web3'), state('web4'), state('web5')], done: false })
      await byId(wrapper, 'hostkeys-accept-all').trigger('click')
      await startButton(wrapper).trigger('click')
      await flushPromises()
    }

    it('sends the password with StartRollout only, then forgets it', async () => {
      const { wrapper } = await open()
      await startThree(wrapper)

      expect(sent.password).toBe(PASSWORD)
      expect(sent).not.toHaveProperty('key')
      expect(Desk.StartRollout.mock.calls[0][0].password).toBe('') // emptied once Go had it
      for (const fn of [Desk.ParseHosts, Desk.ProbeHosts, Desk.GetRollout]) expect(secretsIn(fn.mock.calls)).toBe(false)
      expect(wrapper.html()).not.toContain(PASSWORD)
      expect(byId(wrapper, 'add-server-dialog').attributes('data-stage')).toBe('progress')
    })

    it('shows one row per host, live from rollout:progress, a failure only on its own row', async () => {
      const { wrapper } = await open()
      await startThree(wrapper)
      expect(Desk.GetRollout).toHaveBeenCalledWith('r7')
      expect(rows(wrapper, 'rollout-host')).toHaveLength(3)
      expect(byId(wrapper, 'rollout-running').text()).toBe('Installing on 3 hosts…')

      emit('rollout:progress', progress('r7', state('web3', { step: 'installing borg', status: 'running', message: 'apt-get install borgbackup' })))
      emit('rollout:progress', progress('r7', state('web4', { step: 'checking the system', status: 'failed', message: 'Debian 9 is too old: Borgdesk needs systemd 232 or later.' })))
      emit('rollout:progress', progress('other', state('web5', { step: 'done', status: 'done' })))
      await flushPromises()

      const [web3, web4, web5] = rows(wrapper, 'rollout-host')
      expect(web3.get('[data-testid="rollout-step"]').text()).toBe('Step 4 of 8 · Installing borg')
      expect(web3.get('[data-testid="rollout-message"]').text()).toBe('apt-get install borgbackup')
      expect(web3.findAll('[data-segment="done"]')).toHaveLength(3)
      expect(web3.get('[role="progressbar"]').attributes('aria-valuenow')).toBe('4')
      expect(web4.attributes('data-status')).toBe('failed')
      expect(web4.get('[data-testid="rollout-step"]').text()).toBe('Step 3 of 8 · Checking the system')
      const failure = web4.get('[data-testid="rollout-message"]')
      expect(failure.text()).toBe('Debian 9 is too old: Borgdesk needs systemd 232 or later.')
      expect(failure.classes()).toContain('text-red-700')
      expect(web5.attributes('data-status')).toBe('pending')
      expect(web5.get('[data-testid="rollout-step"]').text()).toBe('Step 0 of 8 · Waiting to start')
      expect(has(wrapper, 'rollout-summary')).toBe(false)
    })

    it('sums up when every host has ended, links the enrolled ones and retries only the failed', async () => {
      const { wrapper, router } = await open()
      await startThree(wrapper)

      emit('rollout:progress', progress('r7', state('web3', { step: 'done', status: 'done', server_uuid: 'uuid-web3', message: 'enrolled' })))
      emit('rollout:progress', progress('r7', state('web4', { step: 'installing borg', status: 'failed', message: 'apt-get: no space left on device' })))
      emit('rollout:progress', progress('r7', state('web5', { step: 'done', status: 'done', server_uuid: 'uuid-web5' })))
      await flushPromises()

      expect(byId(wrapper, 'rollout-enrolled').text()).toBe('2 hosts enrolled')
      expect(byId(wrapper, 'rollout-failed').text()).toBe('1 host failed')
      const links = rows(wrapper, 'rollout-server-link')
      expect(links.map((l) => l.attributes('href'))).toEqual(['/servers/uuid-web3', '/servers/uuid-web5'])
      expect(router.currentRoute.value.fullPath).toBe('/servers') // many hosts: no jump

      await byId(wrapper, 'rollout-retry').trigger('click')
      expect(byId(wrapper, 'add-server-dialog').attributes('data-stage')).toBe('form')
      expect(byId(wrapper, 'add-server-hosts').element.value).toBe('web4.lan,22,root,web4')
      expect(byId(wrapper, 'ssh-password').element.value).toBe('')
    })

    it('goes to the server page when its one host has enrolled', async () => {
      const { wrapper, router } = await open()
      await probeOne(wrapper, [key('web3')])
      Desk.StartRollout.mockResolvedValue({ id: 'r2', hosts: [state('web3')], done: false })
      Desk.GetRollout.mockResolvedValue({ id: 'r2', hosts: [state('web3')], done: false })
      await byId(wrapper, 'hostkey-confirm').setValue(true)
      await startButton(wrapper).trigger('click')
      await flushPromises()

      emit('rollout:progress', progress('r2', state('web3', { step: 'first heartbeat', status: 'running' })))
      await flushPromises()
      expect(router.currentRoute.value.fullPath).toBe('/servers')
      emit('rollout:progress', progress('r2', state('web3', { step: 'done', status: 'done', server_uuid: 'uuid-web3' })))
      await flushPromises()

      expect(wrapper.emitted('close')).toHaveLength(1)
      expect(router.currentRoute.value.fullPath).toBe('/servers/uuid-web3')
    })

    it('keeps the one host on the form to retry when it failed', async () => {
      const { wrapper } = await open()
      await byId(wrapper, 'add-server-port').setValue('2200')
      await probeOne(wrapper, [key('web3', { port: 2200, known: true })])
      Desk.StartRollout.mockResolvedValue({ id: 'r3', hosts: [state('web3', { port: 2200 })], done: false })
      await startButton(wrapper).trigger('click')
      await flushPromises()
      emit('rollout:progress', progress('r3', state('web3', { port: 2200, step: 'connecting', status: 'failed', message: 'ssh: permission denied (password)' })))
      await flushPromises()

      expect(byId(wrapper, 'rollout-message').text()).toBe('ssh: permission denied (password)')
      expect(byId(wrapper, 'rollout-retry').text()).toBe('Retry the failed host')
      await byId(wrapper, 'rollout-retry').trigger('click')
      expect(byId(wrapper, 'add-server-host').element.value).toBe('web3.lan')
      expect(byId(wrapper, 'add-server-port').element.value).toBe('2200')
    })

    it('goes back to the form with Go’s refusal, and the password must be typed again', async () => {
      const { wrapper } = await open()
      await probeOne(wrapper, [key('web3', { known: true })])
      Desk.StartRollout.mockRejectedValue(`start rollout: sudo rejected the password ${PASSWORD}`)
      await startButton(wrapper).trigger('click')
      await flushPromises()

      expect(byId(wrapper, 'add-server-dialog').attributes('data-stage')).toBe('form')
      expect(byId(wrapper, 'error-alert').text()).toContain('Could not start the installation.')
      expect(byId(wrapper, 'error-message').text()).toBe('start rollout: sudo rejected the password •••')
      expect(byId(wrapper, 'ssh-password').element.value).toBe('')
      expect(wrapper.html()).not.toContain(PASSWORD)
    })

    it('forgets the typed password when the dialog closes', async () => {
      const { wrapper } = await open()
      await byId(wrapper, 'ssh-password').setValue(PASSWORD)
      await byId(wrapper, 'add-server-cancel').trigger('click')
      expect(wrapper.emitted('close')).toHaveLength(1)
      await wrapper.setProps({ open: false })
      await wrapper.setProps({ open: true })
      await flushPromises()
      expect(byId(wrapper, 'ssh-password').element.value).toBe('')
    })

    it('shows a rollout still running when the dialog opens again', async () => {
      const { wrapper } = await open()
      await startThree(wrapper)
      await wrapper.setProps({ open: false })
      emit('rollout:progress', progress('r7', state('web3', { step: 'enrolling', status: 'running' })))
      await wrapper.setProps({ open: true })
      await flushPromises()

      expect(byId(wrapper, 'add-server-dialog').attributes('data-stage')).toBe('progress')
      expect(rows(wrapper, 'rollout-host')[0].attributes('data-step')).toBe('enrolling')
      expect(Desk.GetRollout).toHaveBeenCalledTimes(2)
    })
  })

  it('speaks French', async () => {
    const { wrapper } = await open('fr')
    expect(byId(wrapper, 'add-server-submit').text()).toBe('Vérifier les clés d’hôte')
    await probeOne(wrapper, [key('web3')])
    expect(byId(wrapper, 'hostkey-state').text()).toBe('Nouvelle clé')
  })
})
