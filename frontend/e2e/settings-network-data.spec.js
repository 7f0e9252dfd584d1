import { expect, test } from '@playwright/test'
import { DESK_FILE, EMPTY_FLEET, OPERATOR_FLEET, calls, installDesk } from './desk-double.js'

const args = async (page, method) => (await calls(page, method)).map((c) => c.args)

async function open(page, fleet = OPERATOR_FLEET) {
  await installDesk(page, fleet)
  await page.goto('/#/settings')
  await expect(page.getByTestId('settings-ports')).toBeVisible()
}

test('ports: each address in use beside its setting; a change waits for the restart', async ({ page }) => {
  await open(page)
  await expect(page.getByTestId('port-gateway')).toHaveValue(':8443')
  await expect(page.getByTestId('port-gateway-in-use')).toHaveText('[::]:8443')
  await expect(page.getByTestId('port-gateway-from')).toHaveText('(the default)')
  await expect(page.getByTestId('port-url-in-use')).toHaveText('https://desk.example.lan:8443')
  await expect(page.getByTestId('ports-agents-warning')).toContainText('keep the gateway URL they were given')
  await expect(page.getByTestId('ports-restart-note')).toHaveCount(0)

  // A port out of range: Go's sentence under the field, the value kept.
  await page.getByTestId('port-gateway').fill('127.0.0.1:99999')
  await page.getByTestId('port-gateway').press('Enter')
  await expect(page.getByTestId('port-gateway-error')).toContainText('1 to 65535')
  await expect(page.getByTestId('port-gateway')).toHaveAttribute('aria-invalid', 'true')
  await page.getByTestId('port-gateway').fill('127.0.0.1:9443')
  await page.getByTestId('port-gateway').press('Tab')
  await expect(page.getByTestId('port-gateway-error')).toHaveCount(0)
  await expect(page.getByTestId('port-gateway-restart')).toHaveText('Takes effect when Borgdesk restarts')
  await expect(page.getByTestId('ports-restart-note')).toBeVisible()
  // The gateway keeps listening where it did until the restart.
  await expect(page.getByTestId('port-gateway-in-use')).toHaveText('[::]:8443')

  await page.getByTestId('port-url').fill('http://desk.lan:8443')
  await page.getByTestId('port-url').press('Enter')
  await expect(page.getByTestId('port-url-error')).toContainText('https://HOST:PORT')
  await page.getByTestId('port-url').fill('https://desk.example.org:9443')
  await page.getByTestId('port-url').press('Enter')
  await expect(page.getByTestId('port-url-restart')).toBeVisible()

  expect(await args(page, 'SetSetting')).toEqual([
    ['gateway.listen', '127.0.0.1:99999'],
    ['gateway.listen', '127.0.0.1:9443'],
    ['gateway.url', 'http://desk.lan:8443'],
    ['gateway.url', 'https://desk.example.org:9443'],
  ])
})

test('ports: a flag given at start is named as winning over the setting', async ({ page }) => {
  const status = {
    ...OPERATOR_FLEET.status,
    addresses: [
      { key: 'gateway.listen', in_use: '127.0.0.1:18443', from: '--listen', setting: ':8443' },
      { key: 'ssh.listen', in_use: '[::]:2022', from: 'setting', setting: ':2022' },
      { key: 'gateway.url', in_use: 'https://desk.example.lan:18443', from: 'BORGDESK_GATEWAY_URL', setting: '' },
    ],
  }
  await open(page, { ...OPERATOR_FLEET, status, settings: { ...OPERATOR_FLEET.settings, 'ssh.listen': ':2022' } })
  await expect(page.getByTestId('port-gateway-overridden')).toHaveText('--listen wins over this setting')
  await expect(page.getByTestId('port-ssh-from')).toHaveText('(from this setting)')
  await expect(page.getByTestId('port-url-from')).toHaveText('(from BORGDESK_GATEWAY_URL)')
  await expect(page.getByTestId('port-ssh-overridden')).toHaveCount(0)
})

