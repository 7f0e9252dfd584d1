import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest'
import { enableAutoUnmount, flushPromises } from '@vue/test-utils'
import * as Desk from 'wailsjs/go/app/Desk.js'
import { resetRuntime } from '../fake-runtime.js'
import { mountWith } from '../mount.js'
import { useAppStore } from '@/stores/app.js'
import { useSettingsStore } from '@/stores/settings.js'
import { addressState } from '@/utils/addresses.js'
import DataDirSettings from '@/components/settings/DataDirSettings.vue'
import PortSettings from '@/components/settings/PortSettings.vue'

vi.mock('wailsjs/go/app/Desk.js', () => import('../fake-desk.js'))
vi.mock('wailsjs/runtime/runtime.js', () => import('../fake-runtime.js'))

const ADDRESSES = [
  { key: 'gateway.listen', in_use: '[::]:8443', from: 'default', setting: ':8443' },
  { key: 'ssh.listen', in_use: '127.0.0.1:2200', from: '--ssh-listen', setting: ':2222' },
  { key: 'gateway.url', in_use: 'https://desk.lan:8443', from: 'default', setting: '' },
]
const STATUS = { version: 't', data_dir: '/home/ops/.local/share/borgdesk', servers: 0, jobs: 0, addresses: ADDRESSES }
const SETTINGS = { 'gateway.listen': ':8443', 'ssh.listen': ':2222', 'gateway.url': '' }
const INFO = {
  in_use: '/home/ops/.local/share/borgdesk',
  from: 'default',
  next: '/home/ops/.local/share/borgdesk',
  next_from: 'default',
  next_error: '',
  next_has_data: true,
  configured: '',
  config_file: '/home/ops/.config/borgdesk/desk.json',
  default: '/home/ops/.local/share/borgdesk',
}

const get = (wrapper, id) => wrapper.get(`[data-testid="${id}"]`)
const find = (wrapper, id) => wrapper.find(`[data-testid="${id}"]`)

async function mountLoaded(component, locale = 'en') {
  const { wrapper } = await mountWith(component, { locale, path: '/settings' })
  await useAppStore().loadStatus()
  await useSettingsStore().load()
  await flushPromises()
  return wrapper
}

enableAutoUnmount(afterEach)

describe('addressState', () => {
  it('tells a pending change, an override and an unknown address apart', () => {
    expect(addressState(ADDRESSES, 'gateway.listen', ':8443')).toMatchObject({ known: true, inUse: '[::]:8443', from: 'default', pending: false, overridden: false })
    expect(addressState(ADDRESSES, 'gateway.listen', ':9443')).toMatchObject({ pending: true, overridden: false })
    expect(addressState(ADDRESSES, 'ssh.listen', ':2222')).toMatchObject({ from: 'explicit', source: '--ssh-listen', overridden: true, pending: false })
    expect(addressState(ADDRESSES, 'gateway.url', undefined).pending).toBe(false)
    expect(addressState(null, 'gateway.url', '').known).toBe(false)
  })
})

describe('PortSettings', () => {
  beforeEach(() => {
    resetRuntime()
    Desk.Status.mockResolvedValue(STATUS)
    Desk.GetSettings.mockResolvedValue({ ...SETTINGS })
    Desk.SetSetting.mockResolvedValue(undefined)
  })

  it('shows each address in use beside its setting, and what overrides it', async () => {
    const wrapper = await mountLoaded(PortSettings)
    expect(get(wrapper, 'port-gateway').element.value).toBe(':8443')
    expect(get(wrapper, 'port-gateway-in-use').text()).toBe('[::]:8443')
    expect(get(wrapper, 'port-gateway-from').text()).toBe('(the default)')
    expect(get(wrapper, 'port-ssh-in-use').text()).toBe('127.0.0.1:2200')
    expect(get(wrapper, 'port-ssh-overridden').text()).toBe('--ssh-listen wins over this setting')
    expect(get(wrapper, 'port-url-in-use').text()).toBe('https://desk.lan:8443')
    expect(get(wrapper, 'ports-agents-warning').text()).toContain('keep the gateway URL they were given')
    expect(find(wrapper, 'port-gateway-restart').exists()).toBe(false)
    expect(find(wrapper, 'ports-restart-note').exists()).toBe(false)
  })

  it('saves a new port and says it takes effect at the restart', async () => {
    const wrapper = await mountLoaded(PortSettings)
    const input = get(wrapper, 'port-gateway')
    await input.setValue('127.0.0.1:9443')
    await input.trigger('change')
    await flushPromises()
    expect(Desk.SetSetting).toHaveBeenCalledWith('gateway.listen', '127.0.0.1:9443')
    expect(get(wrapper, 'port-gateway-restart').text()).toBe('Takes effect when Borgdesk restarts')
    expect(get(wrapper, 'ports-restart-note').text()).toContain('Restart Borgdesk')
    // The address in use does not move before the restart.
    expect(get(wrapper, 'port-gateway-in-use').text()).toBe('[::]:8443')
  })

  it("shows Go's refusal under the field and keeps what was typed", async () => {
    Desk.SetSetting.mockRejectedValue('invalid input: gateway.listen: "99999" is not a port number from 1 to 65535')
    const wrapper = await mountLoaded(PortSettings)
    const input = get(wrapper, 'port-ssh')
    await input.setValue(':99999')
    await input.trigger('change')
    await flushPromises()
    expect(get(wrapper, 'port-ssh-error').text()).toContain('1 to 65535')
    expect(input.element.value).toBe(':99999')
    expect(input.attributes('aria-invalid')).toBe('true')
  })

  it('speaks French and German', async () => {
    for (const [locale, word] of [['fr', 'Réseau'], ['de', 'Netzwerk']]) {
      const wrapper = await mountLoaded(PortSettings, locale)
      expect(wrapper.text()).toContain(word)
      wrapper.unmount()
    }
  })
})

