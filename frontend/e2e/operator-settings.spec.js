import { expect, test } from '@playwright/test'
import { OPERATOR_FLEET, calls, installDesk } from './desk-double.js'

const setCalls = async (page) => (await calls(page, 'SetSetting')).map((c) => c.args)

async function open(page, fleet = OPERATOR_FLEET) {
  await installDesk(page, fleet)
  await page.goto('/#/settings')
  await expect(page.getByTestId('settings-email')).toBeVisible()
}

test('SMTP fields are saved when left, and Go refusing a value shows next to the field', async ({ page }) => {
  await open(page)
  await expect(page.getByTestId('smtp-host')).toHaveValue('mail.example.lan')
  await expect(page.getByTestId('smtp-security')).toHaveValue('starttls')

  await page.getByTestId('smtp-host').fill('smtp.example.org')
  await page.getByTestId('smtp-host').press('Tab')
  await expect(page.getByTestId('smtp-host-saved')).toBeVisible()
  await page.getByTestId('smtp-port').fill('abc')
  await page.getByTestId('smtp-port').press('Enter')
  await expect(page.getByTestId('smtp-port-error')).toContainText('a port is a number from 1 to 65535')
  await expect(page.getByTestId('smtp-port')).toHaveAttribute('aria-invalid', 'true')
  // The refused value stays to be corrected.
  await expect(page.getByTestId('smtp-port')).toHaveValue('abc')
  await page.getByTestId('smtp-port').fill('465')
  await page.getByTestId('smtp-port').press('Enter')
  await expect(page.getByTestId('smtp-port-error')).toHaveCount(0)
  await page.getByTestId('smtp-security').selectOption('tls')
  await page.getByTestId('email-to').fill('ops@example.org;\noncall@example.org')
  await page.getByTestId('email-to').press('Tab')
  await expect(page.getByTestId('email-to')).toHaveValue('ops@example.org,oncall@example.org')

  expect(await setCalls(page)).toEqual([
    ['smtp.host', 'smtp.example.org'],
    ['smtp.port', 'abc'],
    ['smtp.port', '465'],
    ['smtp.security', 'tls'],
    ['notify.email.to', 'ops@example.org,oncall@example.org'],
  ])
  // Leaving a field unchanged sends nothing.
  await page.getByTestId('smtp-user').focus()
  await page.getByTestId('smtp-user').press('Tab')
  expect(await setCalls(page)).toHaveLength(5)
})

test('the SMTP password is write-only: shown as set, never filled in, empty keeps it', async ({ page }) => {
  await open(page, { ...OPERATOR_FLEET, settings: { ...OPERATOR_FLEET.settings, 'smtp.password_set': 'false' } })
  const field = page.getByTestId('smtp-password')
  await expect(field).toHaveAttribute('type', 'password')
  await expect(field).toHaveValue('')
  await expect(page.getByTestId('smtp-password-state')).toHaveAttribute('data-set', 'false')

  await field.focus()
  await field.press('Tab')
  expect(await setCalls(page)).toEqual([])

  await field.fill('s3cret-pass')
  await field.press('Enter')
  await expect(page.getByTestId('smtp-password-state')).toHaveAttribute('data-set', 'true')
  await expect(page.getByTestId('smtp-password-state')).toHaveText('Set')
  await expect(field).toHaveValue('')
  expect(await setCalls(page)).toEqual([['smtp.password', 's3cret-pass']])
  // After settings:changed, GetSettings still gives no password back.
  await expect.poll(async () => (await calls(page, 'GetSettings')).length).toBeGreaterThan(1)
  await expect(field).toHaveValue('')
  expect(await page.evaluate(() => document.body.innerHTML.includes('s3cret-pass'))).toBe(false)
})

test('send test e-mail shows Go sentence, or the SMTP error and the outbox state', async ({ page }) => {
  await open(page)
  await expect(page.getByTestId('mail-sent')).toHaveText('14')
  await expect(page.getByTestId('mail-outbox-path')).toHaveText('/var/lib/borgdesk-test/outbox.mbox')

  await page.getByTestId('mail-test-send').click()
  const result = page.getByTestId('mail-test-result')
  await expect(result).toHaveAttribute('data-ok', 'true')
  await expect(result).toContainText('queued to ops@example.lan; delivered')
  await expect(page.getByTestId('mail-sent')).toHaveText('15')

  await page.evaluate(() => {
    window.__fleet.mail.testError = 'send test e-mail: smtp mail.example.lan:587: 535 5.7.8 Authentication credentials invalid'
  })
  await page.getByTestId('mail-test-send').click()
  await expect(result).toHaveAttribute('data-ok', 'false')
  await expect(result).toContainText('535 5.7.8 Authentication credentials invalid')
  await expect(page.getByTestId('mail-pending')).toHaveText('1')
  await expect(page.getByTestId('mail-last-error')).toContainText('535 5.7.8')
  expect(await calls(page, 'SendTestEmail')).toHaveLength(2)
})

