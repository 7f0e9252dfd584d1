// The main flows through the real frontend against the real Go backend and
// real agents (see app/uiflows_test.go): what the double cannot prove.
import { execFileSync, spawn } from 'node:child_process'
import { mkdirSync, writeFileSync } from 'node:fs'
import { join } from 'node:path'
import { expect, test } from '@playwright/test'

const AGENT = process.env.AGENT_BIN
const WORK = process.env.WORK_DIR
const agents = []
test.afterAll(() => agents.forEach((a) => a.kill('SIGTERM')))

test('enroll a server through the Add server dialog, with a real agent', async ({ page }) => {
  await page.goto('/#/servers')
  await page.waitForFunction(() => window.__bridgeOpen)
  await page.getByTestId('empty-servers-add').click()
  await page.getByTestId('add-server-method-command').click()
  await page.getByTestId('add-server-name').fill('web1')
  await page.getByTestId('add-server-submit').click()

  const command = await page.getByTestId('install-command').textContent()
  const [, url, token] = /(https:\/\/[^/\s]+)\/api\/install\/(\S+)/.exec(command)
  const ca = (await page.getByTestId('add-server-ca').textContent()).trim()
  await page.keyboard.press('Escape')

  const cfg = join(WORK, 'web1', 'config.yaml')
  execFileSync(AGENT, ['enroll', '--config', cfg, '--server', url, '--name', 'web1', '--token', token, '--ca-fingerprint', ca])
  agents.push(spawn(AGENT, ['run', '--config', cfg], { stdio: 'ignore' }))

  // The server appears in the list without a reload: Go's events reach the page.
  await expect(page.getByTestId('server-row').getByTestId('server-link')).toHaveText('web1')
})

test('a files job through the wizard, then Run now backs it up', async ({ page }) => {
  const src = join(WORK, 'srv')
  mkdirSync(join(src, 'etc'), { recursive: true })
  writeFileSync(join(src, 'etc', 'app.conf'), 'workers = 4\n')
  await page.goto('/#/jobs')
  await page.waitForFunction(() => window.__bridgeOpen)
  await page.getByTestId('new-job').click()
  await page.getByTestId('job-server').selectOption({ label: 'web1' })
  await page.getByTestId('job-name').fill('site')
  await page.getByTestId('job-paths').fill(src)
  await page.getByTestId('wizard-next').click()
  await expect(page.getByTestId('wizard-heading')).toHaveText('When to run')
  await page.getByTestId('wizard-next').click()
  await page.getByTestId('wizard-next').click()
  await expect(page.getByTestId('review-server')).toHaveText('web1')
  await page.getByTestId('wizard-create').click()
  await expect(page.getByTestId('page-title')).toHaveText('site')

  await page.getByTestId('run-now').click()
  await expect(page.getByTestId('run-row').first().locator('[data-status]')).toHaveText('Succeeded', { timeout: 90_000 })
})
