import { expect, test } from '@playwright/test'
import { RESTORE_FLEET, calls, installDesk } from './desk-double.js'

// Keeping, renaming and deleting one archive from the archive browser, on
// the Go double (e2e/desk-archives.js answers with Go's sentences).
const [WEB1] = RESTORE_FLEET.servers
const ARCHIVE = 'etc-and-www@2026-11-21T08.12.00Z'
const OTHER = 'etc-and-www@2026-11-21T03.00.00Z'

async function openArchive(page, name = ARCHIVE, fleet = RESTORE_FLEET) {
  await installDesk(page, fleet)
  await page.goto('/#/archives')
  await page.locator(`[data-testid="archive-row"][data-archive="${name}"]`).getByTestId('archive-open').click()
  await expect(page.getByTestId('page-archive-browser')).toBeVisible()
  await expect(page.getByTestId('archive-delete-button')).toBeVisible()
}

test('keep forever: the toggle, its label in the browser and in the table', async ({ page }) => {
  await openArchive(page)
  const toggle = page.getByTestId('archive-keep-toggle')
  await expect(toggle).toHaveAttribute('aria-pressed', 'false')
  await expect(page.getByTestId('browse-kept')).toHaveCount(0)

  await toggle.click()
  await expect(toggle).toHaveAttribute('aria-pressed', 'true')
  await expect(toggle).toHaveText(/Stop keeping forever/)
  await expect(page.getByTestId('browse-kept')).toHaveText('Kept forever')
  expect((await calls(page, 'KeepArchive')).map((c) => c.args)).toEqual([[WEB1.uuid, ARCHIVE, true]])

  // A kept archive cannot be deleted: the dialog says so, and Go refuses.
  await page.getByTestId('archive-delete-button').click()
  const dialog = page.getByTestId('archive-delete-dialog')
  await expect(dialog).toContainText('This archive is kept forever')
  await dialog.getByTestId('confirm-input').fill(ARCHIVE)
  await dialog.getByTestId('confirm-button').click()
  await expect(dialog).toContainText(`archive ${ARCHIVE} is kept forever; take that off first (borgdesk archive unkeep web1 ${ARCHIVE}), then delete it`)
  await dialog.getByTestId('confirm-cancel').click()

  await page.getByTestId('browse-back').click()
  const row = page.locator(`[data-testid="archive-row"][data-archive="${ARCHIVE}"]`)
  await expect(row.getByTestId('archive-kept')).toHaveText('Kept forever')
  await expect(page.locator(`[data-testid="archive-row"][data-archive="${OTHER}"]`).getByTestId('archive-kept')).toHaveCount(0)
})

test('delete: only once the name is typed, then back to the archives with what was freed', async ({ page }) => {
  await openArchive(page)
  await page.getByTestId('archive-delete-button').click()
  const dialog = page.getByTestId('archive-delete-dialog')
  const confirm = dialog.getByTestId('confirm-button')
  await expect(confirm).toBeDisabled()
  await dialog.getByTestId('confirm-input').fill(OTHER)
  await expect(confirm).toBeDisabled()
  await dialog.getByTestId('confirm-input').fill(ARCHIVE)
  await expect(confirm).toBeEnabled()
  await confirm.click()

  await expect(page.getByTestId('page-archives')).toBeVisible()
  await expect(page).toHaveURL(new RegExp(`server=${WEB1.uuid}`))
  await expect(page.getByTestId('archive-deleted')).toContainText(`Archive ${ARCHIVE} of web1 deleted; the compact freed`)
  await expect(page.locator(`[data-testid="archive-row"][data-archive="${ARCHIVE}"]`)).toHaveCount(0)
  await expect(page.locator(`[data-testid="archive-row"][data-archive="${OTHER}"]`)).toHaveCount(1)
  expect((await calls(page, 'DeleteArchive')).map((c) => c.args)).toEqual([[WEB1.uuid, ARCHIVE, ARCHIVE]])
})

test('delete while a backup holds the repository: Go’s sentence, and the archive stays', async ({ page }) => {
  await openArchive(page, ARCHIVE, { ...RESTORE_FLEET, archiveBusy: { [WEB1.uuid]: true } })
  await page.getByTestId('archive-delete-button').click()
  const dialog = page.getByTestId('archive-delete-dialog')
  await dialog.getByTestId('confirm-input').fill(ARCHIVE)
  await dialog.getByTestId('confirm-button').click()
  await expect(dialog).toContainText('The archive was not deleted.')
  await expect(dialog).toContainText('the repository of web1 is busy')
  await dialog.getByTestId('confirm-cancel').click()
  await expect(page.getByTestId('page-archive-browser')).toBeVisible()
})

test('rename with a comment; a taken name is refused with Go’s sentence', async ({ page }) => {
  await openArchive(page)
  await page.getByTestId('archive-rename-button').click()
  const dialog = page.getByTestId('archive-rename-dialog')
  const name = dialog.getByTestId('archive-new-name')
  await expect(name).toHaveValue(ARCHIVE)
  await expect(dialog.getByTestId('archive-rename-save')).toBeDisabled()

  await name.fill(OTHER)
  await dialog.getByTestId('archive-rename-save').click()
  await expect(dialog.getByTestId('archive-rename-error')).toContainText(`web1 already has an archive named ${OTHER}; pick another name`)

  const renamed = 'etc-and-www@before-php8'
  await name.fill(renamed)
  await dialog.getByTestId('archive-comment-input').fill('state before the PHP 8 upgrade')
  await dialog.getByTestId('archive-rename-save').click()
  await expect(dialog).toBeHidden()
  await expect(page.getByTestId('page-title')).toHaveText(renamed)
  await expect(page.getByTestId('browse-comment')).toHaveText('state before the PHP 8 upgrade')
  expect((await calls(page, 'RenameArchive')).at(-1).args).toEqual([{ server: WEB1.uuid, archive: ARCHIVE, new_name: renamed, comment: 'state before the PHP 8 upgrade' }])

  await page.getByTestId('browse-back').click()
  const row = page.locator(`[data-testid="archive-row"][data-archive="${renamed}"]`)
  await expect(row.getByTestId('archive-comment')).toHaveText('state before the PHP 8 upgrade')
})

test('the archive actions are in French', async ({ page }) => {
  await openArchive(page, ARCHIVE, { ...RESTORE_FLEET, settings: { ...RESTORE_FLEET.settings, 'ui.locale': 'fr' } })
  await expect(page.getByTestId('archive-keep-toggle')).toHaveText(/Conserver pour toujours/)
  await expect(page.getByTestId('archive-delete-button')).toHaveText(/Supprimer…/)
  await expect(page.getByTestId('archive-rename-button')).toHaveText(/Renommer…/)
})
