import { expect, test } from '@playwright/test'
import { FLEET_SERVERS, POPULATED_FLEET, WEB1, calls, fire, installDesk } from './desk-double.js'

const DB1 = FLEET_SERVERS.find((s) => s.name === 'db1')

// What ran and what to do about it: cancelling a backup, a run's full log,
// the next run, the schedule step's words, next runs and RPO warning, the
// task history and events in words.

const fleetWith = (over) => ({ ...POPULATED_FLEET, ...over })

test('a running backup is cancelled from the job page after confirming', async ({ page }) => {
  await installDesk(page, POPULATED_FLEET)
  await page.goto('/#/jobs/1')
  const row = page.locator('[data-testid="run-row"][data-run-id="9"]')
  await row.getByTestId('cancel-run').click()

  const dialog = page.getByTestId('cancel-run-dialog')
  await expect(dialog).toContainText('Cancel the backup of etc-and-www on web1?')
  await dialog.getByTestId('confirm-cancel').click()
  await expect(dialog).toHaveCount(0)
  expect(await calls(page, 'CancelRun')).toEqual([])
  await expect(page.getByTestId('log-line')).toHaveCount(0) // the row's click did not open the log

  await row.getByTestId('cancel-run').click()
  await page.getByTestId('cancel-run-dialog').getByTestId('confirm-button').click()
  await expect(page.getByTestId('cancel-run-dialog')).toHaveCount(0)
  expect((await calls(page, 'CancelRun')).map((c) => c.args)).toEqual([[9]])
  await expect(row).toContainText('Cancelled')
  await expect(row.getByTestId('cancel-run')).toHaveCount(0)
  // A cancelled run names no archive.
  await expect(row.getByTestId('run-archive')).toHaveAttribute('data-archive', 'none')
  await expect(page.getByTestId('run-progress')).toHaveCount(0)
})

test('the dashboard’s running card cancels too, and says Go’s refusal', async ({ page }) => {
  await installDesk(page, POPULATED_FLEET)
  await page.goto('/')
  const card = page.getByTestId('running-jobs')
  await expect(card.getByTestId('running-job')).toHaveCount(1)

  await page.evaluate(() => {
    window.__fleet.failures = { CancelRun: 'invalid: run 9 already succeeded' }
  })
  await card.getByTestId('cancel-run').click()
  await page.getByTestId('confirm-button').click()
  await expect(page.getByTestId('cancel-run-dialog')).toContainText('run 9 already succeeded')

  await page.evaluate(() => {
    window.__fleet.failures = {}
  })
  await page.getByTestId('confirm-button').click()
  await expect(card.getByTestId('running-none')).toBeVisible()
})

test('a run’s log: figures, the full error, seconds, a linked archive, pruned and failed runs', async ({ page }) => {
  const GO_LOG = `03:00:01 pre hook /usr/local/bin/dump ok

== borg create ==
archive        etc-and-www@2026-11-21T03.00.00Z 8a1d4e7b2c5f8a1d…
files          48213
original       1.4 GiB
compressed     584.0 MiB
deduplicated   22.3 MiB
duration       4m10s

== warnings ==
/var/www/cache/a: file changed while we backed it up`
  const runs = POPULATED_FLEET.runs.map((r) => {
    if (r.id === 5) return { ...r, status: 'warning', error: '/var/www/cache/a: file changed while we backed it up', log: GO_LOG }
    if (r.id === 3) return { ...r, pruned_at: '2026-11-21T09:00:00Z' }
    // Go's records from before failed runs lost their planned archive name.
    if (r.id === 4) return { ...r, archive: 'etc-and-www@2026-11-20T03.00.00Z', error: 'borg create failed (exit 2); borg said: Remote: connection closed\nConnection closed by remote host' }
    return r
  })
  await installDesk(page, fleetWith({ runs }))
  await page.goto('/#/jobs/1')

  const row = (id) => page.locator(`[data-testid="run-row"][data-run-id="${id}"]`)
  await expect(row(5).getByTestId('run-log-open')).toHaveText(/3:00:00/)
  await expect(row(5).getByTestId('run-archive-link')).toHaveText('2026-11-21T03.00.00Z')
  await expect(row(3).getByTestId('run-archive-pruned')).toHaveText('pruned')
  await expect(row(3).getByTestId('run-archive-link')).toHaveCount(0)
  await expect(row(4).getByTestId('run-archive')).toHaveAttribute('data-archive', 'none')

  await row(4).click()
  const error = page.getByTestId('run-log-error')
  await expect(error).toContainText('Remote: connection closed')
  await expect(error).toContainText('Connection closed by remote host')
  await expect(page.getByTestId('run-log-archive')).toHaveCount(0)
  await page.keyboard.press('Escape')

  await row(5).click()
  await expect(page.getByTestId('run-log-stat-files')).toHaveText('48,213')
  await expect(page.getByTestId('run-log-finished')).toHaveText(/3:04:10/)
  await expect(page.getByTestId('run-log')).toContainText('== borg create ==')
  await expect(page.getByTestId('run-log')).toContainText('deduplicated   22.3 MiB')
  await page.getByTestId('run-log-archive').click()
  await expect(page).toHaveURL(new RegExp(`#/archives/${WEB1.uuid}/etc-and-www@2026-11-21T03\\.00\\.00Z`))
})

