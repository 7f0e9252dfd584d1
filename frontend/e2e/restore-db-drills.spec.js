import { expect, test } from '@playwright/test'
import { DB_ARCHIVE, FLX_PBX, RESTORE, RESTORE_FLEET, calls, dropFlx, installDesk, releaseRestoreTasks } from './desk-double.js'

const [WEB1, DB1] = RESTORE_FLEET.servers
const ARCHIVE = 'etc-and-www@2026-11-21T08.12.00Z'
const HELD = { ...RESTORE_FLEET, restore: { ...RESTORE, holdAt: 'running' } }

async function openDbArchive(page, fleet = RESTORE_FLEET) {
  await installDesk(page, fleet)
  await page.goto(`/#/archives/${DB1.uuid}/${encodeURIComponent(DB_ARCHIVE)}`)
  await expect(page.getByTestId('db-restore-button')).toBeVisible()
  await page.getByTestId('db-restore-button').click()
  return page.getByTestId('db-restore-dialog')
}

test('a database dump is restored as a copy by default, with a row count per table', async ({ page }) => {
  const dialog = await openDbArchive(page, HELD)
  await expect(dialog.getByTestId('db-dump')).toHaveValue('mysql/shop.sql')
  await expect(dialog.getByTestId('db-mode-copy').locator('input')).toBeChecked()
  await expect(dialog.getByTestId('db-copy-name')).toHaveValue('shop_restored_20261122')
  await expect(dialog.getByTestId('db-replace-warning')).toHaveCount(0)
  await dialog.getByTestId('db-dump').selectOption('mysql/shop_sessions.sql')
  await expect(dialog.getByTestId('db-copy-name')).toHaveValue('shop_sessions_restored_20261122')
  await dialog.getByTestId('db-dump').selectOption('mysql/shop.sql')
  await dialog.getByTestId('db-start').click()

  const progress = dialog.getByTestId('db-progress')
  await expect(progress).toHaveAttribute('data-status', 'running')
  await expect(progress.getByTestId('progress-bytes')).toHaveText('114.4 MiB of 392.9 MiB')
  await releaseRestoreTasks(page)
  const result = dialog.getByTestId('db-result')
  await expect(result).toHaveAttribute('data-status', 'succeeded')
  await expect(result.getByTestId('db-done')).toHaveText('Database shop_restored_20261122 restored (mysql, 392.9 MiB).')
  await expect(result.getByTestId('db-table-row')).toHaveCount(3)
  await expect(result.getByTestId('db-table-row').first()).toContainText('182,344')
  await expect(result.getByTestId('db-total-rows')).toHaveText('733,437')
  expect((await calls(page, 'RestoreDatabase')).map((c) => c.args[0])).toEqual([
    { server: DB1.uuid, archive: DB_ARCHIVE, dump: 'mysql/shop.sql', mode: 'copy', database: 'shop_restored_20261122', confirm: '', target_server: '' },
  ])
})

test('replacing a database needs its name typed and warns in red', async ({ page }) => {
  const dialog = await openDbArchive(page)
  await dialog.getByTestId('db-mode-replace').click()
  const warning = dialog.getByTestId('db-replace-warning')
  await expect(warning).toContainText('Everything now in shop on db1 will be replaced by the dump.')
  await expect(warning).toHaveClass(/text-red-800/)
  const start = dialog.getByTestId('db-start')
  await expect(start).toHaveText('Replace the database')
  await expect(start).toBeDisabled()
  await dialog.getByTestId('db-confirm-input').fill('Shop')
  await expect(start).toBeDisabled()
  await dialog.getByTestId('db-confirm-input').fill('shop')
  await expect(start).toBeEnabled()
  // Back to a copy and to replace again: the typed name does not carry over a dump change.
  await dialog.getByTestId('db-dump').selectOption('mysql/shop_sessions.sql')
  await expect(dialog.getByTestId('db-confirm-input')).toHaveValue('')
  await expect(start).toBeDisabled()
  await dialog.getByTestId('db-dump').selectOption('mysql/shop.sql')
  await dialog.getByTestId('db-confirm-input').fill('shop')
  await start.click()
  await expect(dialog.getByTestId('db-result')).toHaveAttribute('data-status', 'succeeded')
  expect((await calls(page, 'RestoreDatabase')).map((c) => c.args[0])).toEqual([
    { server: DB1.uuid, archive: DB_ARCHIVE, dump: 'mysql/shop.sql', mode: 'replace', database: 'shop', confirm: 'shop', target_server: '' },
  ])
})

