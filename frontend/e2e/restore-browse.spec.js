import { expect, test } from '@playwright/test'
import { FLX, FLX_PBX, PRUNED_ARCHIVE, RESTORE, RESTORE_FLEET, WEB2, calls, installDesk, releaseRestoreTasks } from './desk-double.js'

const [WEB1] = RESTORE_FLEET.servers
const ARCHIVE = 'etc-and-www@2026-11-21T08.12.00Z'
const HELD = { ...RESTORE_FLEET, restore: { ...RESTORE, holdAt: 'running' } }

const row = (page, path) => page.locator(`[data-testid="browse-row"][data-path="${path}"]`)

async function openArchive(page, fleet = RESTORE_FLEET) {
  await installDesk(page, fleet)
  await page.goto('/#/archives')
  await page.locator(`[data-testid="archive-row"][data-archive="${ARCHIVE}"]`).getByTestId('archive-open').click()
  await expect(page.getByTestId('page-archive-browser')).toBeVisible()
  await expect(row(page, 'etc')).toBeVisible()
}

const browsed = async (page) => (await calls(page, 'BrowseArchive')).map((c) => c.args[2])

test('the archives table shows size, deduplicated size, duration and indexing', async ({ page }) => {
  await installDesk(page, RESTORE_FLEET)
  await page.goto('/#/archives')
  const newest = page.getByTestId('archive-row').first()
  await expect(newest).toHaveAttribute('data-archive', 'app-volumes@2026-11-22T06.00.00Z')
  await expect(newest.getByTestId('archive-size')).toHaveText('1.4 GiB')
  await expect(newest.getByTestId('archive-dedup')).toHaveText('22.3 MiB')
  await expect(newest.getByTestId('archive-duration')).toHaveText('4 min 43 sec')
  await expect(newest.getByTestId('archive-indexed')).toHaveText('Not yet')
  await expect(page.getByTestId('archive-row').nth(1).getByTestId('archive-indexed')).toHaveText('Indexed')
})

test('an archive is browsed lazily: a folder is listed only when opened, once', async ({ page }) => {
  await openArchive(page)
  expect(decodeURIComponent(page.url())).toMatch(new RegExp(`#/archives/${WEB1.uuid}/${ARCHIVE.replaceAll('.', '\\.')}$`))
  await expect(page.getByTestId('nav-archives')).toHaveAttribute('data-active', 'true')
  expect(await browsed(page)).toEqual([''])
  expect((await calls(page, 'BrowseArchive'))[0].args).toEqual([WEB1.uuid, ARCHIVE, ''])
  await expect(page.getByTestId('browse-row')).toHaveCount(2)

  await row(page, 'etc').getByTestId('browse-toggle').click()
  await expect(row(page, 'etc/nginx')).toBeVisible()
  await expect(row(page, 'etc').getByTestId('browse-toggle')).toHaveAttribute('aria-expanded', 'true')
  expect(await browsed(page)).toEqual(['', 'etc'])

  await row(page, 'etc/nginx').getByTestId('browse-toggle').click()
  await expect(row(page, 'etc/nginx/nginx.conf')).toBeVisible()
  expect(await browsed(page)).toEqual(['', 'etc', 'etc/nginx'])

  // Closed and opened again: what was listed is not asked for twice.
  await row(page, 'etc').getByTestId('browse-toggle').click()
  await expect(row(page, 'etc/nginx')).toHaveCount(0)
  await row(page, 'etc').getByTestId('browse-toggle').click()
  await expect(row(page, 'etc/nginx')).toBeVisible()
  expect(await browsed(page)).toEqual(['', 'etc', 'etc/nginx'])

  // A folder over Go's limit says how much is shown.
  await row(page, 'var').getByTestId('browse-toggle').click()
  await row(page, 'var/cache').getByTestId('browse-toggle').click()
  await row(page, 'var/cache/thumbs').getByTestId('browse-toggle').click()
  await expect(page.getByTestId('browse-truncated')).toHaveText('Showing the first 5,000 of 12,480 entries in this folder. Use Find files to reach the others.')
})

