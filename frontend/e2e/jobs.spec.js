import { expect, test } from '@playwright/test'
import { EMPTY_FLEET, FLEET_SERVERS, POPULATED_FLEET, calls, fire, installDesk, progress } from './desk-double.js'

const WEB1 = FLEET_SERVERS[0]

test('the jobs list says what, when, how long to keep and how each last run went', async ({ page }) => {
  await installDesk(page, POPULATED_FLEET)
  await page.goto('/#/jobs')

  const rows = page.getByTestId('job-row')
  await expect(rows).toHaveCount(5)
  const etc = rows.nth(0)
  await expect(etc.getByTestId('job-link')).toHaveText('etc-and-www')
  await expect(etc).toContainText('/etc, /var/www')
  await expect(etc.getByTestId('job-kind')).toHaveText('Files')
  await expect(etc.getByTestId('job-schedule')).toHaveText('daily at 03:00')
  await expect(etc.getByTestId('job-retention')).toHaveText('7 daily, 4 weekly, 6 monthly')
  await expect(etc.getByTestId('job-last-run').locator('[data-status]')).toHaveText('Running')
  await expect(etc.getByTestId('run-now')).toBeDisabled()

  await expect(rows.nth(1).getByTestId('job-schedule')).toHaveText('daily at 02:30')
  await expect(rows.nth(1).getByTestId('job-zone')).toHaveText('Europe/Paris')
  await expect(rows.nth(1).getByTestId('job-kind')).toHaveText('MySQL / MariaDB')
  await expect(rows.nth(2).getByTestId('job-schedule')).toHaveText('every Monday at 02:00')
  await expect(rows.nth(2).getByTestId('job-last-run').locator('[data-status]')).toHaveText('Failed')
  await expect(rows.nth(3).getByTestId('job-schedule')).toHaveText('every 6 hours')
  await expect(rows.nth(3).getByTestId('job-retention')).toHaveText('all of the last 2 days, 7 daily')
  await expect(rows.nth(4).getByTestId('job-schedule')).toHaveText('manual runs only')
  await expect(rows.nth(4).getByTestId('job-retention')).toHaveText('keep everything')
  await expect(rows.nth(4).getByTestId('job-last-run')).toHaveText('Never run')

  // Run now from the list: the new run shows as the job's last run.
  await rows.nth(4).getByTestId('run-now').click()
  await expect(rows.nth(4).getByTestId('job-last-run').locator('[data-status]')).toHaveText('Queued')
  expect((await calls(page, 'RunJob')).map((c) => c.args)).toEqual([['5']])
})

test('an empty jobs page offers New job and the way to the servers', async ({ page }) => {
  await installDesk(page, EMPTY_FLEET)
  await page.goto('/#/jobs')
  await expect(page.getByTestId('empty-jobs')).toContainText('Add a server first')
  await page.getByTestId('empty-jobs-new').click()
  await expect(page.getByTestId('page-job-new')).toBeVisible()
  await expect(page.getByTestId('no-servers')).toBeVisible()
})

