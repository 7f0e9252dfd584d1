import { expect, test } from '@playwright/test'
import { EMPTY_FLEET, calls, installDesk } from './desk-double.js'

test('switching to German changes the navigation and is saved', async ({ page }) => {
  await installDesk(page)
  await page.goto('/#/settings')
  await expect(page.getByTestId('nav-dashboard')).toHaveText('Dashboard')

  await page.getByTestId('settings-locale').selectOption('de')

  await expect(page.getByTestId('nav-dashboard')).toHaveText('Übersicht')
  await expect(page.getByTestId('nav-jobs')).toHaveText('Aufträge')
  await expect(page.getByTestId('nav-settings')).toHaveText('Einstellungen')
  await expect(page.locator('html')).toHaveAttribute('lang', 'de')
  expect((await calls(page, 'SetSetting')).map((c) => c.args)).toEqual([['ui.locale', 'de']])
})

test('a saved language is used at start', async ({ page }) => {
  await installDesk(page, { ...EMPTY_FLEET, settings: { 'ui.locale': 'fr' } })
  await page.goto('/')
  await expect(page.getByTestId('nav-dashboard')).toHaveText('Tableau de bord')
  await expect(page.getByTestId('empty-dashboard')).toContainText('Bienvenue dans Borgdesk')
})

test.describe('with a German browser', () => {
  test.use({ locale: 'de-AT' })

  test('the default language follows navigator.language', async ({ page }) => {
    await installDesk(page)
    await page.goto('/')
    await expect(page.getByTestId('nav-servers')).toHaveText('Server')
    await expect(page.getByTestId('nav-restore')).toHaveText('Wiederherstellen')
  })
})
