import { expect, test } from '@playwright/test'
import { EMPTY_FLEET, calls, installDesk } from './desk-double.js'

const html = (page) => page.locator('html')

test('choosing dark in Settings adds the dark class and saves it', async ({ page }) => {
  await installDesk(page)
  await page.goto('/#/settings')
  await expect(html(page)).not.toHaveClass(/\bdark\b/)

  await page.getByTestId('settings-theme-dark').click()

  await expect(html(page)).toHaveClass(/\bdark\b/)
  await expect(page.getByTestId('settings-theme-dark')).toHaveAttribute('aria-checked', 'true')
  expect((await calls(page, 'SetSetting')).map((c) => c.args)).toEqual([['ui.theme', 'dark']])
})

test('the sidebar switch sets the theme too', async ({ page }) => {
  await installDesk(page, { ...EMPTY_FLEET, settings: { 'ui.theme': 'dark' } })
  await page.goto('/')
  await expect(html(page)).toHaveClass(/\bdark\b/)

  await page.getByTestId('sidebar-theme-light').click()

  await expect(html(page)).not.toHaveClass(/\bdark\b/)
  expect((await calls(page, 'SetSetting')).map((c) => c.args)).toEqual([['ui.theme', 'light']])
})

test('system follows prefers-color-scheme, also when it changes', async ({ page }) => {
  await page.emulateMedia({ colorScheme: 'dark' })
  await installDesk(page)
  await page.goto('/')
  await expect(html(page)).toHaveClass(/\bdark\b/)

  await page.emulateMedia({ colorScheme: 'light' })
  await expect(html(page)).not.toHaveClass(/\bdark\b/)
})
