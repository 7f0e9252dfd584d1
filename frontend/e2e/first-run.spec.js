import { expect, test } from '@playwright/test'
import { EMPTY_FLEET, POPULATED_FLEET, calls, fire, installDesk } from './desk-double.js'

const states = (page, prefix) => Promise.all(['server', 'job', 'restore'].map((n) => page.getByTestId(`${prefix}-${n}`).getAttribute('data-state')))

test('a first-time user is led from an empty fleet to the Add server wizard', async ({ page }) => {
  await installDesk(page, EMPTY_FLEET)
  await page.goto('/')
  const empty = page.getByTestId('empty-dashboard')
  await expect(empty).toContainText('Add your first server')
  expect(await states(page, 'guide-step')).toEqual(['current', 'todo', 'todo'])
  await expect(page.getByTestId('guide-step-server')).toHaveAttribute('aria-current', 'step')

  // With the keyboard: the guide's button is reachable and opens the wizard.
  await page.getByTestId('guide-add-server').focus()
  await page.keyboard.press('Enter')
  await expect(page.getByTestId('add-server-dialog')).toBeVisible()
  await expect(page).toHaveURL(/#\/servers$/)
  await page.getByTestId('add-server-method-command').click()
  await page.getByTestId('add-server-name').fill('web1')
  await page.getByTestId('add-server-submit').click()
  await expect(page.getByTestId('install-explain')).toContainText('What the command does on the server')
  await expect(page.getByTestId('install-explain').locator('li')).toHaveCount(4)
  await expect(page.getByTestId('add-server-next')).toContainText('web1 appears on the Servers page as soon as its agent has enrolled')
})

test('the empty Servers, Jobs and Restore pages say where they sit on the path', async ({ page }) => {
  await installDesk(page, EMPTY_FLEET)
  await page.goto('/#/servers')
  expect(await states(page, 'first-run-step')).toEqual(['current', 'todo', 'todo'])
  await page.getByTestId('nav-jobs').click()
  await expect(page.getByTestId('empty-jobs')).toBeVisible()
  expect(await states(page, 'first-run-step')).toEqual(['current', 'todo', 'todo'])
  await page.getByTestId('nav-restore').click()
  await expect(page.getByTestId('empty-restore')).toBeVisible()
  expect(await states(page, 'first-run-step')).toEqual(['current', 'todo', 'todo'])
  await expect(page.getByTestId('empty-restore-servers')).toBeVisible()
})

test('with a server the guide moves on to the job, and a backup opens the restore step', async ({ page }) => {
  const oneServer = {
    ...EMPTY_FLEET,
    status: { ...EMPTY_FLEET.status, servers: 1 },
    servers: [POPULATED_FLEET.servers[0]],
  }
  await installDesk(page, oneServer)
  await page.goto('/')
  await expect(page.getByTestId('getting-started')).toBeVisible()
  expect(await states(page, 'guide-step')).toEqual(['done', 'current', 'todo'])
  await page.getByTestId('guide-new-job').click()
  await expect(page.getByTestId('page-job-new')).toBeVisible()
  // Defaults a first-timer can accept: the one server, a name, /etc, daily at 03:00.
  await expect(page.getByTestId('job-server')).toHaveValue(POPULATED_FLEET.servers[0].uuid)
  await expect(page.getByTestId('job-name')).toHaveValue('files')
  await expect(page.getByTestId('job-paths')).toHaveValue('/etc')
  await page.getByTestId('wizard-next').click()
  await expect(page.getByTestId('schedule-rpo')).toContainText('recovery point objective')
  await page.getByTestId('wizard-next').click()
  await expect(page.getByTestId('keep-explain')).toContainText('append-only')
  await page.getByTestId('wizard-next').click()
  await expect(page.getByTestId('review-next')).toContainText('What happens next: Borgdesk saves the job and web1 backs up daily at 03:00.')

  await page.getByTestId('nav-jobs').click()
  await page.evaluate(() => {
    window.__fleet.status.jobs = 1
  })
  await page.getByTestId('nav-dashboard').click()
  expect(await states(page, 'guide-step')).toEqual(['done', 'done', 'current'])
  await expect(page.getByTestId('guide-run-job')).toBeVisible()
  await expect(page.getByTestId('guide-try-restore')).toHaveCount(0)
})

test('after the first backup, Try a restore opens Restore; a passed restore test completes the guide', async ({ page }) => {
  await installDesk(page, { ...POPULATED_FLEET, settings: {} })
  await page.goto('/')
  expect(await states(page, 'guide-step')).toEqual(['done', 'done', 'current'])
  await page.getByTestId('guide-try-restore').click()
  await expect(page.getByTestId('page-restore')).toBeVisible()
  // Opening Restore is not a restore: the step stays open.
  expect(await calls(page, 'SetSetting')).toEqual([])
  await page.getByTestId('nav-dashboard').click()
  await expect(page.getByTestId('guide-step-restore')).toHaveAttribute('data-state', 'current')

  // A restore test passes on web1: Go marks it verified and says server:changed.
  await page.evaluate(() => (window.__fleet.servers[0].last_verified_at = '2026-11-22T08:00:00Z'))
  await fire(page, 'server:changed', { id: 77, at: '2026-11-22T08:00:00Z', kind: 'server.verified', subject: POPULATED_FLEET.servers[0].uuid, message: 'web1 verified restorable', data: null })
  await expect(page.getByTestId('guide-step-restore')).toHaveAttribute('data-state', 'done')
  await expect(page.getByTestId('guide-complete')).toBeVisible()
})

test('the guide can be hidden, and speaks French', async ({ page }) => {
  await installDesk(page, { ...POPULATED_FLEET, settings: { 'ui.locale': 'fr' } })
  await page.goto('/')
  await expect(page.getByTestId('getting-started')).toContainText('Premiers pas')
  await page.getByTestId('getting-started-hide').click()
  await expect(page.getByTestId('getting-started')).toHaveCount(0)
  expect((await calls(page, 'SetSetting')).map((c) => c.args)).toEqual([['ui.guide_done', 'true']])
})