test('an archive without dumps offers no database restore', async ({ page }) => {
  await installDesk(page, RESTORE_FLEET)
  await page.goto(`/#/archives/${WEB1.uuid}/${encodeURIComponent(ARCHIVE)}`)
  await expect(page.getByTestId('restore-button')).toBeVisible()
  await expect(page.getByTestId('db-restore-button')).toHaveCount(0)
})

test('mount an archive, see it listed live, and unmount it (a busy mount says why not)', async ({ page }) => {
  await installDesk(page, RESTORE_FLEET)
  await page.goto(`/#/archives/${WEB1.uuid}/${encodeURIComponent(ARCHIVE)}`)
  await expect(page.getByTestId('mounts-card')).toHaveCount(0)
  await page.getByTestId('mount-button').click()
  const dir = `/run/user/1000/borgdesk/web1/${ARCHIVE}`
  await expect(page.getByTestId('mount-result-dir')).toHaveText(dir)
  const rows = page.getByTestId('mount-row')
  await expect(rows).toHaveCount(1)
  await expect(rows.first()).toContainText(ARCHIVE)
  await expect(rows.first()).toContainText('web1')
  expect((await calls(page, 'Mount')).map((c) => c.args)).toEqual([[WEB1.uuid, ARCHIVE, '']])

  // mount:changed from elsewhere (the CLI) shows up too.
  await page.evaluate(() => window.__fleet.restore.mounts.push({ dir: '/mnt/flx/pbx1', kind: 'flx', server: '', archive: '', source: '/home/ops/pbx1.flx', since: '2026-11-22T07:59:00Z' }))
  await page.evaluate(() => window.__desk.emit('mount:changed', { id: 9001, at: '2026-11-22T08:00:00Z', kind: 'mount:changed', subject: '', message: '', data: null }))
  await expect(rows).toHaveCount(2)

  await page.evaluate((d) => (window.__fleet.restore.busyMounts[d] = 'bash (pid 4242)'), dir)
  const mine = page.locator(`[data-testid="mount-row"][data-dir="${dir}"]`)
  await mine.getByTestId('unmount-button').click()
  await expect(mine.getByTestId('unmount-error')).toContainText('is in use by bash (pid 4242); close it and try again')
  await expect(rows).toHaveCount(2)

  await page.evaluate(() => (window.__fleet.restore.busyMounts = {}))
  await mine.getByTestId('unmount-button').click()
  await expect(mine).toHaveCount(0)
  await expect(rows).toHaveCount(1)
  expect((await calls(page, 'Unmount')).map((c) => c.args)).toEqual([[dir], [dir]])
  // The banner of that mount goes with it.
  await expect(page.getByTestId('mount-result')).toHaveCount(0)
})

test('the mount banner carries Unmount in sight, and disappears once unmounted', async ({ page }) => {
  await installDesk(page, RESTORE_FLEET)
  await page.goto(`/#/archives/${WEB1.uuid}/${encodeURIComponent(ARCHIVE)}`)
  await page.getByTestId('mount-button').click()
  const banner = page.getByTestId('mount-result')
  await expect(banner.getByTestId('mount-result-unmount')).toBeInViewport()
  await banner.getByTestId('mount-result-unmount').click()
  await expect(banner).toHaveCount(0)
  await expect(page.getByTestId('mount-row')).toHaveCount(0)
  expect((await calls(page, 'Unmount')).map((c) => c.args)).toEqual([[`/run/user/1000/borgdesk/web1/${ARCHIVE}`]])
})