test('details, text and binary previews, and a download', async ({ page }) => {
  await openArchive(page)
  await row(page, 'etc').getByTestId('browse-toggle').click()
  await row(page, 'etc/nginx').getByTestId('browse-name').focus()
  await page.keyboard.press('ArrowRight')
  await expect(row(page, 'etc/nginx/nginx.conf')).toBeVisible()

  await row(page, 'etc/nginx/nginx.conf').getByTestId('browse-name').click()
  const details = page.getByTestId('entry-details')
  await expect(details.getByTestId('details-name')).toHaveText('nginx.conf')
  await expect(details.getByTestId('detail-size')).toHaveText('1.5 KiB')
  await expect(details.getByTestId('detail-mode')).toHaveText('-rw-r-----')
  await expect(details.getByTestId('detail-owner')).toHaveText('root:www-data')
  await expect(details.getByTestId('preview-text')).toContainText('worker_processes auto;')
  await expect(details.getByTestId('preview-truncated')).toHaveCount(0)
  expect((await calls(page, 'PreviewFile')).map((c) => c.args)).toEqual([[WEB1.uuid, ARCHIVE, 'etc/nginx/nginx.conf']])

  await details.getByTestId('download-button').click()
  await expect(details.getByTestId('download-saved')).toHaveText('Saved to /home/ops/Downloads/nginx.conf')
  expect((await calls(page, 'DownloadFile')).map((c) => c.args)).toEqual([[WEB1.uuid, ARCHIVE, 'etc/nginx/nginx.conf']])

  await row(page, 'etc/nginx/dhparam.pem.gz').getByTestId('browse-name').click()
  await expect(details.getByTestId('preview-binary')).toBeVisible()
  await expect(details.getByTestId('preview-text')).toHaveCount(0)

  // A folder has no preview and no download.
  await row(page, 'etc').getByTestId('browse-name').click()
  await expect(details.getByTestId('download-button')).toHaveCount(0)
  expect(await calls(page, 'PreviewFile')).toHaveLength(2)
})

test('selected files restored onto another server, keeping both: progress, then the summary', async ({ page }) => {
  await openArchive(page, HELD)
  await row(page, 'etc').getByTestId('browse-toggle').click()
  await row(page, 'etc/nginx').getByTestId('browse-check').check()
  // Inside a ticked folder, files are ticked with it and cannot be unticked alone.
  await row(page, 'etc/nginx').getByTestId('browse-toggle').click()
  await expect(row(page, 'etc/nginx/nginx.conf').getByTestId('browse-check')).toBeChecked()
  await expect(row(page, 'etc/nginx/nginx.conf').getByTestId('browse-check')).toBeDisabled()
  await row(page, 'var').getByTestId('browse-toggle').click()
  await row(page, 'var/www').getByTestId('browse-toggle').click()
  await row(page, 'var/www/index.html').getByTestId('browse-check').check()
  await expect(page.getByTestId('browse-selected-count')).toHaveText('2 selected')

  await page.getByTestId('restore-button').click()
  const dialog = page.getByTestId('restore-dialog')
  await expect(dialog.getByTestId('restore-path')).toHaveText(['/etc/nginx', '/var/www/index.html'])
  await expect(dialog.getByTestId('restore-target')).toHaveValue(WEB1.uuid)
  await dialog.getByTestId('restore-target').selectOption({ label: 'web2' })
  await dialog.getByTestId('restore-dest-folder').click()
  await dialog.getByTestId('restore-next').click()
  await expect(dialog.getByTestId('restore-folder-error')).toHaveText('Enter the folder to restore into.')
  await dialog.getByTestId('restore-folder').fill('srv/restore')
  await dialog.getByTestId('restore-next').click()
  await expect(dialog.getByTestId('restore-folder-error')).toHaveText('Use an absolute path, starting with /.')
  await dialog.getByTestId('restore-folder').fill('/srv/restore')
  await dialog.getByTestId('restore-policy-keep-both').click()
  await dialog.getByTestId('restore-next').click()

  const summary = dialog.getByTestId('restore-summary')
  await expect(summary.getByTestId('summary-to')).toHaveText('/srv/restore on web2')
  await expect(summary.getByTestId('summary-what')).toHaveText('2 items')
  await expect(summary.getByTestId('summary-policy')).toHaveText('The existing file stays; the restored one is written next to it under a new name.')
  await expect(summary.getByTestId('summary-overwrite-warning')).toHaveCount(0)
  // What will be restored, and the full path each item lands at.
  await expect(summary.getByTestId('summary-size')).toHaveText('7.3 KiB in 3 files')
  await expect(summary.getByTestId('summary-final')).toHaveText(['/srv/restore/etc/nginx', '/srv/restore/var/www/index.html'])
  expect((await calls(page, 'PlanRestore')).at(-1).args[0]).toEqual({ server: WEB1.uuid, archive: ARCHIVE, paths: ['etc/nginx', 'var/www/index.html'], to: '/srv/restore', target_server: WEB2.uuid, policy: 'keep-both' })
  await dialog.getByTestId('restore-start').click()

  const progress = dialog.getByTestId('restore-progress')
  await expect(progress).toHaveAttribute('data-status', 'running')
  await expect(progress.getByTestId('progress-files')).toHaveText('301 of 1,204')
  await expect(progress.getByTestId('progress-bytes')).toHaveText('11.5 MiB of 46 MiB')
  await expect(progress.getByTestId('progress-rate')).toHaveText('11.8 MiB/s')
  await expect(progress.getByTestId('progress-eta')).toHaveText('3 sec')
  await expect(progress.getByTestId('progress-path')).toHaveText('etc/nginx/nginx.conf')
  await expect(progress.getByTestId('progress-percent')).toHaveText('25 %')
  expect((await calls(page, 'StartRestore')).map((c) => c.args)).toEqual([
    [{ server: WEB1.uuid, archive: ARCHIVE, paths: ['etc/nginx', 'var/www/index.html'], to: '/srv/restore', target_server: WEB2.uuid, policy: 'keep-both' }],
  ])

  await releaseRestoreTasks(page)
  const result = dialog.getByTestId('restore-result')
  await expect(result).toHaveAttribute('data-status', 'succeeded')
  await expect(result.getByTestId('restore-done')).toHaveText('Restore finished. The files were written under /srv/restore.')
  // Each file once: 1,204 written, 3 of them beside an existing one.
  await expect(result.getByTestId('result-renamed').getByTestId('result-value')).toHaveText('3')
  await expect(result.getByTestId('result-written').getByTestId('result-value')).toHaveText('1,201')
  await expect(result.getByTestId('result-overwritten').getByTestId('result-value')).toHaveText('0')
  await expect(result.getByTestId('result-paths').locator('li').first()).toHaveText('/srv/restore/etc/nginx/nginx.conf')
  await dialog.getByTestId('restore-close').click()
  await expect(dialog).toHaveCount(0)
})

