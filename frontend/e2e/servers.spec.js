import { expect, test } from '@playwright/test'
import { EMPTY_FLEET, POPULATED_FLEET, calls, fire, installDesk } from './desk-double.js'

test('servers come from ListServers with their status', async ({ page }) => {
  await installDesk(page, POPULATED_FLEET)
  await page.goto('/#/servers')

  const rows = page.getByTestId('server-row')
  await expect(rows).toHaveCount(2)
  await expect(rows.nth(0)).toContainText('web1')
  await expect(rows.nth(0)).toContainText('borg@web1.example.lan')
  await expect(rows.nth(0).locator('[data-status]')).toHaveText('Online')
  await expect(rows.nth(1)).toContainText('borg@db1.example.lan:2222')
  await expect(rows.nth(1).locator('[data-status]')).toHaveText('Offline')
  // Go's zero time means the agent never reported in.
  await expect(rows.nth(1)).toContainText('Never')
  await expect(page.getByTestId('empty-servers')).toHaveCount(0)
})

test('a server:changed event refreshes the list', async ({ page }) => {
  await installDesk(page, EMPTY_FLEET)
  await page.goto('/#/servers')
  await expect(page.getByTestId('empty-servers')).toBeVisible()
  expect(await calls(page, 'ListServers')).toHaveLength(1)

  await page.evaluate(() => {
    window.__fleet.servers.push({
      id: 7,
      uuid: 'c0ffee00-0000-4000-8000-000000000007',
      name: 'web2',
      host: '10.0.0.7',
      port: 22,
      user: 'borg',
      status: 'pending',
      lastSeenAt: '',
      createdAt: '2026-11-22T08:01:00Z',
    })
  })
  await fire(page, 'server:changed', {
    id: 11,
    at: '2026-11-22T08:01:00Z',
    kind: 'server.enrolled',
    subject: 'web2',
    message: 'Server web2 enrolled',
  })

  await expect(page.getByTestId('server-row')).toHaveCount(1)
  await expect(page.getByTestId('server-row')).toContainText('web2')
  await expect(page.getByTestId('server-row').locator('[data-status]')).toHaveText('Pending')
  await expect(page.getByTestId('empty-servers')).toHaveCount(0)
  expect(await calls(page, 'ListServers')).toHaveLength(2)
})

test('a failing ListServers is shown, not swallowed', async ({ page }) => {
  await installDesk(page, { ...EMPTY_FLEET, failures: { ListServers: 'list servers: database is locked' } })
  await page.goto('/#/servers')

  const alert = page.getByTestId('error-alert')
  await expect(alert).toBeVisible()
  await expect(alert).toContainText('Could not load the servers.')
  await expect(alert).toContainText('list servers: database is locked')
  await expect(page.getByTestId('empty-servers')).toHaveCount(0)

  await page.evaluate(() => delete window.__fleet.failures.ListServers)
  await alert.getByRole('button', { name: 'Try again' }).click()
  await expect(page.getByTestId('error-alert')).toHaveCount(0)
  await expect(page.getByTestId('empty-servers')).toBeVisible()
})
