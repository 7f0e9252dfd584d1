import { expect, test } from '@playwright/test'
import { EMPTY_FLEET, POPULATED_FLEET, installDesk } from './desk-double.js'

// Pictures for a person to look at; test-results/ is not tracked.
const SHOTS = [
  { name: 'dashboard-welcome-light', fleet: EMPTY_FLEET, path: '/', ready: 'empty-dashboard' },
  { name: 'dashboard-light', fleet: POPULATED_FLEET, path: '/', ready: 'runs-table' },
  { name: 'servers-light', fleet: POPULATED_FLEET, path: '/#/servers', ready: 'servers-table' },
  { name: 'servers-empty-light', fleet: EMPTY_FLEET, path: '/#/servers', ready: 'empty-servers' },
  { name: 'dashboard-dark', fleet: POPULATED_FLEET, path: '/', ready: 'runs-table', dark: true },
  { name: 'servers-empty-dark', fleet: EMPTY_FLEET, path: '/#/servers', ready: 'empty-servers', dark: true },
  { name: 'settings-dark', fleet: EMPTY_FLEET, path: '/#/settings', ready: 'settings-datadir', dark: true },
  { name: 'archives-dark', fleet: POPULATED_FLEET, path: '/#/archives', ready: 'archives-table', dark: true },
]

for (const shot of SHOTS) {
  test(`screenshot ${shot.name}`, async ({ page }) => {
    const settings = shot.dark ? { 'ui.theme': 'dark' } : {}
    await installDesk(page, { ...shot.fleet, settings })
    await page.goto(shot.path)
    await expect(page.getByTestId(shot.ready)).toBeVisible()
    if (shot.dark) await expect(page.locator('html')).toHaveClass(/\bdark\b/)
    await page.screenshot({ path: `test-results/screenshots/${shot.name}.png` })
  })
}