test('a running restore can be cancelled and says what it had written', async ({ page }) => {
  await openArchive(page, HELD)
  await expect(page.getByTestId('restore-button')).toHaveText('Restore the whole archive')
  await page.getByTestId('restore-button').click()
  const dialog = page.getByTestId('restore-dialog')
  await dialog.getByTestId('restore-policy-overwrite').click()
  await dialog.getByTestId('restore-next').click()
  await expect(dialog.getByTestId('summary-overwrite-warning')).toBeVisible()
  await expect(dialog.getByTestId('summary-to')).toHaveText('The original paths on web1')
  await expect(dialog.getByTestId('summary-size')).toHaveText('46 MiB in 1,204 files')
  await expect(dialog.getByTestId('summary-final')).toHaveText('/')
  await dialog.getByTestId('restore-start').click()
  await expect(dialog.getByTestId('progress-files')).toHaveText('301 of 1,204')

  await dialog.getByTestId('restore-cancel').click()
  const result = dialog.getByTestId('restore-result')
  await expect(result).toHaveAttribute('data-status', 'cancelled')
  await expect(result.getByTestId('result-written').getByTestId('result-value')).toHaveText('301')
  await expect(dialog.getByTestId('restore-cancel')).toHaveCount(0)
  const [start] = await calls(page, 'StartRestore')
  expect(start.args[0]).toEqual({ server: WEB1.uuid, archive: ARCHIVE, paths: [], to: '', target_server: '', policy: 'overwrite' })
  const cancels = await calls(page, 'CancelTask')
  expect(cancels).toHaveLength(1)
  expect(typeof cancels[0].args[0]).toBe('number')
})

test('a pruned archive says so and leads back to the list', async ({ page }) => {
  await installDesk(page, RESTORE_FLEET)
  await page.goto(`/#/archives/${WEB1.uuid}/${encodeURIComponent(PRUNED_ARCHIVE)}`)
  await expect(page.getByTestId('browse-root-error')).toContainText('is no longer in the repository (pruned at 2026-11-21T09:00:00Z); pick another archive')
  await expect(page.getByTestId('browse-tree')).toHaveCount(0)
  await expect(page.getByTestId('restore-button')).toHaveCount(0)
  await page.getByTestId('browse-pick-another').click()
  await expect(page.getByTestId('page-archives')).toBeVisible()
  await expect(page.getByTestId('archive-server')).toHaveValue(WEB1.uuid)
})