test('data folder: shown in use, another chosen for the next start, with what that means', async ({ page }) => {
  await open(page, { ...OPERATOR_FLEET, datadir: { readOnly: ['/usr'], chosen: '/mnt/big/borgdesk' } })
  const section = page.getByTestId('settings-data')
  await expect(section.getByTestId('settings-datadir')).toHaveText('/var/lib/borgdesk-test')
  await expect(section.getByTestId('datadir-from')).toHaveText('The default folder for this user.')
  await expect(section.getByTestId('datadir-not-moved')).toContainText('Your data is not moved')
  await expect(section.getByTestId('datadir-save')).toBeDisabled()

  // Refusals from Go stay next to the field.
  await section.getByTestId('datadir-input').fill('borgdesk')
  await section.getByTestId('datadir-input').press('Enter')
  await expect(section.getByTestId('datadir-error')).toHaveText('"borgdesk" is not an absolute path (it should start with /)')
  await section.getByTestId('datadir-input').fill('/usr/borgdesk')
  await section.getByTestId('datadir-save').click()
  await expect(section.getByTestId('datadir-error')).toContainText('not writable')

  // The folder chooser fills the field; nothing is saved before the button.
  await section.getByTestId('datadir-browse').click()
  await expect(section.getByTestId('datadir-input')).toHaveValue('/mnt/big/borgdesk')
  expect((await args(page, 'ChooseFolder'))[0]).toEqual(['Choose the data folder', '/usr/borgdesk'])
  await section.getByTestId('datadir-save').click()
  await expect(section.getByTestId('datadir-saved')).toContainText('takes effect when Borgdesk restarts')
  await expect(section.getByTestId('datadir-next')).toContainText('At the next start, Borgdesk will use /mnt/big/borgdesk.')
  await expect(section.getByTestId('datadir-next')).toContainText('new certificate authority')
  await expect(section.getByTestId('settings-datadir')).toHaveText('/var/lib/borgdesk-test')

  // Back to the default.
  await section.getByTestId('datadir-reset').click()
  await expect(section.getByTestId('datadir-next')).toHaveCount(0)
  await expect(section.getByTestId('datadir-reset')).toHaveCount(0)
  expect(await args(page, 'SetNextDataDir')).toEqual([['borgdesk'], ['/usr/borgdesk'], ['/mnt/big/borgdesk'], ['']])
})

test('data folder: --data at start wins over desk.json, and a damaged desk.json is named', async ({ page }) => {
  await open(page, { ...OPERATOR_FLEET, datadir: { from: '--data', configured: '/srv/borgdesk' } })
  await expect(page.getByTestId('datadir-from')).toHaveText('Given by --data when Borgdesk was started.')
  await expect(page.getByTestId('datadir-input')).toHaveValue('/srv/borgdesk')
  await expect(page.getByTestId('datadir-overridden')).toContainText('--data was given when Borgdesk started')

  await page.reload()
  await page.evaluate(() => {
    window.__fleet.datadir = { deskError: 'workstation config file /home/ops/.config/borgdesk/desk.json is not valid JSON (unexpected end of JSON input)' }
  })
  await page.getByTestId('nav-dashboard').click()
  await page.getByTestId('nav-settings').click()
  await expect(page.getByTestId('datadir-next-error')).toContainText(`${DESK_FILE} is not valid JSON`)
})

test('network and data sections speak French and are reached with the keyboard', async ({ page }) => {
  await open(page, { ...OPERATOR_FLEET, settings: { ...OPERATOR_FLEET.settings, 'ui.locale': 'fr' } })
  await expect(page.getByTestId('settings-ports')).toContainText('Réseau')
  await expect(page.getByTestId('port-gateway-restart')).toHaveCount(0)
  await expect(page.getByTestId('settings-data')).toContainText('Vos données ne sont pas déplacées')

  await page.getByTestId('port-ssh').focus()
  await page.keyboard.press('Shift+Tab')
  await expect(page.getByTestId('port-gateway')).toBeFocused()
  await page.getByTestId('datadir-input').focus()
  await page.keyboard.press('Tab')
  await expect(page.getByTestId('datadir-browse')).toBeFocused()
  // A visible focus ring on the button.
  const ring = await page.getByTestId('datadir-browse').evaluate((el) => getComputedStyle(el).boxShadow)
  expect(ring).not.toBe('none')
})

test('on a fresh data dir the sections speak German', async ({ page }) => {
  await open(page, { ...EMPTY_FLEET, settings: { 'ui.locale': 'de' } })
  await expect(page.getByTestId('settings-ports')).toContainText('Netzwerk')
  await expect(page.getByTestId('settings-data')).toContainText('Ihre Daten werden nicht verschoben')
})
