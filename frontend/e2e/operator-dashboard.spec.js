import { expect, test } from '@playwright/test'
import { FLEET_500, OPERATOR_FLEET, WEB1, calls, fire, heartbeat, installDesk, progress } from './desk-double.js'

const count = async (page, method) => (await calls(page, method)).length

test('the dashboard rates the fleet from GetHealth: counts, colours and reasons', async ({ page }) => {
  await installDesk(page, OPERATOR_FLEET)
  await page.goto('/')

  await expect(page.getByTestId('health-summary')).toHaveAttribute('data-state', 'red')
  await expect(page.getByTestId('health-count-red').getByTestId('health-count')).toHaveText('1')
  await expect(page.getByTestId('health-count-amber').getByTestId('health-count')).toHaveText('1')
  await expect(page.getByTestId('health-count-green').getByTestId('health-count')).toHaveText('1')
  // Worst first, each in its colour; the revoked server is not rated.
  const tiles = page.getByTestId('health-tile')
  await expect(tiles).toHaveCount(3)
  expect(await tiles.evaluateAll((els) => els.map((e) => `${e.dataset.name}:${e.dataset.state}`))).toEqual(['db1:red', 'build3:amber', 'web1:green'])
  await expect(tiles.nth(0)).toHaveClass(/bg-red-500/)
  await expect(tiles.nth(2)).toHaveClass(/bg-emerald-500/)

  // The servers that need someone, with Go's reasons in the interface's words.
  const rows = page.getByTestId('attention-row')
  await expect(rows).toHaveCount(2)
  await expect(rows.nth(0)).toHaveAttribute('data-name', 'db1')
  await expect(rows.nth(0)).toContainText('past its 26 hr target')
  await expect(rows.nth(1)).toContainText('No backup job')

  await rows.nth(0).click()
  const detail = page.getByTestId('health-detail')
  await expect(detail).toHaveAttribute('data-name', 'db1')
  await expect(detail.getByTestId('health-reason')).toHaveText([
    'Last backup 30 hr ago, past its 26 hr target',
    'Agent offline',
    'Certificate expires on Dec 4, 2026',
  ])
  await expect(detail.getByTestId('health-backup-age')).toHaveAttribute('data-tone', 'red')
  await expect(detail.getByTestId('health-cert')).toHaveAttribute('data-cert', 'expiring')
  await expect(detail.getByTestId('health-online')).toHaveText('Offline')
  await expect(detail.getByTestId('health-verified')).toHaveText('Never')
})

test('the health grid is one tab stop that the arrow keys walk', async ({ page }) => {
  await installDesk(page, OPERATOR_FLEET)
  await page.goto('/')
  const tiles = page.getByTestId('health-tile')
  await expect(tiles).toHaveCount(3)
  expect(await tiles.evaluateAll((els) => els.map((e) => e.tabIndex))).toEqual([0, -1, -1])

  await tiles.nth(0).focus()
  await page.keyboard.press('ArrowRight')
  await expect(tiles.nth(1)).toBeFocused()
  await page.keyboard.press('End')
  await expect(tiles.nth(2)).toBeFocused()
  await page.keyboard.press('Enter')
  await expect(page.getByTestId('health-detail')).toHaveAttribute('data-name', 'web1')
  await expect(page.getByTestId('health-detail').getByTestId('health-reason')).toHaveCount(0)
  // The focused tile shows a ring (visible focus).
  const ring = await tiles.nth(2).evaluate((e) => getComputedStyle(e).boxShadow)
  expect(ring).not.toBe('none')
})

test('a count filters the grid to its colour', async ({ page }) => {
  await installDesk(page, OPERATOR_FLEET)
  await page.goto('/')
  await page.getByTestId('health-count-amber').click()
  await expect(page.getByTestId('health-count-amber')).toHaveAttribute('aria-pressed', 'true')
  await expect(page.getByTestId('health-tile')).toHaveCount(1)
  await expect(page.getByTestId('health-tile')).toHaveAttribute('data-name', 'build3')
  await page.getByTestId('health-filter-clear').click()
  await expect(page.getByTestId('health-tile')).toHaveCount(3)
})