test('find a file, see its versions, and restore one of them', async ({ page }) => {
  await installDesk(page, RESTORE_FLEET)
  await page.goto('/')
  await page.getByTestId('nav-find').click()
  await expect(page.getByTestId('page-find')).toBeVisible()
  await expect(page.getByTestId('find-submit')).toBeDisabled()

  await page.getByTestId('find-pattern').fill('nginx.conf')
  await page.getByTestId('find-pattern').press('Enter')
  const hits = page.getByTestId('find-hit')
  await expect(hits).toHaveCount(1)
  await expect(hits.getByTestId('find-hit-path')).toHaveText('/etc/nginx/nginx.conf')
  await expect(hits.getByTestId('find-version')).toHaveCount(3)
  // Enter searches at once; on a slow machine the typing pause may already
  // have searched the same words: every search asked for exactly these.
  const asked = (await calls(page, 'FindFiles')).map((c) => JSON.stringify(c.args))
  expect(asked.length).toBeGreaterThan(0)
  expect(new Set(asked)).toEqual(new Set([JSON.stringify(['nginx.conf', '', 200])]))

  await page.getByTestId('find-pattern').fill('*.conf')
  await page.getByTestId('find-server').selectOption({ label: 'web1' })
  await page.getByTestId('find-submit').click()
  await expect(hits).toHaveCount(2)
  await expect(page.getByTestId('find-count')).toHaveText('2 files found')
  expect((await calls(page, 'FindFiles')).at(-1).args).toEqual(['*.conf', WEB1.uuid, 200])

  // The oldest version's archive was pruned since it was indexed: Go says so.
  const version = (archive) => hits.first().locator(`[data-testid="find-version"][data-archive="${archive}"]`)
  await version('etc-and-www@2026-11-20T03.05.00Z').getByTestId('find-restore-version').click()
  const dialog = page.getByTestId('restore-dialog')
  await dialog.getByTestId('restore-next').click()
  await dialog.getByTestId('restore-start').click()
  await expect(dialog.getByTestId('error-alert')).toContainText('is no longer in the repository')
  await expect(dialog.getByTestId('restore-summary')).toBeVisible()
  await dialog.getByTestId('dialog-close').click()

  await version('etc-and-www@2026-11-21T03.00.00Z').getByTestId('find-restore-version').click()
  await expect(dialog.getByTestId('restore-what')).toContainText('etc-and-www@2026-11-21T03.00.00Z on web1')
  await expect(dialog.getByTestId('restore-path')).toHaveText(['/etc/nginx/nginx.conf'])
  await dialog.getByTestId('restore-next').click()
  await dialog.getByTestId('restore-start').click()
  await expect(dialog.getByTestId('restore-result')).toHaveAttribute('data-status', 'succeeded')
  expect((await calls(page, 'StartRestore')).at(-1).args[0]).toEqual({
    server: WEB1.uuid,
    archive: 'etc-and-www@2026-11-21T03.00.00Z',
    paths: ['etc/nginx/nginx.conf'],
    to: '',
    target_server: '',
    policy: 'keep-both',
  })
  await dialog.getByTestId('restore-close').click()

  await page.getByTestId('find-pattern').fill('nothing-like-this')
  await page.getByTestId('find-submit').click()
  await expect(page.getByTestId('find-none')).toBeVisible()
})

test('find searches part of a name as it is typed, and downloads a version', async ({ page }) => {
  await installDesk(page, RESTORE_FLEET)
  await page.goto('/#/find')
  const hits = page.getByTestId('find-hit')

  // No Enter: the page searches once typing pauses, for names containing the word.
  await page.getByTestId('find-pattern').pressSequentially('NGINX')
  await expect(hits).toHaveCount(1)
  await expect(hits.getByTestId('find-hit-path')).toHaveText('/etc/nginx/nginx.conf')
  expect((await calls(page, 'FindFiles')).map((c) => c.args)).toEqual([['NGINX', '', 200]])

  await page.getByTestId('find-pattern').fill('conf')
  await expect(hits).toHaveCount(2)
  await expect(page.getByTestId('find-count')).toHaveText('2 files found')
  await expect(hits.getByTestId('find-hit-path')).toHaveText(['/etc/nginx/nginx.conf', '/etc/nginx/sites-enabled/shop.conf'])

  // An explicit glob still matches whole names only.
  await page.getByTestId('find-pattern').fill('*.cnf')
  await expect(hits.getByTestId('find-hit-path')).toHaveText(['/etc/mysql/my.cnf'])
  await page.getByTestId('find-server').selectOption({ label: 'web1' })
  await expect(page.getByTestId('find-none')).toBeVisible()
  await page.getByTestId('find-server').selectOption({ label: 'All servers' })

  // Each version of a file downloads on its own.
  await page.getByTestId('find-pattern').fill('nginx.conf')
  await page.getByTestId('find-pattern').press('Enter')
  const version = hits.first().locator('[data-testid="find-version"][data-archive="etc-and-www@2026-11-21T03.00.00Z"]')
  await version.getByTestId('find-download-version').click()
  await expect(page.getByTestId('find-download-saved')).toHaveText('Saved to /home/ops/Downloads/nginx.conf')
  expect((await calls(page, 'DownloadFile')).at(-1).args).toEqual([WEB1.uuid, 'etc-and-www@2026-11-21T03.00.00Z', 'etc/nginx/nginx.conf'])

  // Emptying the field clears the results.
  await page.getByTestId('find-pattern').fill('')
  await expect(hits).toHaveCount(0)
})

