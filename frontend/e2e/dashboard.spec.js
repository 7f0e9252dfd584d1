import { expect, test } from '@playwright/test'
import { POPULATED_FLEET, calls, fire, installDesk } from './desk-double.js'

test('the dashboard sums up the fleet from Status, runs and events', async ({ page }) => {
  await installDesk(page, POPULATED_FLEET)
  await page.goto('/')

  await expect(page.getByTestId('stat-servers')).toContainText('4')
  await expect(page.getByTestId('stat-jobs')).toContainText('5')
  await expect(page.getByTestId('stat-running')).toContainText('1')
  await expect(page.getByTestId('run-row')).toHaveCount(8)
  // The running run has its live progress under its row.
  await expect(page.getByTestId('run-progress')).toHaveCount(1)
  await expect(page.getByTestId('run-progress')).toHaveAttribute('data-run-id', '9')
  await expect(page.getByTestId('event-row')).toHaveCount(1)
  await expect(page.getByTestId('empty-dashboard')).toHaveCount(0)
})

test('run:progress refreshes runs and counts and adds the event', async ({ page }) => {
  await installDesk(page, POPULATED_FLEET)
  await page.goto('/')
  await expect(page.getByTestId('run-row')).toHaveCount(8)
  const statusCalls = (await calls(page, 'Status')).length
  const runsCalls = (await calls(page, 'ListRuns')).length

  await page.evaluate(() => {
    window.__fleet.runs[0].status = 'succeeded'
    window.__fleet.status.runs_running = 0
  })
  await fire(page, 'run:progress', {
    id: 2,
    at: '2026-11-22T08:03:00Z',
    kind: 'run:progress',
    subject: POPULATED_FLEET.servers[0].uuid,
    message: 'Backup etc-and-www finished',
    data: { run_id: 9, status: 'succeeded' },
  })

  await expect(page.getByTestId('stat-running')).toContainText('0')
  await expect(page.getByTestId('run-row').nth(0).locator('[data-status]')).toHaveText('Succeeded')
  await expect(page.getByTestId('run-progress')).toHaveCount(0)
  await expect(page.getByTestId('event-row').first()).toContainText('Backup etc-and-www finished')
  expect((await calls(page, 'Status')).length).toBeGreaterThan(statusCalls)
  expect((await calls(page, 'ListRuns')).length).toBeGreaterThan(runsCalls)
})

test('a notification event shows a toast on any page', async ({ page }) => {
  await installDesk(page, POPULATED_FLEET)
  await page.goto('/#/jobs')
  await expect(page.getByTestId('job-row')).toHaveCount(5)

  await fire(page, 'notification', {
    id: 40,
    at: '2026-11-22T08:05:00Z',
    kind: 'run.failed',
    subject: 'db1',
    message: 'Backup failed: repository locked',
  })
  const toast = page.getByTestId('toast')
  await expect(toast).toContainText('Backup failed: repository locked')
  await toast.getByRole('button', { name: 'Dismiss' }).click()
  await expect(page.getByTestId('toast')).toHaveCount(0)
})