test('the next run comes from Go; a job run by hand has no last scheduled run', async ({ page }) => {
  await installDesk(page, POPULATED_FLEET)
  await page.goto('/#/jobs/1')
  const card = page.getByTestId('job-schedule-card')
  await expect(card.getByTestId('job-schedule-text')).toHaveText('daily at 03:00')
  await expect(card.getByTestId('job-next-run')).toContainText(/in 1[89] hours/)
  await expect(card.getByTestId('job-next-run')).toContainText(/Nov 23, 2026.*3:00:00/)
  await expect(card.getByTestId('job-last-scheduled')).toHaveText('5 hours ago')

  // pg-main was created and never fell due: no "last scheduled: now".
  await page.goto('/#/jobs/3')
  await expect(page.getByTestId('job-next-run')).toContainText(/Nov 23, 2026.*2:00:00/)
  await expect(page.getByTestId('job-last-scheduled')).toHaveCount(0)

  await page.goto('/#/jobs/5')
  await expect(page.getByTestId('job-next-run')).toHaveText('Only when you click Run now')
  await expect(page.getByTestId('job-last-scheduled')).toHaveCount(0)

  await page.goto('/#/jobs')
  const rows = page.getByTestId('job-row')
  await expect(rows.first().getByTestId('job-next')).toHaveText(/next in 1[89] hours/)
  await expect(page.locator('[data-job-id="5"]').getByTestId('job-next')).toHaveCount(0)
})

test('the schedule step: Go’s words, the next five runs, the RPO warning, Cron from the preset', async ({ page }) => {
  await installDesk(page, POPULATED_FLEET)
  await page.goto('/#/jobs/new')
  await page.getByTestId('job-server').selectOption(WEB1.uuid)
  await page.getByTestId('job-name').fill('etc')
  await page.getByTestId('wizard-next').click()

  await page.getByTestId('schedule-mode-daily').click()
  await page.getByTestId('schedule-time').fill('02:30')
  await expect(page.getByTestId('schedule-hint')).toHaveText('daily at 02:30', { ignoreCase: true })
  const next = page.getByTestId('schedule-next-run')
  await expect(next).toHaveCount(5)
  await expect(next.first()).toHaveText(/Mon, Nov 23, 2026.*02:30/)
  await expect(page.getByTestId('schedule-rpo-warning')).toHaveCount(0)

  // Leaving the preset, Cron starts from its expression.
  await page.getByTestId('schedule-mode-custom').click()
  await expect(page.getByTestId('schedule-cron')).toHaveValue('30 2 * * *')

  // Weekdays only leave three days over a weekend: more than web1's 26 h.
  await page.getByTestId('schedule-cron').fill('30 2 * * 1-5')
  await expect(page.getByTestId('schedule-hint')).toHaveText('weekdays at 02:30', { ignoreCase: true })
  const warning = page.getByTestId('schedule-rpo-warning')
  await expect(warning).toContainText('up to 3 days between two runs')
  await expect(warning).toContainText('target of 1 day 2 hr')
  expect((await calls(page, 'DescribeSchedule')).at(-1).args).toEqual(['30 2 * * 1-5', WEB1.uuid])

  // Go refuses what its parser refuses, in its words.
  await page.getByTestId('schedule-cron').fill('0 3 * * 8')
  await expect(page.getByTestId('schedule-hint')).toHaveText('Borgdesk cannot use this schedule.')
  await expect(page.getByTestId('schedule-refusal')).toContainText('0 3 * * 8')
  await page.getByTestId('wizard-next').click()
  await expect(page.getByTestId('wizard-heading')).toHaveText('When to run')
})

