import { expect, test } from '@playwright/test'
import { POPULATED_FLEET, calls, fire, installDesk } from './desk-double.js'

const WEB1 = POPULATED_FLEET.servers[0]

test('a server row leads to its detail page with metrics', async ({ page }) => {
  await installDesk(page, POPULATED_FLEET)
  await page.goto('/#/servers')

  await page.getByTestId('server-link').filter({ hasText: 'web1' }).click()

  await expect(page).toHaveURL(new RegExp(`#/servers/${WEB1.uuid}$`))
  const detail = page.getByTestId('page-server-detail')
  await expect(detail).toBeVisible()
  await expect(page.getByTestId('nav-servers')).toHaveAttribute('data-active', 'true')
  await expect(page.getByTestId('page-title')).toHaveText('web1')
  await expect(page.getByTestId('server-uuid')).toHaveText(WEB1.uuid)
  await expect(page.getByTestId('detail-status')).toHaveText('Online')
  expect((await calls(page, 'GetServer')).map((c) => c.args)).toEqual([[WEB1.uuid]])

  await expect(page.getByTestId('metric-cpu')).toContainText('12%')
  await expect(page.getByTestId('metric-memory')).toContainText('2.9 GiB / 7.6 GiB')
  await expect(page.getByTestId('metric-uptime')).toContainText('14 days 6 hr')
  await expect(page.getByTestId('disk-row')).toHaveCount(3)
  await expect(page.getByTestId('disk-row').nth(1)).toContainText('/var/lib/docker')
  await expect(page.getByTestId('net-row').first()).toContainText('eth0')
  await expect(page.getByTestId('cert-days-left')).toHaveText('90 days left')
  await expect(page.getByTestId('tool-chip')).toHaveText(['mysqldump', 'docker', 'lvm'])

  await page.getByTestId('back-to-servers').click()
  await expect(page.getByTestId('page-servers')).toBeVisible()
})

test('Test connection shows the round trip, or why the agent did not answer', async ({ page }) => {
  await installDesk(page, POPULATED_FLEET)
  await page.goto(`/#/servers/${WEB1.uuid}`)

  await page.getByTestId('ping-button').click()
  await expect(page.getByTestId('ping-result')).toContainText('The agent answered in 42 ms.')

  await page.goto('/#/servers/db1')
  await expect(page.getByTestId('page-title')).toHaveText('db1')
  await page.getByTestId('ping-button').click()
  await expect(page.getByTestId('ping-result')).toContainText('ping db1: the agent did not answer within 30s')
})

test('revoke needs the name typed, calls RevokeServer, and the badge follows server:changed', async ({ page }) => {
  await installDesk(page, POPULATED_FLEET)
  await page.goto(`/#/servers/${WEB1.uuid}`)
  await expect(page.getByTestId('detail-status')).toHaveText('Online')

  await page.getByTestId('revoke-button').click()
  const dialog = page.getByRole('dialog', { name: 'Revoke web1?' })
  await expect(dialog).toBeVisible()
  await expect(dialog).toContainText('refused immediately')
  await expect(page.getByTestId('confirm-input')).toBeFocused()
  await expect(page.getByTestId('confirm-button')).toBeDisabled()
  await page.getByTestId('confirm-input').fill('web')
  await expect(page.getByTestId('confirm-button')).toBeDisabled()
  await page.getByTestId('confirm-input').fill('web1')
  await page.getByTestId('confirm-button').click()

  await expect(dialog).toHaveCount(0)
  expect((await calls(page, 'RevokeServer')).map((c) => c.args)).toEqual([[WEB1.uuid]])
  const getBefore = (await calls(page, 'GetServer')).length

  await fire(page, 'server:changed', {
    id: 21,
    at: '2026-11-22T08:00:05Z',
    kind: 'server.revoked',
    subject: 'web1',
    message: 'Server web1 revoked',
    data: null,
  })

  await expect(page.getByTestId('detail-status')).toHaveText('Revoked')
  await expect(page.getByTestId('revoked-note')).toBeVisible()
  await expect(page.getByTestId('revoke-button')).toBeDisabled()
  await expect.poll(async () => (await calls(page, 'GetServer')).length).toBe(getBefore + 1)

  await page.getByTestId('back-to-servers').click()
  await expect(page.getByTestId('server-row').nth(0).locator('[data-status]')).toHaveText('Revoked')
})

test('remove asks, calls RemoveServer and goes back to the list', async ({ page }) => {
  await installDesk(page, POPULATED_FLEET)
  await page.goto('/#/servers/build3')
  await expect(page.getByTestId('metrics-unknown')).toBeVisible()

  await page.getByTestId('remove-button').click()
  const dialog = page.getByRole('dialog', { name: 'Remove build3?' })
  await expect(dialog).toContainText('Backups already on disk are kept')
  await expect(page.getByTestId('confirm-cancel')).toBeFocused()
  await page.getByTestId('confirm-button').click()

  await expect(page.getByTestId('page-servers')).toBeVisible()
  expect((await calls(page, 'RemoveServer')).map((c) => c.args)).toEqual([[POPULATED_FLEET.servers[2].uuid]])
  await expect(page.getByTestId('server-row')).toHaveCount(3)
})

test('an unknown server says so', async ({ page }) => {
  await installDesk(page, POPULATED_FLEET)
  await page.goto('/#/servers/nope')
  await expect(page.getByTestId('error-alert')).toContainText('server "nope": not found')
})

test('the server page lists its jobs, backs up every enabled one, links to its archives, and keeps the irreversible actions in one danger zone', async ({ page }) => {
  const health = {
    state: 'green',
    green: 1,
    amber: 0,
    red: 0,
    summary: '',
    servers: [{ id: WEB1.id, uuid: WEB1.uuid, name: 'web1', state: 'green', reasons: [], last_backup: '2026-11-22T02:30:00Z', rpo_hours: 26, online: true }],
  }
  await installDesk(page, { ...POPULATED_FLEET, health })
  await page.goto(`/#/servers/${WEB1.uuid}`)

  const card = page.getByTestId('server-jobs')
  const mine = POPULATED_FLEET.jobs.filter((j) => j.server_id === WEB1.id)
  await expect(card.getByTestId('server-job')).toHaveCount(mine.length)
  await expect(card.getByTestId('server-last-backup')).toContainText('Last backup:')
  await expect(card.getByTestId('server-last-backup')).toHaveText('Last backup: 5 hours ago')

  await card.getByTestId('backup-now').click()
  const enabled = mine.filter((j) => j.enabled)
  await expect(card.getByTestId('backup-now-started')).toHaveText(`Queued ${enabled.length} jobs: ${enabled.map((j) => j.name).join(', ')}.`)
  // Go queues them (BackupServer): one call, no RunJob from the window.
  expect((await calls(page, 'BackupServer')).map((c) => c.args)).toEqual([[WEB1.uuid]])
  expect(await calls(page, 'RunJob')).toEqual([])

  // One danger zone holds uninstall, revoke and remove; the header has none of them.
  const danger = page.getByTestId('danger-zone')
  await expect(danger.getByRole('button')).toHaveText(['Uninstall agent', 'Revoke', 'Remove'])
  await expect(page.locator('header').getByTestId('revoke-button')).toHaveCount(0)

  await card.getByTestId('server-archives-link').click()
  await expect(page).toHaveURL(new RegExp(`#/archives\\?server=${WEB1.uuid}$`))
})
