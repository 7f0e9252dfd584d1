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

test('in the dark theme, selects and unchecked boxes are dark too', async ({ page }) => {
  await installDesk(page, { ...EMPTY_FLEET, settings: { 'ui.theme': 'dark' } })
  await page.goto('/#/settings')
  await expect(html(page)).toHaveClass(/\bdark\b/)
  const dark = (rgb) => {
    const [r, g, b] = rgb.match(/\d+/g).map(Number)
    return r + g + b < 3 * 80
  }
  const select = page.locator('select').first()
  await expect(select).toBeVisible()
  expect(dark(await select.evaluate((el) => getComputedStyle(el).backgroundColor))).toBe(true)
  expect(dark(await select.locator('option').first().evaluate((el) => getComputedStyle(el).backgroundColor))).toBe(true)
  const box = page.locator('input[type="checkbox"]:not(:checked)').first()
  await expect(box).toBeAttached()
  const style = await box.evaluate((el) => ({ bg: getComputedStyle(el).backgroundColor, appearance: getComputedStyle(el).appearance }))
  expect(style.appearance).toBe('none')
  expect(dark(style.bg)).toBe(true)
})
