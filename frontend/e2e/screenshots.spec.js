import { expect, test } from '@playwright/test'
import { EMPTY_FLEET, POPULATED_FLEET, installDesk } from './desk-double.js'

// Pictures for a person to look at; test-results/ is not tracked.

async function addServer(page) {
  await page.getByTestId('add-server').click()
  await page.getByTestId('add-server-name').fill('web2')
  await page.getByTestId('add-server-submit').click()
  await expect(page.getByTestId('install-command')).toBeVisible()
}

async function addServerForm(page) {
  await page.getByTestId('add-server').click()
  await page.getByTestId('add-server-name').fill('web 2')
  await page.getByTestId('add-server-submit').click()
  await expect(page.getByTestId('add-server-name')).toHaveAttribute('aria-invalid', 'true')
}

async function revokeDialog(page) {
  await page.getByTestId('revoke-button').click()
  await page.getByTestId('confirm-input').fill('web')
}

const DETAIL = `/#/servers/${POPULATED_FLEET.servers[0].uuid}`

const SHOTS = [
  { name: 'dashboard-welcome-light', fleet: EMPTY_FLEET, path: '/', ready: 'empty-dashboard' },
  { name: 'dashboard-light', fleet: POPULATED_FLEET, path: '/', ready: 'runs-table' },
  { name: 'servers-light', fleet: POPULATED_FLEET, path: '/#/servers', ready: 'servers-table' },
  { name: 'servers-empty-light', fleet: EMPTY_FLEET, path: '/#/servers', ready: 'empty-servers' },
  { name: 'add-server-form-light', fleet: POPULATED_FLEET, path: '/#/servers', ready: 'servers-table', act: addServerForm },
  { name: 'add-server-light', fleet: POPULATED_FLEET, path: '/#/servers', ready: 'servers-table', act: addServer },
  { name: 'server-detail-light', fleet: POPULATED_FLEET, path: DETAIL, ready: 'resources-card', tall: true },
  { name: 'server-detail-offline-light', fleet: POPULATED_FLEET, path: '/#/servers/db1', ready: 'resources-card', tall: true },
  { name: 'server-revoke-light', fleet: POPULATED_FLEET, path: DETAIL, ready: 'resources-card', act: revokeDialog },
  { name: 'dashboard-dark', fleet: POPULATED_FLEET, path: '/', ready: 'runs-table', dark: true },
  { name: 'servers-dark', fleet: POPULATED_FLEET, path: '/#/servers', ready: 'servers-table', dark: true },
  { name: 'servers-empty-dark', fleet: EMPTY_FLEET, path: '/#/servers', ready: 'empty-servers', dark: true },
  { name: 'add-server-dark', fleet: POPULATED_FLEET, path: '/#/servers', ready: 'servers-table', act: addServer, dark: true },
  { name: 'server-detail-dark', fleet: POPULATED_FLEET, path: DETAIL, ready: 'resources-card', dark: true, tall: true },
  { name: 'server-detail-revoked-dark', fleet: POPULATED_FLEET, path: '/#/servers/mail-old', ready: 'resources-card', dark: true, tall: true },
  { name: 'settings-dark', fleet: EMPTY_FLEET, path: '/#/settings', ready: 'settings-datadir', dark: true },
  { name: 'archives-dark', fleet: POPULATED_FLEET, path: '/#/archives', ready: 'archives-table', dark: true },
]

for (const shot of SHOTS) {
  test(`screenshot ${shot.name}`, async ({ page }) => {
    const settings = shot.dark ? { 'ui.theme': 'dark' } : {}
    // The page scrolls inside <main>, so a tall page needs a tall window.
    if (shot.tall) await page.setViewportSize({ width: 1280, height: 960 })
    await installDesk(page, { ...shot.fleet, settings })
    await page.goto(shot.path)
    await expect(page.getByTestId(shot.ready)).toBeVisible()
    if (shot.dark) await expect(page.locator('html')).toHaveClass(/\bdark\b/)
    if (shot.act) await shot.act(page)
    await page.screenshot({ path: `test-results/screenshots/${shot.name}.png` })
  })
}
