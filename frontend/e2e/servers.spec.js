import { expect, test } from '@playwright/test'
import { EMPTY_FLEET, FLEET_SERVERS, POPULATED_FLEET, calls, fire, heartbeat, installDesk } from './desk-double.js'

test('servers come from ListServers with state, agent, certificate and metrics', async ({ page }) => {
  await installDesk(page, POPULATED_FLEET)
  await page.goto('/#/servers')

  const rows = page.getByTestId('server-row')
  await expect(rows).toHaveCount(4)
  const web1 = rows.nth(0)
  await expect(web1.getByTestId('server-link')).toHaveText('web1')
  await expect(web1.locator('[data-status]')).toHaveText('Online')
  await expect(web1).toContainText('web1.example.lan')
  await expect(web1).toContainText('0.3.1')
  await expect(web1.getByTestId('server-last-seen')).toHaveText('2 minutes ago')
  await expect(web1.getByTestId('server-last-seen').locator('time')).toHaveAttribute('title', /Nov 22, 2026/)
  await expect(web1.getByTestId('server-cert')).toHaveText('Feb 20, 2027')
  await expect(web1.getByTestId('server-cpu')).toHaveText('12%')
  await expect(web1.getByTestId('server-memory')).toHaveText('2.9 GiB / 7.6 GiB')
  await expect(web1.getByTestId('server-disk').getByRole('meter')).toHaveAttribute('aria-valuenow', '43')

  const db1 = rows.nth(1)
  await expect(db1.locator('[data-status]')).toHaveText('Offline')
  await expect(db1.getByTestId('server-cert').locator('[data-cert-state]')).toHaveAttribute('data-cert-state', 'expiring')
  await expect(rows.nth(2).locator('[data-status]')).toHaveText('Pending')
  await expect(rows.nth(2).getByTestId('server-last-seen')).toHaveText('Never')
  await expect(rows.nth(3).locator('[data-status]')).toHaveText('Revoked')
  await expect(rows.nth(3).getByTestId('server-cert').locator('[data-cert-state]')).toHaveAttribute(
    'data-cert-state',
    'expired',
  )
  await expect(page.getByTestId('empty-servers')).toHaveCount(0)
})

test('a server:changed event refreshes the list', async ({ page }) => {
  await installDesk(page, EMPTY_FLEET)
  await page.goto('/#/servers')
  await expect(page.getByTestId('empty-servers')).toBeVisible()
  expect(await calls(page, 'ListServers')).toHaveLength(1)

  await page.evaluate((server) => window.__fleet.servers.push(server), { ...FLEET_SERVERS[2], id: 7, name: 'web2' })
  await fire(page, 'server:changed', {
    id: 11,
    at: '2026-11-22T08:01:00Z',
    kind: 'server.enrolled',
    subject: 'web2',
    message: 'Server web2 enrolled',
    data: null,
  })

  await expect(page.getByTestId('server-row')).toHaveCount(1)
  await expect(page.getByTestId('server-row')).toContainText('web2')
  await expect(page.getByTestId('server-row').locator('[data-status]')).toHaveText('Pending')
  await expect(page.getByTestId('empty-servers')).toHaveCount(0)
  expect(await calls(page, 'ListServers')).toHaveLength(2)
})

test('an agent:heartbeat updates last seen in place, and the clock ages it, without ListServers', async ({ page }) => {
  await installDesk(page, POPULATED_FLEET)
  await page.goto('/#/servers')
  const db1 = page.getByTestId('server-row').nth(1)
  await expect(db1.getByTestId('server-last-seen')).toHaveText('9 hours ago')
  await expect(db1.locator('[data-status]')).toHaveText('Offline')

  const at = await page.evaluate(() => new Date().toISOString())
  await fire(page, 'agent:heartbeat', heartbeat(FLEET_SERVERS[1], at, { ...FLEET_SERVERS[1].metrics, cpu_percent: 55 }))

  await expect(db1.getByTestId('server-last-seen')).toHaveText('now')
  await expect(db1.getByTestId('server-cpu')).toHaveText('55%')
  await expect(db1.locator('[data-status]')).toHaveText('Online')

  await page.clock.fastForward('03:00')
  await expect(db1.getByTestId('server-last-seen')).toHaveText('3 minutes ago')
  await expect(page.getByTestId('server-row').nth(0).getByTestId('server-last-seen')).toHaveText('5 minutes ago')

  expect(await calls(page, 'ListServers')).toHaveLength(1)
})

test('a heartbeat does not enter the dashboard event list', async ({ page }) => {
  await installDesk(page, POPULATED_FLEET)
  await page.goto('/')
  await expect(page.getByTestId('event-row')).toHaveCount(1)

  await fire(page, 'agent:heartbeat', heartbeat(FLEET_SERVERS[0], '2026-11-22T08:00:00Z'))
  await fire(page, 'task:changed', {
    id: 30,
    at: '2026-11-22T08:00:01Z',
    kind: 'task.succeeded',
    subject: FLEET_SERVERS[0].uuid,
    message: 'Test task 17 succeeded',
    data: { task_id: 17, status: 'succeeded' },
  })

  await expect(page.getByTestId('event-row')).toHaveCount(2)
  await expect(page.getByTestId('event-row').first()).toContainText('Test task 17 succeeded')
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

test('each server shows its health and last backup; a token not yet used is a pending row that can be revoked', async ({ page }) => {
  const tokens = [
    { id: 3, name: 'web9', state: 'pending', created_at: '2026-11-22T07:30:00Z', expires_at: '2026-11-22T08:30:00Z', used_at: null, server_uuid: '' },
    { id: 2, name: 'old', state: 'expired', created_at: '2026-11-20T07:30:00Z', expires_at: '2026-11-20T08:30:00Z', used_at: null, server_uuid: '' },
  ]
  await installDesk(page, { ...POPULATED_FLEET, tokens })
  await page.goto('/#/servers')

  const web1 = page.getByTestId('server-row').nth(0)
  await expect(web1.getByTestId('server-health')).toHaveAttribute('data-state', /^(green|amber|red)$/)
  await expect(web1.getByTestId('server-health')).toHaveText(/Healthy|Needs attention|At risk/)
  await expect(web1.getByTestId('server-last-backup')).not.toHaveText('')

  const pending = page.getByTestId('pending-row')
  await expect(pending).toHaveCount(1)
  await expect(pending).toHaveAttribute('data-name', 'web9')
  await expect(pending.locator('[data-status]')).toHaveText('Pending')
  await expect(pending.getByTestId('pending-expires')).toHaveText(/^Its enrollment token expires in (29|30) minutes\.$/)

  await pending.getByTestId('pending-revoke').click()
  await expect(pending).toHaveCount(0)
  expect((await calls(page, 'RevokeEnrollmentToken')).map((c) => c.args)).toEqual([['web9']])
})

test('a token issued from the Add server dialog lists the server as pending', async ({ page }) => {
  await installDesk(page, EMPTY_FLEET)
  await page.goto('/#/servers')
  await expect(page.getByTestId('empty-servers')).toBeVisible()
  await page.evaluate(() => window.go.app.Desk.CreateEnrollmentToken('web7', '1h'))
  await fire(page, 'server:changed', { id: 1, at: '2026-11-22T08:00:00Z', kind: 'server:changed', subject: '', message: 'enrollment token 1 issued for web7', data: null })
  await expect(page.getByTestId('pending-row')).toHaveAttribute('data-name', 'web7')
  await expect(page.getByTestId('empty-servers')).toHaveCount(0)
})