test('alert rules are comma lists per channel, in a fixed order', async ({ page }) => {
  await open(page)
  await expect(page.getByTestId('alert-email-run_failed')).toBeChecked()
  await expect(page.getByTestId('alert-email-cert_expiring')).not.toBeChecked()
  await expect(page.getByTestId('alert-desktop-flx_inbox')).toBeChecked()
  await expect(page.getByTestId('alert-webhook-run_failed')).not.toBeChecked()

  await page.getByTestId('alert-email-cert_expiring').check()
  await page.getByTestId('alert-email-rpo_missed').uncheck()
  await page.getByTestId('alert-webhook-drill_failed').check()
  await page.getByTestId('alert-webhook-run_failed').check()
  await expect(page.getByTestId('alert-webhook-run_failed')).toBeChecked()

  expect(await setCalls(page)).toEqual([
    ['notify.email.events', 'run_failed,rpo_missed,agent_offline,cert_expiring'],
    ['notify.email.events', 'run_failed,agent_offline,cert_expiring'],
    ['notify.webhook.events', 'drill_failed'],
    ['notify.webhook.events', 'run_failed,drill_failed'],
  ])
  // Keyboard: a rule is a checkbox the space bar toggles.
  await page.getByTestId('alert-desktop-flx_inbox').focus()
  await page.keyboard.press('Space')
  await expect(page.getByTestId('alert-desktop-flx_inbox')).not.toBeChecked()
  expect((await setCalls(page)).at(-1)).toEqual(['notify.desktop.events', 'run_failed,rpo_missed,agent_offline,cert_expiring,drill_failed'])
})

test('quiet hours, offline threshold, webhook, RPO targets and close to tray', async ({ page }) => {
  await open(page)
  await expect(page.getByTestId('quiet-on')).toBeChecked()
  await expect(page.getByTestId('quiet-from')).toHaveValue('22:00')
  await page.getByTestId('quiet-from').fill('23:30')
  await page.getByTestId('quiet-from').press('Tab')
  await page.getByTestId('quiet-on').uncheck()
  await expect(page.getByTestId('quiet-from')).toBeDisabled()

  await page.getByTestId('offline-after').fill('soon')
  await page.getByTestId('offline-after').press('Enter')
  await expect(page.getByTestId('offline-after-error')).toContainText('a duration such as 30m or 26h')
  await page.getByTestId('webhook-url').fill('https://chat.example.org/hooks/abc')
  await page.getByTestId('webhook-url').press('Enter')

  await expect(page.getByTestId('rpo-default')).toHaveValue('26h')
  await expect(page.getByTestId('rpo-server-db1')).toHaveValue('12h')
  await page.getByTestId('rpo-add-name').fill('web1')
  await page.getByTestId('rpo-add-value').fill('8h')
  await page.getByTestId('rpo-add-submit').click()
  await expect(page.getByTestId('rpo-server-web1')).toHaveValue('8h')
  await expect(page.getByTestId('rpo-add-name')).toHaveValue('')

  await expect(page.getByTestId('close-to-tray')).toBeChecked()
  await page.getByTestId('close-to-tray').uncheck()

  expect(await setCalls(page)).toEqual([
    ['notify.quiet_hours', '23:30-07:00'],
    ['notify.quiet_hours', ''],
    ['notify.offline_after', 'soon'],
    ['notify.webhook.url', 'https://chat.example.org/hooks/abc'],
    ['rpo.web1', '8h'],
    ['ui.close_to_tray', 'false'],
  ])
})

test('the settings page is in German, with no English left in the new sections', async ({ page }) => {
  await open(page, { ...OPERATOR_FLEET, settings: { ...OPERATOR_FLEET.settings, 'ui.locale': 'de' } })
  await expect(page.getByTestId('settings-alerts')).toContainText('Ein Backup ist fehlgeschlagen')
  await expect(page.getByTestId('mail-test-send')).toHaveText(/Test-E-Mail senden/)
  for (const id of ['settings-email', 'settings-alerts', 'settings-rpo', 'settings-behaviour']) {
    const text = await page.getByTestId(id).innerText()
    expect(text, id).not.toMatch(/\b(Send|Recipients|Password|Quiet hours|failed|Default target|Close to the tray)\b/)
  }
})
