import { expect, test } from '@playwright/test'
import { FLEET_SERVERS, POPULATED_FLEET, calls, fire, installDesk } from './desk-double.js'

const [WEB1, DB1, , MAIL_OLD] = FLEET_SERVERS

test('the archives page lists the repository of the server picked', async ({ page }) => {
  await installDesk(page, POPULATED_FLEET)
  await page.goto('/#/archives')

  // Pending servers have no repository; revoked ones keep theirs.
  const picker = page.getByTestId('archive-server')
  await expect(picker.locator('option')).toHaveText(['All servers', 'web1', 'db1', 'mail-old'])
  await expect(page.getByTestId('archive-row')).toHaveCount(4)
  await expect(page.getByTestId('archive-row').first()).toContainText('app-volumes@2026-11-22T06.00.00Z')

  await picker.selectOption({ label: 'db1' })
  await expect(page).toHaveURL(new RegExp(`server=${DB1.uuid}`))
  const rows = page.getByTestId('archive-row')
  await expect(rows).toHaveCount(3)
  await expect(rows.first()).toContainText('shop-db@2026-11-22T01.30.00Z')
  await expect(rows.first().getByTestId('archive-job')).toHaveText('shop-db')
  await expect(rows.first().getByTestId('archive-time')).toHaveText('Nov 22, 2026, 1:30:04 AM')
  await expect(page.getByTestId('archive-count')).toHaveText('3 archives')
  expect((await calls(page, 'ListArchives')).map((c) => c.args)).toEqual([[WEB1.uuid], [DB1.uuid]])

  // A finished backup of that server lists again.
  await page.evaluate((uuid) => window.__fleet.archives[uuid].push({ name: 'shop-db@2026-11-22T08.00.00Z', id: 'ff', time: '2026-11-22T08:00:02.000000', job: 'shop-db' }), DB1.uuid)
  await fire(page, 'run:progress', { id: 50, at: '2026-11-22T08:01:00Z', kind: 'run:progress', subject: DB1.uuid, message: 'run 10 succeeded', data: { run_id: 10, status: 'succeeded' } })
  await expect(rows).toHaveCount(4)

  await picker.selectOption({ label: 'mail-old' })
  await expect(page.getByTestId('empty-archives')).toBeVisible()
  expect((await calls(page, 'ListArchives')).at(-1).args).toEqual([MAIL_OLD.uuid])
})

test('a job page leads to its server’s archives', async ({ page }) => {
  await installDesk(page, POPULATED_FLEET)
  await page.goto('/#/jobs/2')
  await page.getByTestId('job-archives-link').click()
  await expect(page.getByTestId('page-archives')).toBeVisible()
  await expect(page.getByTestId('archive-server')).toHaveValue(DB1.uuid)
  // Arriving from the job filters by it; All jobs shows the others again.
  await expect(page.getByTestId('archive-job-filter')).toHaveValue('shop-db')
  await expect(page).toHaveURL(/job=shop-db/)
  const rows = page.getByTestId('archive-row')
  await expect(rows.first()).toBeVisible()
  const jobs = await rows.getByTestId('archive-job').allTextContents()
  expect(new Set(jobs)).toEqual(new Set(['shop-db']))
  await page.getByTestId('archive-job-filter').selectOption({ label: 'All jobs' })
  await expect(rows).toHaveCount(3)
})

test('all servers at once, names in natural order and never cut', async ({ page }) => {
  const long = 'www-uploads-and-user-generated-content-of-the-shop@2026-11-21T03.00.00Z'
  const archive = (name, job, time) => ({ name, id: name, time, job })
  const fleet = {
    ...POPULATED_FLEET,
    archives: {
      [WEB1.uuid]: [archive('page10@2026-11-20T03.00.00Z', 'page10', '2026-11-20T03:00:00.000000'), archive(long, 'www', '2026-11-21T03:00:00.000000')],
      [DB1.uuid]: [archive('page2@2026-11-19T03.00.00Z', 'page2', '2026-11-19T03:00:00.000000')],
    },
  }
  await page.setViewportSize({ width: 1024, height: 700 })
  await installDesk(page, fleet)
  await page.goto('/#/archives')
  await page.getByTestId('archive-server').selectOption({ label: 'All servers' })
  await expect(page).toHaveURL(/server=\*/)
  const rows = page.getByTestId('archive-row')
  await expect(rows).toHaveCount(3)
  await expect(rows.getByTestId('archive-server-name')).toHaveText(['web1', 'web1', 'db1'])

  await page.getByTestId('sort-name').click()
  await expect.poll(() => rows.evaluateAll((trs) => trs.map((tr) => tr.dataset.archive))).toEqual(['page2@2026-11-19T03.00.00Z', 'page10@2026-11-20T03.00.00Z', long])

  // The long name wraps in full: nothing of it is clipped.
  const link = rows.nth(2).getByTestId('archive-open')
  const box = await link.evaluate((el) => ({ width: el.getBoundingClientRect().width, scroll: el.scrollWidth, client: el.clientWidth }))
  expect(box.width).toBeGreaterThan(100)
  expect(box.scroll).toBeLessThanOrEqual(box.client)
  await expect(link).toHaveText(long)

  // A db1 archive opens in db1's repository.
  await rows.nth(0).getByTestId('archive-open').click()
  await expect(page).toHaveURL(new RegExp(`#/archives/${DB1.uuid}/page2`))
})

test('a failing ListArchives is shown', async ({ page }) => {
  await installDesk(page, { ...POPULATED_FLEET, failures: { ListArchives: 'unavailable: this coordinator holds no repositories' } })
  await page.goto('/#/archives')
  await expect(page.getByTestId('error-alert')).toContainText('unavailable: this coordinator holds no repositories')
})