test('New job: a files job through the wizard reaches CreateJob as typed', async ({ page }) => {
  await installDesk(page, POPULATED_FLEET)
  await page.goto('/#/jobs')
  await page.getByTestId('new-job').click()
  await expect(page).toHaveURL(/#\/jobs\/new$/)
  await expect(page.getByTestId('nav-jobs')).toHaveAttribute('data-active', 'true')

  // Step 1: a relative path is caught here, and Go is not asked.
  await page.getByTestId('job-server').selectOption({ label: 'web1' })
  await page.getByTestId('job-name').fill('home-dirs')
  await page.getByTestId('job-paths').fill('/home\nroot')
  await page.getByTestId('wizard-next').click()
  await expect(page.getByTestId('error-paths')).toHaveText('Every path must be absolute, starting with /.')
  await expect(page.getByTestId('job-paths')).toBeFocused()
  await page.getByTestId('job-paths').fill('/home\n/root')
  await page.getByTestId('job-excludes').fill('*.cache\n/home/*/Downloads')
  await page.getByTestId('job-compression').selectOption('zstd,3')
  await page.getByTestId('job-pre').fill('/usr/bin/sync')
  await page.getByTestId('wizard-next').click()

  // Step 2: daily at 03:30, pinned to a zone.
  await expect(page.getByTestId('wizard-heading')).toHaveText('When to run')
  await expect(page.getByTestId('wizard-heading')).toBeFocused()
  await page.getByTestId('schedule-mode-daily').click()
  await page.getByTestId('schedule-time').fill('03:30')
  await page.getByTestId('schedule-zone-on').check()
  await page.getByTestId('schedule-zone').fill('Europe/Berlin')
  await expect(page.getByTestId('schedule-hint')).toHaveText('Daily at 03:30 (Europe/Berlin)', { ignoreCase: true })
  await expect(page.getByTestId('schedule-cron-text')).toHaveText('CRON_TZ=Europe/Berlin 30 3 * * *')
  await page.getByTestId('wizard-next').click()

  // Step 3: the recommended policy, plus two days of everything.
  await expect(page.getByTestId('keep-summary')).toContainText('one a day for 7 days, one a week for 4 weeks, and one a month for 6 months')
  await page.getByTestId('keep-within-count').fill('2')
  await expect(page.getByTestId('keep-summary')).toContainText('Keeps every archive made in the last 2 days.')
  await expect(page.getByTestId('notify-success')).not.toBeChecked()
  await page.getByTestId('notify-success').check()
  await page.getByTestId('wizard-next').click()

  // Step 4: review, create.
  await expect(page.getByTestId('review-server')).toHaveText('web1')
  await expect(page.getByTestId('review-schedule')).toHaveText('daily at 03:30 (Europe/Berlin)')
  expect(await calls(page, 'CreateJob')).toEqual([])
  await page.getByTestId('wizard-create').click()

  await expect(page).toHaveURL(/#\/jobs\/6$/)
  await expect(page.getByTestId('page-title')).toHaveText('home-dirs')
  await expect(page.getByTestId('job-schedule-text')).toHaveText('daily at 03:30 (Europe/Berlin)', { ignoreCase: true })
  await expect(page.getByTestId('no-job-runs')).toBeVisible()
  expect((await calls(page, 'CreateJob')).map((c) => c.args)).toEqual([
    [
      {
        server: WEB1.uuid,
        name: 'home-dirs',
        spec: {
          kind: 'files',
          compression: 'zstd,3',
          paths: ['/home', '/root'],
          excludes: ['*.cache', '/home/*/Downloads'],
          pre: [['/usr/bin/sync']],
        },
        schedule: 'CRON_TZ=Europe/Berlin 30 3 * * *',
        keep: { within: '2d', daily: 7, weekly: 4, monthly: 6 },
        notify_success: true,
      },
    ],
  ])
})

test('New job: what Go refuses is shown as Go said it', async ({ page }) => {
  await installDesk(page, POPULATED_FLEET)
  await page.goto('/#/jobs/new')
  await page.getByTestId('job-server').selectOption({ label: 'web1' })
  await page.getByTestId('job-name').fill('etc-and-www')
  await page.getByTestId('job-paths').fill('/etc')
  await page.getByTestId('job-name').press('Enter')
  await page.getByTestId('wizard-next').click()
  await page.getByTestId('wizard-next').click()
  await page.getByTestId('wizard-create').click()
  await expect(page.getByTestId('error-message')).toHaveText('create job: a job named etc-and-www already exists on web1')
  await expect(page).toHaveURL(/#\/jobs\/new$/)
})

test('Run now shows the new run, and live progress moves its panel without fetching', async ({ page }) => {
  await installDesk(page, POPULATED_FLEET)
  await page.goto('/#/jobs/2')
  await expect(page.getByTestId('page-title')).toHaveText('shop-db')
  await expect(page.getByTestId('run-row')).toHaveCount(1)
  await expect(page.getByTestId('run-progress')).toHaveCount(0)

  await page.getByTestId('run-now').click()
  const panel = page.getByTestId('run-progress')
  await expect(panel).toBeVisible()
  await expect(panel).toContainText('Queued')
  await expect(page.getByTestId('run-row')).toHaveCount(2)
  await expect(page.getByTestId('run-row').first().locator('[data-status]')).toHaveText('Queued')
  await expect(page.getByTestId('run-now')).toBeDisabled()
  expect((await calls(page, 'RunJob')).map((c) => c.args)).toEqual([['2']])
  const runId = (await page.evaluate(() => window.__fleet.runs[0].id))

  // The queued record Go emitted was fetched once; from here on only live
  // records arrive.
  await expect.poll(async () => (await calls(page, 'ListJobRuns')).length).toBe(2)
  await page.waitForTimeout(300)
  const fetched = { runs: (await calls(page, 'ListRuns')).length, jobRuns: (await calls(page, 'ListJobRuns')).length, status: (await calls(page, 'Status')).length }

  const DB1 = FLEET_SERVERS[1].uuid
  await fire(page, 'run:progress', progress(runId, '2026-11-22T08:00:10Z', { files: 1, bytes: 120e6, path: '/var/tmp/borgdesk/shop.sql', subject: DB1 }))
  await expect(panel).toContainText('Backing up')
  await expect(page.getByTestId('progress-files')).toHaveText('1')
  await expect(page.getByTestId('progress-bytes')).toHaveText('114.4 MiB')
  await expect(page.getByTestId('progress-path')).toHaveText('/var/tmp/borgdesk/shop.sql')
  await expect(page.getByTestId('progress-speed')).toHaveText('—')

  await fire(page, 'run:progress', progress(runId, '2026-11-22T08:00:12Z', { files: 2, bytes: 370e6, path: '/var/tmp/borgdesk/shop_sessions.sql', subject: DB1 }))
  await expect(page.getByTestId('progress-files')).toHaveText('2')
  await expect(page.getByTestId('progress-bytes')).toHaveText('352.9 MiB')
  await expect(page.getByTestId('progress-speed')).toHaveText('119.2 MiB/s')
  await expect(page.getByTestId('progress-path')).toHaveText('/var/tmp/borgdesk/shop_sessions.sql')
  await expect(page.getByTestId('run-row').first().locator('[data-status]')).toHaveText('Running')
  await expect(page.getByTestId('run-row').first().getByTestId('run-read')).toHaveText('352.9 MiB')

  await page.waitForTimeout(300)
  expect((await calls(page, 'ListRuns')).length).toBe(fetched.runs)
  expect((await calls(page, 'ListJobRuns')).length).toBe(fetched.jobRuns)
  expect((await calls(page, 'Status')).length).toBe(fetched.status)
})

test('the dashboard shows a running run’s live progress too', async ({ page }) => {
  await installDesk(page, POPULATED_FLEET)
  await page.goto('/')
  const strip = page.getByTestId('run-progress')
  await expect(strip).toHaveAttribute('data-run-id', '9')
  await fire(page, 'run:progress', progress(9, '2026-11-22T08:00:20Z', { files: 1200, bytes: 310e6, path: '/var/www/html/index.php' }))
  await expect(strip.getByTestId('progress-files')).toHaveText('1,200 files')
  await expect(strip.getByTestId('progress-bytes')).toHaveText('295.6 MiB')
  await expect(strip.getByTestId('progress-path')).toHaveText('/var/www/html/index.php')
})

test('a run opens its log, with the error marked', async ({ page }) => {
  await installDesk(page, POPULATED_FLEET)
  await page.goto('/#/jobs/3')
  await page.getByTestId('run-row').first().click()

  const dialog = page.getByRole('dialog', { name: 'Log of run 2' })
  await expect(dialog).toBeVisible()
  await expect(page.getByTestId('run-log-error')).toContainText('pg_dumpall: error: connection to server on socket')
  await expect(page.getByTestId('run-log')).toContainText('Running as os user postgres')
  await expect(page.getByTestId('log-line')).toHaveCount(7)
  await expect(page.locator('[data-testid="log-line"][data-level="error"]')).toHaveCount(2)
  await expect(page.locator('[data-testid="log-line"][data-level="warning"]')).toHaveCount(1)
  expect((await calls(page, 'GetRun')).map((c) => c.args)).toEqual([[2]])

  await page.keyboard.press('Escape')
  await expect(dialog).toHaveCount(0)
})

test('Apply retention now: counts, or the held warning Go sends', async ({ page }) => {
  await installDesk(page, POPULATED_FLEET)
  await page.goto('/#/jobs/1')
  await page.getByTestId('prune-button').click()
  const dialog = page.getByRole('dialog', { name: 'Apply the retention of etc-and-www now?' })
  await expect(dialog).toContainText('7 daily, 4 weekly, 6 monthly')
  await page.getByTestId('confirm-button').click()
  await expect(page.getByTestId('prune-result')).toHaveAttribute('data-outcome', 'ok')
  await expect(page.getByTestId('prune-counts')).toHaveText('Retention applied: 3 archives kept, 0 pruned.')
  expect((await calls(page, 'PruneJob')).map((c) => c.args)).toEqual([['1']])

  const held =
    'prune held: prune of web1/etc-and-www held: 1 archive(s) Borgdesk made are gone from the repository (etc-and-www@2026-11-20T03.05.00Z), deleted by a client through append-only mode; nothing is lost yet — roll the repository back to the last good transaction before any prune makes it permanent'
  await page.evaluate((text) => (window.__fleet.failures = { PruneJob: text }), held)
  await page.getByTestId('prune-button').click()
  await page.getByTestId('confirm-button').click()
  await expect(page.getByTestId('prune-result')).toHaveAttribute('data-outcome', 'held')
  await expect(page.getByTestId('prune-result')).toContainText('Retention held back to protect your archives')
  await expect(page.getByTestId('prune-held')).toHaveText(held)
})

test('a job without retention cannot be pruned', async ({ page }) => {
  await installDesk(page, POPULATED_FLEET)
  await page.goto('/#/jobs/5')
  await expect(page.getByTestId('job-keep-text')).toContainText('Every archive is kept')
  await expect(page.getByTestId('prune-button')).toBeDisabled()
})

test('an unknown job says so', async ({ page }) => {
  await installDesk(page, POPULATED_FLEET)
  await page.goto('/#/jobs/99')
  await expect(page.getByTestId('error-alert')).toContainText('There is no job with id 99.')
})