test('a job runs a restore test; its history follows drill:changed; the drill schedule is saved', async ({ page }) => {
  await installDesk(page, HELD)
  await page.goto('/#/jobs/1')
  const card = page.getByTestId('job-drills')
  const rows = card.getByTestId('drill-row')
  await expect(rows).toHaveCount(1)
  await expect(rows.first()).toHaveAttribute('data-status', 'failed')
  await expect(rows.first().getByTestId('drill-mismatches')).toHaveText('2')
  await expect(rows.first().getByTestId('drill-checked')).toHaveText('500 of 48,100')
  await expect(card.getByTestId('drill-error-row')).toContainText('2 files differ from the archive')
  expect((await calls(page, 'ListDrills'))[0].args).toEqual([WEB1.uuid, 50])

  await card.getByTestId('drill-mode-full').click()
  await card.getByTestId('drill-run').click()
  await expect(rows.first()).toHaveAttribute('data-status', 'running')
  await expect(card.getByTestId('drill-run')).toBeDisabled()
  await releaseRestoreTasks(page)
  await expect(rows.first()).toHaveAttribute('data-status', 'passed')
  await expect(card.getByTestId('drill-run')).toBeEnabled()
  await expect(rows.first().getByTestId('drill-checked')).toHaveText('48,213 of 48,213')
  await expect(rows).toHaveCount(2)
  expect((await calls(page, 'RunDrill')).map((c) => c.args)).toEqual([['1', true]])

  const schedule = card.getByTestId('drill-schedule')
  await expect(schedule).toHaveValue('0 5 * * 0')
  await expect(card.getByTestId('drill-schedule-save')).toBeDisabled()
  await schedule.fill('weekly')
  await card.getByTestId('drill-schedule-save').click()
  await expect(card.getByTestId('drill-schedule-error')).toContainText('give five cron fields')
  await schedule.fill('0 6 * * 1')
  await schedule.press('Enter')
  await expect(card.getByTestId('drill-schedule-saved')).toHaveText('Saved: tests run on 0 6 * * 1.')
  expect((await calls(page, 'SetJobDrillSchedule')).map((c) => c.args)).toEqual([
    ['1', 'weekly'],
    ['1', '0 6 * * 1'],
  ])
})

test('servers say when they were last verified restorable, with a stale badge', async ({ page }) => {
  await installDesk(page, RESTORE_FLEET)
  await page.goto('/#/servers')
  const web1 = page.locator(`[data-testid="server-row"][data-server-id="${WEB1.id}"]`)
  const db1 = page.locator(`[data-testid="server-row"][data-server-id="${DB1.id}"]`)
  await expect(web1.getByTestId('last-verified-time')).toHaveText('12 days ago')
  await expect(web1.getByTestId('verify-stale')).toHaveText('Stale')
  await expect(db1.getByTestId('last-verified-time')).toHaveText('yesterday')
  await expect(db1.getByTestId('verify-stale')).toHaveCount(0)
  await expect(page.locator('[data-testid="server-row"][data-server-id="4"]').getByTestId('last-verified')).toHaveText('Never')

  await web1.getByTestId('server-link').click()
  const banner = page.getByTestId('page-server-detail').getByTestId('server-verified')
  await expect(banner.getByTestId('verify-stale')).toBeVisible()
  await expect(banner).toContainText('Run a restore test from one of its jobs.')
})

test('a .flx snapshot opened in this window can be mounted from the Restore page', async ({ page }) => {
  await installDesk(page, RESTORE_FLEET)
  await page.goto('/')
  await dropFlx(page, FLX_PBX.source)
  await expect(page.getByTestId('flx-restore-view')).toBeVisible()
  await page.getByTestId('nav-restore').click()
  await page.getByTestId('flx-mount').click()
  const dir = `/run/user/1000/borgdesk/flx/${FLX_PBX.name}`
  await expect(page.getByTestId('flx-mounted')).toHaveText(`${FLX_PBX.name} is mounted at ${dir} and open in your file manager.`)
  expect((await calls(page, 'MountFlx')).map((c) => c.args)).toEqual([[FLX_PBX.source, '']])
  await expect(page.locator(`[data-testid="mount-row"][data-dir="${dir}"]`)).toContainText(FLX_PBX.source)
})
