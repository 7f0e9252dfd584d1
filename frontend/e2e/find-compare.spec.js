import { expect, test } from '@playwright/test'
import { RESTORE_FLEET, calls, installDesk } from './desk-double.js'

const [WEB1] = RESTORE_FLEET.servers
const NEWEST = 'etc-and-www@2026-11-21T08.12.00Z'
const MIDDLE = 'etc-and-www@2026-11-21T03.00.00Z'
const PRUNED = 'etc-and-www@2026-11-20T03.05.00Z'

async function findFile(page, pattern) {
  await page.getByTestId('find-pattern').fill(pattern)
  await page.getByTestId('find-pattern').press('Enter')
  await expect(page.getByTestId('find-hit')).toHaveCount(1)
}

const version = (page, archive) => page.locator(`[data-testid="find-version"][data-archive="${archive}"]`)

test('a version of a text file is compared with the one before it, line by line', async ({ page }) => {
  await installDesk(page, RESTORE_FLEET)
  await page.goto('/#/find')
  await findFile(page, 'shop.conf')
  await version(page, NEWEST).getByTestId('find-compare-version').click()

  const dialog = page.getByTestId('compare-dialog')
  await expect(dialog.getByTestId('compare-path')).toContainText('/etc/nginx/sites-enabled/shop.conf')
  await expect(dialog.getByTestId('compare-from')).toHaveValue(MIDDLE)
  await expect(dialog.getByTestId('compare-to')).toHaveValue(NEWEST)
  await expect(dialog.getByTestId('compare-summary')).toHaveText('2 lines added, 1 line removed · 587 bytes → 611 bytes')
  const lines = dialog.getByTestId('compare-line')
  await expect(lines.and(page.locator('[data-kind="del"]'))).toHaveText(['-    listen 80;'])
  await expect(lines.and(page.locator('[data-kind="add"]'))).toHaveText(['+    listen 443 ssl;', '+    ssl_certificate /etc/ssl/shop.pem;'])
  await expect(lines.and(page.locator('[data-kind="hunk"]'))).toHaveText(['@@ -1,5 +1,6 @@'])
  expect((await calls(page, 'CompareFile')).map((c) => c.args)).toEqual([[WEB1.uuid, 'etc/nginx/sites-enabled/shop.conf', MIDDLE, NEWEST]])

  // One archive on both sides is not asked of Go.
  await dialog.getByTestId('compare-to').selectOption(MIDDLE)
  await expect(dialog.getByTestId('compare-same-archive')).toHaveText('Pick two different versions to compare.')
  await expect(dialog.getByTestId('compare-diff')).toHaveCount(0)
  expect(await calls(page, 'CompareFile')).toHaveLength(1)

  await dialog.getByTestId('compare-close').click()
  await expect(dialog).toHaveCount(0)
})

test('Go says when a version was pruned, and when two versions are identical', async ({ page }) => {
  await installDesk(page, RESTORE_FLEET)
  await page.goto('/#/find')
  await findFile(page, 'nginx.conf')
  // The middle version starts against the older one, whose archive is gone.
  await version(page, MIDDLE).getByTestId('find-compare-version').click()
  const dialog = page.getByTestId('compare-dialog')
  await expect(dialog.getByTestId('compare-from')).toHaveValue(PRUNED)
  await expect(dialog.getByTestId('error-alert')).toContainText(`archive ${PRUNED} of web1 is no longer in the repository`)

  await dialog.getByTestId('compare-to').selectOption(NEWEST)
  await dialog.getByTestId('compare-from').selectOption(MIDDLE)
  await expect(dialog.getByTestId('compare-summary')).toHaveText('Both versions are identical (1.5 KiB).')
  await expect(dialog.getByTestId('error-alert')).toHaveCount(0)
  expect((await calls(page, 'CompareFile')).at(-1).args).toEqual([WEB1.uuid, 'etc/nginx/nginx.conf', MIDDLE, NEWEST])
})

test('a binary file is compared by content, with both sizes', async ({ page }) => {
  await installDesk(page, RESTORE_FLEET)
  await page.goto('/#/find')
  await findFile(page, 'logo.png')
  // The oldest version starts against the next newer one.
  await version(page, MIDDLE).getByTestId('find-compare-version').click()
  const dialog = page.getByTestId('compare-dialog')
  await expect(dialog.getByTestId('compare-summary')).toHaveText(
    `This is not a text file, so it is not compared line by line. ${MIDDLE}: 18.5 KiB; ${NEWEST}: 20 KiB. Their contents differ.`,
  )
  await expect(dialog.getByTestId('compare-diff')).toHaveCount(0)
})

test('a file with one version offers no comparison', async ({ page }) => {
  await installDesk(page, RESTORE_FLEET)
  await page.goto('/#/find')
  await findFile(page, 'my.cnf')
  await expect(page.getByTestId('find-download-version')).toHaveCount(1)
  await expect(page.getByTestId('find-compare-version')).toHaveCount(0)
})

test('the comparison speaks French and German', async ({ page }) => {
  await installDesk(page, { ...RESTORE_FLEET, settings: { ...RESTORE_FLEET.settings, 'ui.locale': 'fr' } })
  await page.goto('/#/find')
  await findFile(page, 'shop.conf')
  await version(page, NEWEST).getByTestId('find-compare-version').click()
  const dialog = page.getByTestId('compare-dialog')
  await expect(dialog.getByTestId('dialog-title')).toHaveText('Comparer deux versions')
  await expect(dialog.getByTestId('compare-summary')).toHaveText('2 lignes ajoutées, 1 ligne supprimée · 587 octets → 611 octets')

  await dialog.getByTestId('compare-close').click()
  await page.goto('/#/settings')
  await page.getByTestId('settings-locale').selectOption('de')
  await page.goto('/#/find')
  await findFile(page, 'logo.png')
  await version(page, MIDDLE).getByTestId('find-compare-version').click()
  await expect(dialog.getByTestId('compare-summary')).toContainText('Dies ist keine Textdatei')
  await expect(dialog.getByTestId('compare-summary')).toContainText('Ihre Inhalte unterscheiden sich.')
})

test('each version can be previewed, and the actions fit a 1024 px window', async ({ page }) => {
  await page.setViewportSize({ width: 1024, height: 768 })
  await installDesk(page, RESTORE_FLEET)
  await page.goto('/#/find')
  await findFile(page, 'nginx.conf')
  // The card clips what overflows it: every action is inside the card.
  const card = await page.getByTestId('find-hit').boundingBox()
  for (const archive of [NEWEST, MIDDLE, PRUNED]) {
    for (const id of ['find-preview-version', 'find-download-version', 'find-compare-version', 'find-restore-version']) {
      const box = await version(page, archive).getByTestId(id).boundingBox()
      expect(box.x + box.width <= card.x + card.width && box.x >= card.x, `${id} of ${archive} inside the card`).toBe(true)
    }
  }
  await version(page, NEWEST).getByTestId('find-preview-version').click()
  const dialog = page.getByTestId('find-preview-dialog')
  await expect(dialog.getByTestId('find-preview-text')).toContainText('worker_processes auto;')
  await expect(dialog.getByTestId('find-preview-path')).toContainText(NEWEST)
  expect((await calls(page, 'PreviewFile')).map((c) => c.args)).toEqual([[WEB1.uuid, NEWEST, 'etc/nginx/nginx.conf']])
  await dialog.getByTestId('dialog-close').click()

  await version(page, PRUNED).getByTestId('find-preview-version').click()
  await expect(dialog.getByTestId('error-alert')).toContainText('is no longer in the repository')
})