test('a recent failure opens its run log in one click', async ({ page }) => {
  await installDesk(page, OPERATOR_FLEET)
  await page.goto('/')
  const failures = page.getByTestId('failure-link')
  await expect(failures).toHaveCount(2)
  await expect(failures.nth(0)).toHaveAttribute('data-run-id', '4')
  await expect(failures.nth(0)).toContainText('web1/etc-and-www')

  await failures.nth(0).click()
  await expect(page).toHaveURL(/#\/jobs\/1\?run=4$/)
  await expect(page.getByTestId('run-log-dialog')).toBeVisible()
  await expect(page.getByTestId('run-log')).toContainText('connection closed by remote host')
  expect((await calls(page, 'GetRun')).map((c) => c.args)).toContainEqual([4])

  await page.getByTestId('run-log-dialog').getByRole('button', { name: 'Close' }).last().click()
  await expect(page.getByTestId('run-log-dialog')).toHaveCount(0)
  await expect(page).toHaveURL(/#\/jobs\/1$/)
})

test('running jobs show live progress from run:progress', async ({ page }) => {
  await installDesk(page, OPERATOR_FLEET)
  await page.goto('/')
  const job = page.getByTestId('running-job')
  await expect(job).toHaveCount(1)
  await expect(job).toHaveAttribute('data-run-id', '9')
  await fire(page, 'run:progress', progress(9, '2026-11-22T08:00:00Z', { files: 1200, bytes: 4.2e8, path: '/var/www/shop/index.php' }))
  await expect(job.getByTestId('progress-files')).toHaveText('1,200 files')
  await expect(job.getByTestId('progress-path')).toHaveText('/var/www/shop/index.php')
})

test('storage: disk use, the growth chart and when the disk is full', async ({ page }) => {
  await installDesk(page, OPERATOR_FLEET)
  await page.goto('/')
  const card = page.getByTestId('storage-card')
  await expect(card.getByTestId('storage-forecast')).toHaveAttribute('data-kind', 'date')
  await expect(card.getByTestId('storage-forecast')).toHaveText('At this pace the disk is full around Mar 18, 2027 (in 116 days).')
  await expect(card.getByTestId('storage-disk')).toHaveText('1.3 TiB used of 1.8 TiB, 568.1 GiB free')
  await expect(card.getByTestId('storage-repo')).toHaveCount(2)
  await expect(card.getByTestId('storage-repo').first()).toContainText('db1')
  const canvas = card.getByTestId('storage-chart').locator('canvas')
  await expect(canvas).toBeVisible()
  expect((await canvas.boundingBox()).height).toBeGreaterThan(150)

  // New sizes come with job:changed {storage: true}; other job changes cost nothing.
  const before = await count(page, 'GetStorage')
  await fire(page, 'job:changed', { id: 70, at: '2026-11-22T08:00:05Z', kind: 'job:changed', subject: WEB1.uuid, message: 'job edited', data: { job_id: 1 } })
  await page.evaluate(() => {
    window.__fleet.storage.forecast_full_at = ''
  })
  await fire(page, 'job:changed', { id: 71, at: '2026-11-22T08:00:06Z', kind: 'job:changed', subject: WEB1.uuid, message: 'sizes', data: { storage: true } })
  await expect(card.getByTestId('storage-forecast')).toHaveAttribute('data-kind', 'never')
  expect(await count(page, 'GetStorage')).toBe(before + 1)
})

test('500 servers: one GetHealth, compact tiles, and live events that fetch nothing per server', async ({ page }) => {
  await installDesk(page, FLEET_500)
  await page.goto('/')
  const red = FLEET_500.health.red
  const amber = FLEET_500.health.amber
  await expect(page.getByTestId('health-count-red').getByTestId('health-count')).toHaveText(String(red))
  await expect(page.getByTestId('health-count-amber').getByTestId('health-count')).toHaveText(String(amber))
  await expect(page.getByTestId('health-tile')).toHaveCount(500)
  await expect(page.getByTestId('health-grid')).toHaveAttribute('data-compact', 'true')
  await expect(page.locator('[data-testid="health-tile"][data-state="red"]')).toHaveCount(red)
  // The grid of 500 stays within a screen.
  expect((await page.getByTestId('health-grid').boundingBox()).height).toBeLessThan(400)
  await expect(page.getByTestId('attention-more')).toHaveText(`and ${red + amber - 8} more`)

  expect(await count(page, 'GetHealth')).toBe(1)
  expect(await count(page, 'ListServers')).toBe(1)
  expect(await count(page, 'GetServer')).toBe(0)
  expect(await count(page, 'GetMetrics')).toBe(0)

  // A live progress record patches the running job and fetches nothing.
  const before = Object.fromEntries(await Promise.all(['ListRuns', 'GetHealth', 'Status', 'ListServers', 'GetStorage'].map(async (m) => [m, await count(page, m)])))
  await fire(page, 'run:progress', progress(9, '2026-11-22T08:00:00Z', { files: 5001, bytes: 2.5e9, path: '/srv/data/a.bin', subject: FLEET_500.servers[0].uuid }))
  await fire(page, 'run:progress', progress(9, '2026-11-22T08:00:01Z', { files: 5321, bytes: 2.6e9, path: '/srv/data/b.bin', subject: FLEET_500.servers[0].uuid }))
  await expect(page.getByTestId('running-job').getByTestId('progress-files')).toHaveText('5,321 files')
  await page.waitForTimeout(300)
  for (const [m, n] of Object.entries(before)) expect(await count(page, m), m).toBe(n)

  // A burst of finished runs costs one more GetHealth, not one per event.
  await page.evaluate(() => {
    window.__fleet.health.servers[49].state = 'green'
    window.__fleet.health.red -= 1
    window.__fleet.health.green += 1
  })
  // The five arrive together, as a burst does (one evaluate: separate
  // round trips to the page can be further apart than the batching window
  // on a loaded machine, and then they are not a burst).
  const burst = Array.from({ length: 5 }, (_, i) => ({ id: 500 + i, at: '2026-11-22T08:01:00Z', kind: 'run:progress', subject: FLEET_500.servers[i].uuid, message: 'finished', data: { run_id: 100 + i, status: 'succeeded' } }))
  await page.evaluate((events) => {
    for (const ev of events) for (const entry of [...(window.__listeners['run:progress'] || [])]) entry.callback(ev)
  }, burst)
  await expect(page.getByTestId('health-count-red').getByTestId('health-count')).toHaveText(String(red - 1))
  await page.waitForTimeout(300)
  expect(await count(page, 'GetHealth')).toBe(2)
})

test('the server page charts CPU, memory, disk and network, and heartbeats add points', async ({ page }) => {
  await installDesk(page, OPERATOR_FLEET)
  await page.goto(`/#/servers/${WEB1.uuid}`)
  const card = page.getByTestId('metrics-card')
  await expect(card).toHaveAttribute('data-points', '288')
  for (const key of ['cpu', 'mem', 'disk', 'net']) await expect(card.getByTestId(`metrics-${key}`).locator('canvas')).toBeVisible()
  expect((await calls(page, 'GetMetrics')).map((c) => c.args)).toEqual([[WEB1.uuid, 24]])

  await fire(page, 'agent:heartbeat', heartbeat(WEB1, '2026-11-22T08:00:10Z'))
  await expect(card).toHaveAttribute('data-points', '289')
  // Another server's heartbeat is not this page's.
  await fire(page, 'agent:heartbeat', heartbeat({ ...WEB1, id: 2, uuid: 'other' }, '2026-11-22T08:00:20Z'))
  await page.waitForTimeout(100)
  await expect(card).toHaveAttribute('data-points', '289')
  expect(await count(page, 'GetMetrics')).toBe(1)
})

test('the dashboard speaks French, reasons included', async ({ page }) => {
  await installDesk(page, { ...OPERATOR_FLEET, settings: { ...OPERATOR_FLEET.settings, 'ui.locale': 'fr' } })
  await page.goto('/')
  await expect(page.getByTestId('fleet-state')).toContainText('Des sauvegardes sont en danger')
  await expect(page.getByTestId('attention-row').first()).toContainText('objectif de 26 h dépassé')
  await expect(page.getByTestId('storage-forecast')).toContainText('le disque sera plein vers le')
})
