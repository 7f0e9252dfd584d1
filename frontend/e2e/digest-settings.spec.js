import { expect, test } from '@playwright/test'
import { OPERATOR_FLEET, calls, installDesk } from './desk-double.js'

async function open(page, fleet = OPERATOR_FLEET) {
  await installDesk(page, fleet)
  await page.goto('/#/settings')
  await expect(page.getByTestId('digest')).toBeVisible()
}

test('the digest is off by default; daily at a time is saved, previewed and sent through the outbox', async ({ page }) => {
  await open(page)
  await expect(page.getByTestId('digest-every')).toHaveValue('off')
  await expect(page.getByTestId('digest-at')).toBeDisabled()
  await page.getByTestId('digest-every').selectOption('daily')
  await expect(page.getByTestId('digest-at')).toBeEnabled()
  await page.getByTestId('digest-at').fill('07:30')
  await expect.poll(async () => (await calls(page, 'SetSetting')).map((c) => c.args)).toEqual([
    ['notify.digest', 'daily'],
    ['notify.digest_at', '07:30'],
  ])

  await page.getByTestId('digest-preview').click()
  await expect(page.getByTestId('digest-text')).toContainText('Daily digest: all is well')
  await expect(page.getByTestId('digest-queued')).toHaveCount(0)
  await page.getByTestId('digest-send').click()
  await expect(page.getByTestId('digest-queued')).toContainText('ops@example.lan')
  expect((await calls(page, 'DigestNow')).map((c) => c.args)).toEqual([
    [false, false],
    [false, true],
  ])
})

test('a digest with no recipients says what to set', async ({ page }) => {
  await installDesk(page, { ...OPERATOR_FLEET, settings: { ...OPERATOR_FLEET.settings, 'notify.email.to': '' } })
  await page.goto('/#/settings')
  await page.getByTestId('digest-send').click()
  await expect(page.getByTestId('digest-failed')).toContainText('set notify.email.to first')
})

test('a successful run of a job that asks for it is an alert kind per channel', async ({ page }) => {
  await open(page)
  await page.getByTestId('alert-webhook-run_succeeded').check()
  await expect.poll(async () => (await calls(page, 'SetSetting')).map((c) => c.args).at(-1)).toEqual(['notify.webhook.events', expect.stringContaining('run_succeeded')])
})