test('the task history lists restores, drills and snapshots, and follows task events', async ({ page }) => {
  const task = (fields) => ({ server_id: 1, server_name: 'web1', server_uuid: WEB1.uuid, payload: null, progress: null, result: null, error: '', dispatched_at: null, started_at: null, finished_at: null, ...fields })
  const tasks = [
    task({ id: 31, type: 'restore', status: 'succeeded', created_at: '2026-11-21T10:00:00Z', finished_at: '2026-11-21T10:00:41Z', result: { to: '/srv/restore', files: 1204, bytes: 48.2e6 } }),
    task({ id: 30, type: 'flx-backup', status: 'failed', created_at: '2026-11-20T09:00:00Z', finished_at: '2026-11-20T09:00:02Z', error: 'profile flexpbx: /etc/asterisk is missing' }),
    task({ id: 29, type: 'db-restore', server_id: 2, server_name: 'db1', server_uuid: DB1.uuid, status: 'succeeded', created_at: '2026-11-13T09:00:00Z', result: { database: 'shop', rows: 52011 } }),
  ]
  await installDesk(page, fleetWith({ tasks }))
  await page.goto('/')
  await page.getByTestId('nav-tasks').click()
  await expect(page.getByTestId('page-title')).toHaveText('Task history')

  const rows = page.getByTestId('task-row')
  await expect(rows).toHaveCount(4)
  await expect(rows.nth(0)).toHaveAttribute('data-key', 'task-31')
  await expect(rows.nth(0).getByTestId('task-result')).toHaveText('1,204 files (46.0 MiB) restored into /srv/restore')
  await expect(rows.nth(0).getByTestId('task-queued')).toHaveText(/10:00:00/)
  await expect(rows.nth(1).getByTestId('task-result')).toHaveText('profile flexpbx: /etc/asterisk is missing')
  await expect(rows.nth(2)).toHaveAttribute('data-key', 'drill-12')
  await expect(rows.nth(3).getByTestId('task-result')).toHaveText('Database shop restored: 52,011 rows')

  await page.getByTestId('task-category').selectOption('drill')
  await expect(rows).toHaveCount(1)
  await page.getByTestId('task-category').selectOption('all')

  // A new task announced by task:changed appears without a reload.
  await page.evaluate((t) => window.__fleet.tasks.unshift(t), task({ id: 32, type: 'flx-restore', status: 'running', created_at: '2026-11-22T07:58:00Z' }))
  await fire(page, 'task:changed', { id: 500, at: '2026-11-22T07:58:00Z', kind: 'task:changed', subject: WEB1.uuid, message: 'flx-restore task 32 running on web1', data: { task_id: 32, status: 'running' } })
  await expect(rows).toHaveCount(5)
  await expect(rows.first()).toHaveAttribute('data-key', 'task-32')
  await expect(rows.first().getByTestId('task-type')).toHaveText('Snapshot restore')
})

test('events and notifications say what happened in words, sizes in binary units', async ({ page }) => {
  const events = [
    { id: 3, at: '2026-11-22T07:59:30Z', kind: 'settings:changed', subject: 'ui.theme', message: 'ui.theme changed', data: { key: 'ui.theme', value: 'dark' } },
    {
      id: 2,
      at: '2026-11-22T07:59:20Z',
      kind: 'replica:changed',
      subject: WEB1.uuid,
      message: 'replication of web1 in sync: 3 archives, 1200 files (1502122360 bytes copied) in 2m10s to sftp://backup@nas/web1; verified 2026-11-22',
      data: { server_id: 1, running: true, state: 'in_sync' },
    },
    ...POPULATED_FLEET.events,
  ]
  await installDesk(page, fleetWith({ events, settings: { ...POPULATED_FLEET.settings, 'ui.locale': 'fr' } }))
  await page.goto('/')
  const texts = page.getByTestId('event-text')
  await expect(texts.nth(0)).toHaveText('Réglage « apparence » modifié')
  await expect(texts.nth(1)).toHaveText('Réplication de web1 vers sftp://backup@nas/web1 : 3 archives, 1200 fichiers, 1,4 GiB copiés en 2m10s')
  await expect(texts.nth(2)).toHaveText('Sauvegarde etc-and-www de web1 démarrée, écriture de etc-and-www@2026-11-22T07.59.00Z')
  await expect(page.getByTestId('event-kind').nth(0)).toHaveText('Réglage')
  await expect(page.getByText('settings:changed')).toHaveCount(0)

  await fire(page, 'notification', { id: 501, at: '2026-11-22T08:00:00Z', kind: 'notification', subject: DB1.uuid, message: 'run 2 of db1/pg-main failed: pg_dumpall exited with status 1', data: null })
  const toast = page.getByTestId('toast')
  await expect(toast.getByTestId('toast-text')).toHaveText('Sauvegarde pg-main de db1 échouée : pg_dumpall exited with status 1')
  await expect(toast).toContainText('db1')
})
