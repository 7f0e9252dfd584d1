import { expect, test } from '@playwright/test'
import { EMPTY_FLEET, KIT_PATH, OPERATOR_FLEET, RECOVERY_NEVER, RECOVERY_OUTDATED, calls, installDesk } from './desk-double.js'

const PASS = 'orange tractor seven lanterns'

test('first run: the dashboard asks for a recovery kit until one is exported', async ({ page }) => {
  await installDesk(page, { ...EMPTY_FLEET, recovery: RECOVERY_NEVER })
  await page.goto('/')
  const reminder = page.getByTestId('kit-reminder')
  await expect(reminder).toHaveAttribute('data-state', 'never')
  await expect(reminder).toContainText('No recovery kit yet')

  await page.getByTestId('kit-reminder-export').click()
  const dialog = page.getByTestId('recovery-dialog')
  await expect(dialog).toBeVisible()
  await expect(page.getByTestId('recovery-contents')).toContainText('certificate authority')
  await expect(dialog).toContainText('Not the backups themselves')
  await expect(page.getByTestId('kit-passphrase')).toBeFocused()
  await expect(page.getByTestId('kit-passphrase')).toHaveAttribute('type', 'password')

  // Too short: the hint says so and Export stays off.
  await page.getByTestId('kit-passphrase').fill('short one')
  await expect(page.getByTestId('kit-strength')).toHaveAttribute('data-level', 'short')
  await expect(page.getByTestId('kit-strength-text')).toHaveText('At least 12 characters.')
  await expect(page.getByTestId('kit-export')).toBeDisabled()
  await page.getByTestId('kit-passphrase').fill('aaaaaaaaaaaa')
  await expect(page.getByTestId('kit-strength')).toHaveAttribute('data-level', 'weak')
  await page.getByTestId('kit-passphrase').fill(PASS)
  await expect(page.getByTestId('kit-strength')).toHaveAttribute('data-level', 'strong')
  // The confirmation must match.
  await page.getByTestId('kit-confirm').fill(PASS + 'x')
  await expect(page.getByTestId('error-kit-confirm')).toHaveText('The two passphrases differ.')
  await expect(page.getByTestId('kit-export')).toBeDisabled()
  await page.getByTestId('kit-passphrase-show').click()
  await expect(page.getByTestId('kit-confirm')).toHaveAttribute('type', 'text')
  await page.getByTestId('kit-confirm').fill(PASS)
  await expect(page.getByTestId('error-kit-confirm')).toHaveCount(0)
  await page.getByTestId('kit-export').click()

  await expect(dialog).toHaveAttribute('data-stage', 'done')
  await expect(page.getByTestId('kit-path')).toHaveText(KIT_PATH)
  await expect(page.getByTestId('kit-summary')).toContainText('7 files')
  expect((await calls(page, 'ExportRecoveryKit')).map((c) => c.args)).toEqual([[PASS]])
  await page.getByTestId('kit-done').click()
  await expect(dialog).toHaveCount(0)
  // recovery:exported: the status is read again and the reminder goes.
  await expect(reminder).toHaveCount(0)
  expect((await calls(page, 'GetRecoveryKitStatus')).length).toBeGreaterThan(1)
  expect(await page.evaluate((p) => document.body.innerHTML.includes(p), PASS)).toBe(false)
})

test('an out-of-date kit: the reminder names the servers enrolled since', async ({ page }) => {
  await installDesk(page, { ...OPERATOR_FLEET, recovery: RECOVERY_OUTDATED })
  await page.goto('/')
  const reminder = page.getByTestId('kit-reminder')
  await expect(reminder).toHaveAttribute('data-state', 'outdated')
  await expect(reminder).toContainText('Your recovery kit is out of date')
  await expect(page.getByTestId('kit-stale-reason')).toHaveText('db2, web3 were enrolled since.')
  // A server enrolled in this window refetches the status.
  await page.evaluate(() => {
    window.__fleet.recovery.status.new_servers = ['db2', 'web3', 'web4']
  })
  await page.evaluate(() => {
    for (const l of window.__listeners['server:changed'] || []) l.callback({ id: 9001, kind: 'server:changed', subject: 'x', message: 'web4 enrolled', data: {} })
  })
  await expect(page.getByTestId('kit-stale-reason')).toHaveText('db2, web3, web4 were enrolled since.')
})

test('settings: the last kit, a cancelled save dialog, and Go refusing', async ({ page }) => {
  await installDesk(page, { ...OPERATOR_FLEET, recovery: { ...RECOVERY_OUTDATED, savePath: '' } })
  await page.goto('/#/settings')
  const section = page.getByTestId('settings-recovery')
  await expect(section).toBeVisible()
  await expect(page.getByTestId('kit-last')).toHaveAttribute('data-state', 'outdated')
  await expect(page.getByTestId('kit-last-path')).toHaveText('/media/usb/old-kit.age')
  await expect(page.getByTestId('kit-outdated')).toContainText('db2, web3 were enrolled since.')

  await page.getByTestId('kit-open').click()
  await page.getByTestId('kit-passphrase').fill(PASS)
  await page.getByTestId('kit-confirm').fill(PASS)
  await page.getByTestId('kit-export').click()
  await expect(page.getByTestId('kit-cancelled')).toHaveText('No file was chosen; nothing was written.')
  await expect(page.getByTestId('recovery-dialog')).toHaveAttribute('data-stage', 'form')
  await expect(page.getByTestId('kit-last')).toHaveAttribute('data-state', 'outdated')

  await page.evaluate(() => {
    window.__fleet.recovery.savePath = '/home/ops/.local/share/borgdesk/kit.age'
    window.__fleet.recovery.error = 'invalid input: unsuitable place for the recovery kit: /home/ops/.local/share/borgdesk/kit.age is inside the data dir'
  })
  await page.getByTestId('kit-export').click()
  await expect(page.getByTestId('kit-error')).toContainText('inside the data dir')
  await expect(page.getByTestId('kit-cancelled')).toHaveCount(0)

  await page.evaluate(() => {
    window.__fleet.recovery.savePath = '/media/usb/fleet.age'
    window.__fleet.recovery.error = ''
    window.__fleet.recovery.warnings = ['repository web1 (1b6c…): borg key export failed (exit 2); its key is still in its own config']
  })
  await page.getByTestId('kit-export').click()
  await expect(page.getByTestId('kit-warnings')).toContainText('borg key export failed')
  await page.getByTestId('kit-done').click()
  await expect(page.getByTestId('kit-last')).toHaveAttribute('data-state', 'current')
  await expect(page.getByTestId('kit-last-path')).toHaveText('/media/usb/fleet.age')
  // Escape closes; opening again starts empty.
  await page.getByTestId('kit-open').click()
  await expect(page.getByTestId('kit-passphrase')).toHaveValue('')
  await page.keyboard.press('Escape')
  await expect(page.getByTestId('recovery-dialog')).toHaveCount(0)
})

test('a current kit: no reminder', async ({ page }) => {
  await installDesk(page, OPERATOR_FLEET)
  await page.goto('/')
  await expect(page.getByTestId('stat-servers')).toBeVisible()
  await expect(page.getByTestId('kit-reminder')).toHaveCount(0)
})

test('the reminder speaks French', async ({ page }) => {
  await installDesk(page, { ...EMPTY_FLEET, settings: { 'ui.locale': 'fr' }, recovery: RECOVERY_NEVER })
  await page.goto('/')
  await expect(page.getByTestId('kit-reminder')).toContainText('Pas encore de kit de récupération')
  await expect(page.getByTestId('kit-reminder-export')).toHaveText('Exporter le kit de récupération…')
})
