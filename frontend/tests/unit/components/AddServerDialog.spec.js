import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest'
import { enableAutoUnmount, flushPromises } from '@vue/test-utils'
import * as Desk from 'wailsjs/go/app/Desk.js'
import { resetRuntime } from '../fake-runtime.js'
import { mountWith } from '../mount.js'
import AddServerDialog from '@/components/servers/AddServerDialog.vue'

vi.mock('wailsjs/go/app/Desk.js', () => import('../fake-desk.js'))
vi.mock('wailsjs/runtime/runtime.js', () => import('../fake-runtime.js'))

const TOKEN = {
  token: 'bdt_abc',
  name: 'web3',
  expires_at: '2026-11-23T08:00:00Z',
  install_command: 'curl -fsSL https://desk.lan:8443/install.sh | sudo sh -s -- --token bdt_abc',
  ca_fingerprint: 'sha256:9f86d081884c7d65',
  server_url: 'https://desk.lan:8443',
}

const writeText = vi.fn()

async function open(locale = 'en') {
  const { wrapper } = await mountWith(AddServerDialog, { locale, props: { open: true }, attach: true })
  return wrapper
}

// The one-line command is the third method; password is the default.
async function chooseCommand(wrapper) {
  await wrapper.get('[data-testid="add-server-method-command"] input').setValue(true)
}

async function fill(wrapper, name, ttl) {
  await chooseCommand(wrapper)
  await wrapper.get('[data-testid="add-server-name"]').setValue(name)
  if (ttl) await wrapper.get('[data-testid="add-server-ttl"]').setValue(ttl)
  await wrapper.get('form').trigger('submit')
  await flushPromises()
}

enableAutoUnmount(afterEach)

describe('AddServerDialog', () => {
  beforeEach(() => {
    resetRuntime()
    vi.useFakeTimers({ toFake: ['Date'] })
    vi.setSystemTime(new Date('2026-11-22T08:00:00Z'))
    writeText.mockResolvedValue(undefined)
    Object.defineProperty(navigator, 'clipboard', { value: { writeText }, configurable: true })
  })
  afterEach(() => vi.useRealTimers())

  it('is a labelled modal dialog that focuses the host field of the default method', async () => {
    const wrapper = await open()
    const dialog = wrapper.get('[role="dialog"]')
    expect(dialog.attributes('aria-modal')).toBe('true')
    const title = document.getElementById(dialog.attributes('aria-labelledby'))
    expect(title.textContent.trim()).toBe('Add a server')
    expect(document.activeElement).toBe(wrapper.get('[data-testid="add-server-host"]').element)
  })

  it('offers the three token lifetimes, one hour by default', async () => {
    const wrapper = await open()
    await chooseCommand(wrapper)
    const select = wrapper.get('[data-testid="add-server-ttl"]')
    expect(select.findAll('option').map((o) => [o.attributes('value'), o.text()])).toEqual([
      ['15m', '15 minutes'],
      ['1h', '1 hour'],
      ['24h', '24 hours'],
    ])
    expect(select.element.value).toBe('1h')
  })

  it.each([
    ['', 'Enter a name for the server.'],
    ['web 1', 'Start with a letter or digit; then letters, digits, dots, dashes and underscores, up to 63 characters.'],
    ['web1;reboot', 'Start with a letter or digit; then letters, digits, dots, dashes and underscores, up to 63 characters.'],
    ['-web1', 'Start with a letter or digit; then letters, digits, dots, dashes and underscores, up to 63 characters.'],
  ])('refuses the name %j without calling Go', async (name, message) => {
    const wrapper = await open()
    await fill(wrapper, name)

    expect(Desk.CreateEnrollmentToken).not.toHaveBeenCalled()
    const input = wrapper.get('[data-testid="add-server-name"]')
    expect(input.attributes('aria-invalid')).toBe('true')
    expect(wrapper.get('[data-testid="add-server-name-help"]').text()).toBe(message)
    expect(wrapper.find('[data-testid="install-command"]').exists()).toBe(false)
  })

  it('creates the token and shows the install command, fingerprint and expiry', async () => {
    Desk.CreateEnrollmentToken.mockResolvedValue(TOKEN)
    const wrapper = await open()
    await fill(wrapper, 'web3', '24h')

    expect(Desk.CreateEnrollmentToken).toHaveBeenCalledWith('web3', '24h')
    expect(wrapper.get('[data-testid="dialog-title"]').text()).toBe('Install command for web3')
    expect(wrapper.get('[data-testid="install-command"]').text()).toBe(TOKEN.install_command)
    expect(wrapper.get('[data-testid="add-server-ca"]').text()).toBe('sha256:9f86d081884c7d65')
    expect(wrapper.get('[data-testid="add-server-url"]').text()).toBe('https://desk.lan:8443')
    expect(wrapper.get('[data-testid="add-server-expires"]').text()).toMatch(/Nov 23, 2026.*\(tomorrow\)/)
    expect(wrapper.get('[data-testid="add-server-once"]').text()).toContain('works once')
    expect(document.activeElement).toBe(wrapper.get('[data-testid="copy-button"]').element)
  })

  it('copies the command to the clipboard and says so', async () => {
    Desk.CreateEnrollmentToken.mockResolvedValue(TOKEN)
    const wrapper = await open()
    await fill(wrapper, 'web3')

    const copy = wrapper.get('[data-testid="copy-button"]')
    expect(copy.text()).toBe('Copy')
    await copy.trigger('click')
    await flushPromises()

    expect(writeText).toHaveBeenCalledWith(TOKEN.install_command)
    expect(copy.text()).toBe('Copied')
  })

  it('says so when the clipboard is refused', async () => {
    Desk.CreateEnrollmentToken.mockResolvedValue(TOKEN)
    writeText.mockRejectedValue(new DOMException('denied', 'NotAllowedError'))
    const wrapper = await open()
    await fill(wrapper, 'web3')

    await wrapper.get('[data-testid="copy-button"]').trigger('click')
    await flushPromises()

    expect(wrapper.get('[data-testid="copy-failed"]').text()).toContain('Ctrl+C')
  })

  it('shows the error Go refused with, verbatim, and keeps the form', async () => {
    Desk.CreateEnrollmentToken.mockRejectedValue('create token: a server named "web1" already exists')
    const wrapper = await open()
    await fill(wrapper, 'web1')

    const alert = wrapper.get('[data-testid="error-alert"]')
    expect(alert.text()).toContain('Could not create the install command.')
    expect(alert.get('[data-testid="error-message"]').text()).toBe('create token: a server named "web1" already exists')
    expect(wrapper.find('[data-testid="add-server-name"]').exists()).toBe(true)
  })

  it('closes on Escape and from its buttons', async () => {
    const wrapper = await open()
    document.activeElement.dispatchEvent(new KeyboardEvent('keydown', { key: 'Escape', bubbles: true }))
    expect(wrapper.emitted('close')).toHaveLength(1)
    await wrapper.get('[data-testid="dialog-close"]').trigger('click')
    expect(wrapper.emitted('close')).toHaveLength(2)
  })

  it('speaks German', async () => {
    const wrapper = await open('de')
    expect(wrapper.get('[data-testid="dialog-title"]').text()).toBe('Server hinzufügen')
    expect(wrapper.get('[data-testid="add-server-submit"]').text()).toBe('Host-Schlüssel prüfen')
    await chooseCommand(wrapper)
    expect(wrapper.get('[data-testid="add-server-submit"]').text()).toBe('Installationsbefehl erstellen')
  })
})
