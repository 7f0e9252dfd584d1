import { expect, test } from '@playwright/test'
import { calls, installDesk } from './desk-double.js'

const PAGES = [
  { nav: 'servers', hash: '#/servers', empty: 'empty-servers', method: 'ListServers' },
  { nav: 'jobs', hash: '#/jobs', empty: 'empty-jobs', method: 'ListJobs' },
  { nav: 'archives', hash: '#/archives', empty: 'empty-archives', method: 'ListServers' },
  { nav: 'restore', hash: '#/restore', empty: 'empty-restore', method: 'ListServers' },
  { nav: 'settings', hash: '#/settings', empty: null, method: 'GetSettings' },
  { nav: 'dashboard', hash: '#/', empty: 'empty-dashboard', method: 'Status' },
]

test('a new user walks all six pages and sees what to do next on each', async ({ page }) => {
  await installDesk(page)
  await page.goto('/')

  await expect(page.getByTestId('sidebar')).toBeVisible()
  await expect(page.getByTestId('page-dashboard')).toBeVisible()
  await expect(page.getByTestId('empty-dashboard')).toContainText('borgdesk token create --name web1')
  await expect(page.getByTestId('app-version')).toHaveText('Version 0.1.0-test')
  await expect(page.getByTestId('nav-dashboard')).toHaveAttribute('data-active', 'true')

  const atStart = await calls(page)
  const methods = atStart.map((c) => c.method)
  expect(methods).toEqual(expect.arrayContaining(['Status', 'GetSettings', 'ListRuns', 'ListEvents']))
  expect(atStart.find((c) => c.method === 'ListRuns').args).toEqual([200])
  expect(atStart.find((c) => c.method === 'ListEvents').args).toEqual([50])

  for (const p of PAGES) {
    const before = (await calls(page, p.method)).length
    await page.getByTestId(`nav-${p.nav}`).click()

    await expect(page).toHaveURL(new RegExp(`${p.hash.replace('/', '\\/')}$`))
    await expect(page.getByTestId(`page-${p.nav}`)).toBeVisible()
    await expect(page.getByTestId(`nav-${p.nav}`)).toHaveAttribute('data-active', 'true')
    await expect(page.locator('[data-active="true"]')).toHaveCount(1)
    if (p.empty) await expect(page.getByTestId(p.empty)).toBeVisible()
    await expect.poll(async () => (await calls(page, p.method)).length).toBe(before + 1)
  }

  await expect(page.getByTestId('error-alert')).toHaveCount(0)
  expect(await calls(page, 'SetSetting')).toEqual([])
})

test('the empty pages say what to do', async ({ page }) => {
  await installDesk(page)
  await page.goto('/#/servers')
  await expect(page.getByTestId('empty-servers')).toContainText('No servers yet')
  await expect(page.getByTestId('empty-servers')).toContainText('borgdesk token create --name web1')

  await page.getByTestId('nav-jobs').click()
  await expect(page.getByTestId('empty-jobs')).toContainText('Add a server first')
  await page.getByTestId('empty-jobs-action').click()
  await expect(page.getByTestId('page-servers')).toBeVisible()

  await page.getByTestId('nav-archives').click()
  await expect(page.getByTestId('empty-archives')).toContainText('after the first backup run')
  await page.getByTestId('nav-restore').click()
  await expect(page.getByTestId('empty-restore')).toContainText('after the first backup run')
})

test('settings show the data directory from Status', async ({ page }) => {
  await installDesk(page)
  await page.goto('/#/settings')
  await expect(page.getByTestId('settings-datadir')).toHaveText('/var/lib/borgdesk-test')
  await expect(page.getByTestId('settings-version')).toHaveText('0.1.0-test')
})

test('an unknown route lands on the dashboard', async ({ page }) => {
  await installDesk(page)
  await page.goto('/#/no-such-page')
  await expect(page.getByTestId('page-dashboard')).toBeVisible()
})
