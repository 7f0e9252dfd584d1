import { expect, test } from '@playwright/test'
import { FLEET_JOBS, POPULATED_FLEET, WEB1, calls, installDesk } from './desk-double.js'

// A job's life after it was created (issue 18): edit with Go's changes
// listed first, pause and resume, duplicate, delete with a typed name,
// back up a whole server now, and the fleet's next runs on the dashboard.
// The double answers as Go does (e2e/desk-jobs.js).

// The window's smallest supported size: every dialog and footer fits.
const SMALL = { width: 1024, height: 768 }

// inWindow: the element's box lies inside the viewport.
async function expectInWindow(page, locator) {
  const box = await locator.boundingBox()
  const size = page.viewportSize()
  expect(box, 'element is not on screen').not.toBeNull()
  expect(box.x).toBeGreaterThanOrEqual(0)
  expect(box.y).toBeGreaterThanOrEqual(0)
  expect(box.x + box.width).toBeLessThanOrEqual(size.width)
  expect(box.y + box.height).toBeLessThanOrEqual(size.height)
}

const withPaused = (...ids) => ({ ...POPULATED_FLEET, jobs: FLEET_JOBS.map((j) => (ids.includes(j.id) ? { ...j, enabled: false } : j)) })

test('edit: the form starts from the job, Go lists the changes, Save applies them from the next run', async ({ page }) => {
  await page.setViewportSize(SMALL)
  await installDesk(page, POPULATED_FLEET)
  await page.goto('/#/jobs/1')
  await page.getByTestId('job-edit').click()
  await expect(page).toHaveURL(/#\/jobs\/1\/edit$/)

  // What the job is now; its server, name and kind cannot change.
  await expect(page.getByTestId('page-title')).toHaveText('Edit etc-and-www')
  await expect(page.getByTestId('job-server')).toBeDisabled()
  await expect(page.getByTestId('job-name')).toBeDisabled()
  await expect(page.getByTestId('job-name')).toHaveValue('etc-and-www')
  await expect(page.locator('[data-testid^="job-kind-"]')).toHaveCount(1)
  await expect(page.getByTestId('job-kind-files')).toBeVisible()
  const paths = page.locator('[data-kind-fields="files"] textarea').first()
  await expect(paths).toHaveValue('/etc\n/var/www')
  await expect(page.getByTestId('job-compression')).toHaveValue('zstd,3')
  expect((await calls(page, 'GetJobInput')).map((c) => c.args)).toEqual([['1']])

  await paths.fill('/etc\n/var/www\n/srv/shop')
  await page.getByTestId('wizard-next').click()
  await expect(page.getByTestId('schedule-mode-daily')).toHaveClass(/border-accent-500/)
  await page.getByTestId('schedule-mode-custom').click()
  await page.getByTestId('schedule-cron').fill('*/30 * * * *')
  await expect(page.getByTestId('schedule-next-run').first()).toBeVisible()
  await page.getByTestId('edit-review').click()

  // Go's preview, field by field; nothing is saved yet.
  const changes = page.getByTestId('edit-change')
  await expect(changes).toHaveCount(2)
  await expect(changes.nth(0)).toHaveAttribute('data-field', 'schedule')
  await expect(changes.nth(0).getByTestId('edit-change-from')).toHaveText('0 3 * * *')
  await expect(changes.nth(0).getByTestId('edit-change-to')).toHaveText('*/30 * * * *')
  await expect(changes.nth(1)).toHaveAttribute('data-field', 'spec.paths')
  await expect(changes.nth(1).getByTestId('edit-change-to')).toHaveText('/etc, /var/www, /srv/shop')
  await expect(page.getByTestId('edit-applies')).toContainText('apply from the next run')
  await expectInWindow(page, page.getByTestId('edit-save'))
  let edits = await calls(page, 'EditJob')
  expect(edits.map((c) => [c.args[0], c.args[2]])).toEqual([['1', true]])
  expect(edits[0].args[1]).toMatchObject({ name: 'etc-and-www', schedule: '*/30 * * * *', spec: { kind: 'files', paths: ['/etc', '/var/www', '/srv/shop'], excludes: ['*.log', '/var/www/cache'], one_file_system: true, compression: 'zstd,3' }, keep: { daily: 7, weekly: 4, monthly: 6 } })

  await page.getByTestId('edit-save').click()
  await expect(page).toHaveURL(/#\/jobs\/1\?edited=2$/)
  await expect(page.getByTestId('job-edited')).toContainText('Saved: 2 changes.')
  await expect(page.getByTestId('job-schedule-text')).toHaveText('every 30 minutes')
  await expect(page.getByTestId('job-targets')).toContainText('/srv/shop')
  edits = await calls(page, 'EditJob')
  expect(edits.map((c) => c.args[2])).toEqual([true, false])
})

test('edit: nothing changed says so, and what Go refuses is shown as Go said it', async ({ page }) => {
  await installDesk(page, POPULATED_FLEET)
  await page.goto('/#/jobs/3/edit')
  await expect(page.getByTestId('job-name')).toHaveValue('pg-main')
  await page.getByTestId('edit-review').click()
  await expect(page.getByTestId('edit-no-changes')).toBeVisible()
  await expect(page.getByTestId('edit-save')).toBeDisabled()

  // A hook without an absolute program: the form says so before Go is asked.
  await page.getByTestId('wizard-step-what').click()
  await page.getByTestId('job-pre').fill('pg_ctl status')
  await page.getByTestId('wizard-next').click()
  await expect(page.getByTestId('error-pre')).toBeVisible()
  await page.getByTestId('job-pre').fill('')

  // Go's refusal (a failure the double is told to give) is shown as sent.
  await page.evaluate(() => (window.__fleet.failures = { EditJob: 'invalid input: retention: keep counts are whole numbers and --keep-within looks like 7d' }))
  await page.getByTestId('edit-review').click()
  await expect(page.getByTestId('edit-error')).toContainText('invalid input: retention: keep counts are whole numbers and --keep-within looks like 7d')
  await expect(page.getByTestId('edit-save')).toBeDisabled()
})

test('pause and resume: a paused job says so on its page, in the jobs list, on its server and on the dashboard', async ({ page }) => {
  await installDesk(page, POPULATED_FLEET)
  await page.goto('/#/jobs/4')
  await expect(page.getByTestId('job-state')).toHaveText('Enabled')
  await page.getByTestId('job-toggle').click()
  await expect(page.getByTestId('job-state')).toHaveText('Paused')
  await expect(page.getByTestId('job-paused-note')).toBeVisible()
  await expect(page.getByTestId('job-next-run')).toHaveText('None: paused')
  await expect(page.getByTestId('job-toggle')).toHaveText('Resume')
  expect((await calls(page, 'SetJobEnabled')).map((c) => c.args)).toEqual([['4', false]])

  await page.goto('/#/jobs')
  const row = page.locator('[data-testid="job-row"][data-job-id="4"]')
  await expect(row.getByTestId('job-paused')).toHaveText('Paused')
  await expect(row.getByTestId('job-next')).toHaveCount(0)

  await page.goto(`/#/servers/${WEB1.uuid}`)
  await expect(page.locator('[data-testid="server-job"][data-job="app-volumes"]').getByTestId('server-job-state')).toHaveText('Paused')

  await page.goto('/#/')
  await expect(page.getByTestId('next-runs-paused')).toHaveText('Paused: web1/app-volumes.')
  await expect(page.locator('[data-testid="next-run"][data-job="web1/app-volumes"]')).toHaveCount(0)

  await page.goto('/#/jobs/4')
  await page.getByTestId('job-toggle').click()
  await expect(page.getByTestId('job-state')).toHaveText('Enabled')
  await expect(page.getByTestId('job-paused-note')).toHaveCount(0)
  // Go's next run for "0 */6 * * *": 12:00, four hours after the double's
  // clock started (which runs on).
  await expect(page.getByTestId('job-next-run')).toContainText(/in [34] hours/)
  // The page stayed the same document: every call is still recorded.
  expect((await calls(page, 'SetJobEnabled')).map((c) => c.args)).toEqual([
    ['4', false],
    ['4', true],
  ])
})

test('duplicate: a new name, another server, and the copy opens', async ({ page }) => {
  await page.setViewportSize(SMALL)
  await installDesk(page, POPULATED_FLEET)
  await page.goto('/#/jobs/3')
  await page.getByTestId('job-duplicate').click()
  const dialog = page.getByTestId('duplicate-dialog')
  await expect(dialog.getByTestId('duplicate-name')).toHaveValue('pg-main-copy')
  await expectInWindow(page, dialog.getByTestId('duplicate-confirm'))

  await dialog.getByTestId('duplicate-name').fill('pg main')
  await dialog.getByTestId('duplicate-confirm').click()
  await expect(dialog.getByTestId('error-duplicate-name')).toBeVisible()
  expect(await calls(page, 'DuplicateJob')).toEqual([])

  await dialog.getByTestId('duplicate-name').fill('pg-web')
  await dialog.getByTestId('duplicate-server').selectOption({ label: 'web1' })
  await dialog.getByTestId('duplicate-confirm').click()
  await expect(dialog).toHaveCount(0)
  await expect(page.getByTestId('page-title')).toHaveText('pg-web')
  await expect(page.getByTestId('job-server-link')).toHaveText('web1')
  expect((await calls(page, 'DuplicateJob')).map((c) => c.args)).toEqual([['3', 'pg-web', WEB1.uuid]])
})

test('delete: archives kept by default, Go refuses while a run is active, and with archives only after the name is typed', async ({ page }) => {
  await page.setViewportSize(SMALL)
  await installDesk(page, POPULATED_FLEET)

  // etc-and-www has a run in progress: Go's sentence says what to do.
  await page.goto('/#/jobs/1')
  await page.getByTestId('job-delete').click()
  let dialog = page.getByTestId('delete-dialog')
  await expect(dialog.getByTestId('delete-keep-archives')).toBeChecked()
  await expectInWindow(page, dialog.getByTestId('delete-confirm'))
  await dialog.getByTestId('delete-confirm').click()
  await expect(dialog.getByTestId('delete-error')).toContainText('run 9 of job etc-and-www is queued or running: cancel it first (borgdesk job cancel 9), then delete the job')
  await dialog.getByTestId('delete-cancel').click()

  // app-volumes with its archive: the button waits for the exact name.
  await page.goto('/#/jobs/4')
  await page.getByTestId('job-delete').click()
  dialog = page.getByTestId('delete-dialog')
  await dialog.getByTestId('delete-with-archives').check()
  const confirm = dialog.getByTestId('delete-confirm')
  await expect(confirm).toBeDisabled()
  await dialog.getByTestId('delete-confirm-name').fill('app-volume')
  await expect(confirm).toBeDisabled()
  await dialog.getByTestId('delete-confirm-name').fill('app-volumes')
  await expect(confirm).toBeEnabled()
  await expectInWindow(page, confirm)
  await confirm.click()

  await expect(page).toHaveURL(/#\/jobs\?/)
  await expect(page.getByTestId('job-deleted')).toHaveText('Job app-volumes of web1 deleted with its 1 archive.')
  await expect(page.locator('[data-testid="job-row"][data-job-id="4"]')).toHaveCount(0)
  expect((await calls(page, 'DeleteJob')).map((c) => c.args)).toEqual([
    ['1', false, ''],
    ['4', true, 'app-volumes'],
  ])

  // Kept archives by default.
  await page.goto('/#/jobs/5')
  await page.getByTestId('job-delete').click()
  await page.getByTestId('delete-dialog').getByTestId('delete-confirm').click()
  await expect(page.getByTestId('job-deleted')).toHaveText('Job data-snapshot of web1 deleted; its archives are kept in the repository.')
})

test('back up now on a server queues every enabled job in Go and names the paused ones it left', async ({ page }) => {
  await installDesk(page, withPaused(4))
  await page.goto(`/#/servers/${WEB1.uuid}`)
  const card = page.getByTestId('server-jobs')
  await expect(card.locator('[data-testid="server-job"][data-job="app-volumes"]').getByTestId('server-job-state')).toHaveText('Paused')
  await card.getByTestId('backup-now').click()
  await expect(card.getByTestId('backup-now-started')).toHaveText('Queued 2 jobs: etc-and-www, data-snapshot.')
  await expect(card.getByTestId('backup-now-paused')).toHaveText('Left alone because it is paused: app-volumes.')
  expect((await calls(page, 'BackupServer')).map((c) => c.args)).toEqual([[WEB1.uuid]])
})

test('the dashboard lists the next runs across the fleet, soonest first, and says when schedules are paused', async ({ page }) => {
  await installDesk(page, withPaused(3))
  await page.goto('/#/')
  const card = page.getByTestId('next-runs')
  // Go's next_run of each job (e2e/schedules.json): app-volumes at 12:00
  // today, shop-db at 02:30 Paris time (01:30 UTC) and etc-and-www at 03:00
  // UTC tomorrow; pg-main is paused, data-snapshot runs by hand.
  const runs = card.getByTestId('next-run')
  await expect(runs).toHaveCount(3)
  await expect(runs.nth(0)).toHaveAttribute('data-job', 'web1/app-volumes')
  await expect(runs.nth(0).getByTestId('next-run-at')).toHaveText(/in [34] hours/)
  await expect(runs.nth(1)).toHaveAttribute('data-job', 'db1/shop-db')
  await expect(runs.nth(2)).toHaveAttribute('data-job', 'web1/etc-and-www')
  await expect(card.getByTestId('next-runs-paused')).toHaveText('Paused: db1/pg-main.')
  await expect(card.getByTestId('next-runs-held')).toHaveCount(0)

  await runs.nth(2).click()
  await expect(page).toHaveURL(/#\/jobs\/1$/)
})

test('the dashboard says when every schedule is paused', async ({ page }) => {
  await installDesk(page, { ...POPULATED_FLEET, settings: { ...POPULATED_FLEET.settings, 'schedules.paused': 'true' } })
  await page.goto('/#/')
  await expect(page.getByTestId('next-runs-held')).toHaveText('Schedules are paused: these runs wait until they are resumed.')
  await expect(page.getByTestId('next-run').first()).toBeVisible()
})
