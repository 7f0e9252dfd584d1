import { expect, test } from '@playwright/test'
import { EMPTY_FLEET, POPULATED_FLEET, calls, installDesk } from './desk-double.js'

test('Add server creates a token and shows the install command to copy', async ({ page, context }) => {
  await context.grantPermissions(['clipboard-read', 'clipboard-write'])
  await installDesk(page, EMPTY_FLEET)
  await page.goto('/#/servers')

  await page.getByTestId('empty-servers-add').click()
  const dialog = page.getByRole('dialog', { name: 'Add a server' })
  await expect(dialog).toBeVisible()
  await expect(dialog).toHaveAttribute('aria-modal', 'true')
  // Password is the default method; the one-line command is the third.
  await expect(page.getByTestId('add-server-host')).toBeFocused()
  await page.getByTestId('add-server-method-command').click()
  await expect(page.getByTestId('add-server-method-command')).toHaveAttribute('data-selected', 'true')

  // A bad name never reaches Go.
  await page.getByTestId('add-server-name').fill('web 2')
  await page.getByTestId('add-server-submit').click()
  await expect(page.getByTestId('add-server-name')).toHaveAttribute('aria-invalid', 'true')
  expect(await calls(page, 'CreateEnrollmentToken')).toEqual([])

  await page.getByTestId('add-server-name').fill('web2')
  await page.getByTestId('add-server-ttl').selectOption('24h')
  await page.getByTestId('add-server-name').press('Enter')

  const command = page.getByTestId('install-command')
  await expect(command).toContainText('/api/install/bdt_7Hq2xV9kLm4RsT8wYc3NpZ6a | sudo sh')
  await expect(page.getByRole('dialog', { name: 'Install command for web2' })).toBeVisible()
  await expect(page.getByTestId('add-server-ca')).toHaveText(/^sha256:9f86d0/)
  await expect(page.getByTestId('add-server-expires')).toContainText('Nov 23, 2026')
  await expect(page.getByTestId('add-server-once')).toContainText('works once')
  expect((await calls(page, 'CreateEnrollmentToken')).map((c) => c.args)).toEqual([['web2', '24h']])

  await page.getByTestId('copy-button').click()
  await expect(page.getByTestId('copy-button')).toHaveText('Copied')
  expect(await page.evaluate(() => navigator.clipboard.readText())).toBe(await command.textContent())

  await page.keyboard.press('Escape')
  await expect(page.getByRole('dialog')).toHaveCount(0)
  await expect(page.getByTestId('empty-servers-add')).toBeFocused()
})

test('Add server shows the error Go refused with', async ({ page }) => {
  await installDesk(page, POPULATED_FLEET)
  await page.goto('/#/servers')
  await page.getByTestId('add-server').click()
  await page.getByTestId('add-server-method-command').click()

  await page.getByTestId('add-server-name').fill('web1')
  await page.getByTestId('add-server-submit').click()

  await expect(page.getByTestId('error-message')).toHaveText('create token: a server named "web1" already exists')
  await expect(page.getByTestId('install-command')).toHaveCount(0)
  expect((await calls(page, 'CreateEnrollmentToken')).map((c) => c.args)).toEqual([['web1', '1h']])
})

test('the one-line command names the gateway URL, editable here, and a bare host name is flagged', async ({ page }) => {
  await installDesk(page, EMPTY_FLEET)
  await page.goto('/#/servers')
  await page.getByTestId('empty-servers-add').click()
  await page.getByTestId('add-server-method-command').click()

  const field = page.getByTestId('gateway-url-field')
  await expect(field).toContainText('In use now: https://desk.example.lan:8443.')
  await expect(page.getByTestId('gateway-url-bare')).toHaveCount(0)

  await page.getByTestId('gateway-url-input').fill('https://ops-laptop:8443')
  await expect(page.getByTestId('gateway-url-bare')).toHaveText(/“ops-laptop” is a bare host name: other machines may not resolve it/)
  await page.getByTestId('gateway-url-input').press('Enter')
  await expect.poll(async () => (await calls(page, 'SetSetting')).map((c) => c.args)).toEqual([['gateway.url', 'https://ops-laptop:8443']])
  await expect(page.getByTestId('gateway-url-restart')).toHaveText('Takes effect when Borgdesk restarts')

  await page.getByTestId('gateway-url-input').fill('https://192.168.1.20:8443')
  await expect(page.getByTestId('gateway-url-bare')).toHaveCount(0)
})