describe('DataDirSettings', () => {
  beforeEach(() => {
    resetRuntime()
    Desk.Status.mockResolvedValue(STATUS)
    Desk.GetSettings.mockResolvedValue({})
    Desk.GetDataDir.mockResolvedValue({ ...INFO })
  })

  it('shows the folder in use and where it came from, and says nothing is moved', async () => {
    const wrapper = await mountLoaded(DataDirSettings)
    expect(get(wrapper, 'settings-datadir').text()).toBe('/home/ops/.local/share/borgdesk')
    expect(get(wrapper, 'datadir-from').text()).toBe('The default folder for this user.')
    expect(get(wrapper, 'datadir-not-moved').text()).toContain('Your data is not moved')
    expect(find(wrapper, 'datadir-next').exists()).toBe(false)
    expect(get(wrapper, 'datadir-save').attributes('disabled')).toBeDefined()
  })

  it('chooses another folder for the next start and warns that it starts empty', async () => {
    Desk.SetNextDataDir.mockResolvedValue({ ...INFO, next: '/srv/borgdesk', next_from: 'desk.json', configured: '/srv/borgdesk', next_has_data: false })
    const wrapper = await mountLoaded(DataDirSettings)
    await get(wrapper, 'datadir-input').setValue('  /srv/borgdesk ')
    await get(wrapper, 'datadir-form').trigger('submit')
    await flushPromises()
    expect(Desk.SetNextDataDir).toHaveBeenCalledWith('/srv/borgdesk')
    expect(get(wrapper, 'datadir-saved').text()).toContain('takes effect when Borgdesk restarts')
    const next = get(wrapper, 'datadir-next').text()
    expect(next).toContain('At the next start, Borgdesk will use /srv/borgdesk.')
    expect(next).toContain('new certificate authority')
    expect(next).toContain('/home/ops/.local/share/borgdesk stays where it is')
    expect(get(wrapper, 'datadir-reset').text()).toContain('/home/ops/.local/share/borgdesk')
  })

  it("shows Go's refusal and a folder picked in the chooser", async () => {
    Desk.SetNextDataDir.mockRejectedValue('"data" is not an absolute path (it should start with /)')
    Desk.ChooseFolder.mockResolvedValue('/mnt/big/borgdesk')
    const wrapper = await mountLoaded(DataDirSettings)
    await get(wrapper, 'datadir-input').setValue('data')
    await get(wrapper, 'datadir-form').trigger('submit')
    await flushPromises()
    expect(get(wrapper, 'datadir-error').text()).toContain('absolute path')
    expect(get(wrapper, 'datadir-input').attributes('aria-invalid')).toBe('true')

    await get(wrapper, 'datadir-browse').trigger('click')
    await flushPromises()
    expect(Desk.ChooseFolder).toHaveBeenCalledWith('Choose the data folder', 'data')
    expect(get(wrapper, 'datadir-input').element.value).toBe('/mnt/big/borgdesk')
  })

  it('says when --data given at start wins over desk.json', async () => {
    Desk.GetDataDir.mockResolvedValue({ ...INFO, from: '--data', in_use: '/srv/x', next: '/srv/x', next_from: '--data', configured: '/srv/y' })
    const wrapper = await mountLoaded(DataDirSettings)
    expect(get(wrapper, 'datadir-from').text()).toBe('Given by --data when Borgdesk was started.')
    expect(get(wrapper, 'datadir-overridden').text()).toContain('--data was given')
    expect(get(wrapper, 'datadir-input').element.value).toBe('/srv/y')
  })

  it('names a damaged desk.json', async () => {
    Desk.GetDataDir.mockResolvedValue({ ...INFO, next: '', next_from: '', next_error: 'workstation config file /home/ops/.config/borgdesk/desk.json is not valid JSON' })
    const wrapper = await mountLoaded(DataDirSettings)
    expect(get(wrapper, 'datadir-next-error').text()).toContain('desk.json is not valid JSON')
  })
})