// A .flx snapshot the coordinator keeps is found beside the archives; its
// version is marked, has no borg actions, opens in the snapshot restore
// view and saves to ~/Downloads.
test('find lists files in kept .flx snapshots and opens or saves the snapshot', async ({ page }) => {
  const file = `/var/lib/borgdesk-test/flx/servers/${WEB1.uuid}/job-3/web1-flexpbx-2026-11-21_03-00-00.flxx`
  const hit = {
    server_uuid: WEB1.uuid,
    server_name: 'web1',
    path: 'home/flexpbx/public_html/api/extensions.php',
    type: '-',
    versions: [{ archive: 'job-3/web1-flexpbx-2026-11-21_03-00-00.flxx', time: '2026-11-21T03:00:05Z', size: 2210, mtime: '2026-11-19T10:00:00Z', snapshot: true, file }],
  }
  await installDesk(page, { ...RESTORE_FLEET, restore: { ...RESTORE, hits: [...RESTORE.hits, hit] }, flx: { ...FLX, files: { ...FLX.files, [file]: { ...FLX_PBX, source: file } } } })
  await page.goto('/#/find')
  await page.getByTestId('find-pattern').fill('extensions.php')
  const version = page.getByTestId('find-hit').getByTestId('find-version')
  await expect(version).toHaveCount(1)
  await expect(version.getByTestId('find-version-snapshot')).toHaveText('Snapshot (.flx)')
  await expect(version.getByRole('link')).toHaveCount(0)
  for (const borgOnly of ['find-preview-version', 'find-download-version', 'find-compare-version', 'find-restore-version']) {
    await expect(version.getByTestId(borgOnly)).toHaveCount(0)
  }

  await version.getByTestId('find-save-snapshot').click()
  await expect(page.getByTestId('find-download-saved')).toHaveText('Saved to /home/ops/Downloads/web1-flexpbx-2026-11-21_03-00-00.flxx')
  expect((await calls(page, 'ExportFlx')).map((c) => c.args)).toEqual([[file]])

  await version.getByTestId('find-open-snapshot').click()
  await expect(page).toHaveURL(new RegExp(`#/restore/flx/${FLX_PBX.id}$`))
  expect((await calls(page, 'OpenFlx')).map((c) => c.args)).toEqual([[file]])
})

test('the Restore page lists the last restores, live', async ({ page }) => {
  await openArchive(page)
  await row(page, 'etc').getByTestId('browse-toggle').click()
  await row(page, 'etc/nginx').getByTestId('browse-check').check()
  await page.getByTestId('restore-button').click()
  const dialog = page.getByTestId('restore-dialog')
  await dialog.getByTestId('restore-dest-folder').click()
  await dialog.getByTestId('restore-folder').fill('/srv/restore')
  await dialog.getByTestId('restore-next').click()
  await dialog.getByTestId('restore-start').click()
  await expect(dialog.getByTestId('restore-result')).toHaveAttribute('data-status', 'succeeded')
  await dialog.getByTestId('restore-close').click()

  await page.getByTestId('nav-restore').click()
  const rows = page.getByTestId('recent-restores').getByTestId('recent-restore')
  await expect(rows).toHaveCount(1)
  await expect(rows.first()).toHaveAttribute('data-status', 'succeeded')
  await expect(rows.first()).toContainText(ARCHIVE)
  await expect(rows.first()).toContainText('/etc/nginx')
  await expect(rows.first().getByTestId('recent-restore-where')).toHaveText('into /srv/restore on web1')
})
