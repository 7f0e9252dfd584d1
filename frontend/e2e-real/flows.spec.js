// The main flows through the real frontend against the real Go backend and
// real agents (see app/uiflows_test.go): what the double cannot prove.
import { execFileSync, spawn } from 'node:child_process'
import { copyFileSync, existsSync, mkdirSync, readFileSync, readdirSync, renameSync, statSync, writeFileSync } from 'node:fs'
import { basename, join } from 'node:path'
import { expect, test } from '@playwright/test'

const AGENT = process.env.AGENT_BIN
const WORK = process.env.WORK_DIR
// What the job backs up; the restore is compared with it on disk.
const SRC = join(WORK, 'srv')
const CONF = 'workers = 4\n'
const agents = []
// Each step builds on the one before: after a failure the rest say skipped.
test.describe.configure({ mode: 'serial' })
test.afterAll(() => agents.forEach((a) => a.kill('SIGTERM')))

const ready = (page) => page.waitForFunction(() => window.__bridgeOpen)
const row = (page, path) => page.locator(`[data-testid="browse-row"][data-path="${path}"]`)

test('enroll a server through the Add server dialog, with a real agent', async ({ page }) => {
  await page.goto('/#/servers')
  await ready(page)
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
  mkdirSync(join(SRC, 'etc'), { recursive: true })
  writeFileSync(join(SRC, 'etc', 'app.conf'), CONF)
  await page.goto('/#/jobs')
  await ready(page)
  await page.getByTestId('new-job').click()
  await page.getByTestId('job-server').selectOption({ label: 'web1' })
  await page.getByTestId('job-name').fill('site')
  await page.getByTestId('job-paths').fill(SRC)
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

test('the Events page asks Go for the job’s history, searched, and exports it', async ({ page }) => {
  await page.goto('/#/events')
  await ready(page)
  await expect(page.getByTestId('events-row').first()).toBeVisible()
  await page.getByTestId('events-job').selectOption({ label: 'web1/site' })
  const texts = page.getByTestId('events-row').getByTestId('events-row-text')
  await expect(texts.filter({ hasText: 'Backup site of web1 succeeded' })).toHaveCount(1)
  await expect(page.getByTestId('events-row').getByTestId('events-row-server').first()).toHaveText('web1')
  await page.getByTestId('events-search').fill('queued')
  await page.getByTestId('events-search').press('Enter')
  await expect(page.getByTestId('events-row')).toHaveCount(1)
  await expect(page.getByTestId('events-row')).toHaveAttribute('data-kind', 'run:progress')
  await page.getByTestId('events-severity').selectOption({ label: 'Errors only' })
  await expect(page.getByTestId('events-none-match')).toBeVisible()
  // The bridge has no save dialog: Go says so in a sentence.
  await page.getByTestId('events-export-csv').click()
  await expect(page.getByTestId('error-alert')).toContainText('exports need the desktop window')

  // Copy diagnostics: the report Go writes, on the clipboard.
  await page.context().grantPermissions(['clipboard-read', 'clipboard-write'])
  await page.goto('/#/settings')
  await page.getByTestId('diagnostics-copy').click()
  await expect(page.getByTestId('diagnostics-copied')).toBeVisible()
  const report = await page.evaluate(() => navigator.clipboard.readText())
  expect(report).toContain('Borgdesk diagnostics')
  expect(report).toMatch(/borgdesk\s+v1\.0\.0/)
  expect(report).toMatch(/\n {2}borg +1\.\d/)
})

test('the archive is indexed, browsed, and a file restored into a new folder', async ({ page }) => {
  await page.goto('/#/archives')
  await ready(page)
  const archive = page.getByTestId('archive-row')
  await expect(archive).toHaveCount(1)
  await expect(archive.getByTestId('archive-job')).toHaveText('site')
  // Go indexes the catalog after the run has finished and announces it:
  // the column turns without a reload, whichever came first.
  await expect(archive.getByTestId('archive-indexed')).toHaveText('Indexed')
  await archive.getByTestId('archive-open').click()
  await expect(page.getByTestId('page-archive-browser')).toBeVisible()

  // Borg keeps absolute paths without their leading slash; each folder is
  // listed from the catalog when it is opened.
  const dirs = [...SRC.slice(1).split('/'), 'etc']
  for (let i = 1; i <= dirs.length; i++) await row(page, dirs.slice(0, i).join('/')).getByTestId('browse-toggle').click()
  const file = `${SRC.slice(1)}/etc/app.conf`
  await row(page, file).getByTestId('browse-name').click()
  await expect(page.getByTestId('entry-details').getByTestId('details-name')).toHaveText('app.conf')
  await expect(page.getByTestId('entry-details').getByTestId('preview-text')).toHaveText(CONF.trim())

  await row(page, file).getByTestId('browse-check').check()
  await expect(page.getByTestId('browse-selected-count')).toHaveText('1 selected')
  await page.getByTestId('restore-button').click()
  const dialog = page.getByTestId('restore-dialog')
  await expect(dialog.getByTestId('restore-path')).toHaveText([`/${file}`])
  await expect(dialog.getByTestId('restore-target').locator('option:checked')).toHaveText('web1 (where it was backed up)')
  const dest = join(WORK, 'restored')
  await dialog.getByTestId('restore-dest-folder').click()
  await dialog.getByTestId('restore-folder').fill(dest)
  await dialog.getByTestId('restore-next').click()
  // Go's plan says where the file lands and how much it is.
  await expect(dialog.getByTestId('summary-final')).toHaveText(`${dest}/${file}`)
  await expect(dialog.getByTestId('summary-size')).toHaveText(`${CONF.length} bytes in 1 file`)
  await dialog.getByTestId('restore-start').click()
  const result = dialog.getByTestId('restore-result')
  await expect(result).toHaveAttribute('data-status', 'succeeded')
  await expect(result.getByTestId('restore-done')).toHaveText(`Restore finished. The files were written under ${dest}.`)

  // The agent wrote it there, with the content the job backed up.
  expect(readFileSync(join(dest, file), 'utf8')).toBe(readFileSync(join(SRC, 'etc', 'app.conf'), 'utf8'))
})

test('a .flx snapshot put in the inbox is opened and restored under a target root', async ({ page }) => {
  // A real snapshot, made by the agent's flx tools; the secret is redacted.
  const pbx = join(WORK, 'pbx')
  const ext = 'exten => 100,1,Answer()\n'
  mkdirSync(join(pbx, 'etc', 'pbx'), { recursive: true })
  writeFileSync(join(pbx, 'etc', 'pbx', 'ext.conf'), ext)
  writeFileSync(join(pbx, 'etc', 'pbx', 'pbx.conf'), 'context=default\npassword=planted-in-test\n')
  const made = execFileSync(AGENT, ['flx', 'create', '--root', pbx, '-o', join(WORK, 'flx-out'), '--prefix', 'pbx', 'etc'], { stdio: ['ignore', 'pipe', 'ignore'] })
  const snapshot = made.toString().trim().split('\n').at(-1)
  const name = basename(snapshot)

  await page.goto('/#/restore')
  await ready(page)
  // Into the folder the page names (the coordinator watches it), whole at
  // once: written under a hidden name, then renamed, as a file manager moves.
  const inbox = (await page.getByTestId('flx-inbox-path').textContent()).trim()
  copyFileSync(snapshot, join(inbox, `.${name}.part`))
  renameSync(join(inbox, `.${name}.part`), join(inbox, name))
  const toast = page.getByTestId('flx-inbox-toast')
  await expect(toast).toContainText(`${name} arrived in the inbox`)
  await toast.getByTestId('flx-inbox-open').click()

  const view = page.getByTestId('flx-restore-view')
  await expect(view.getByTestId('flx-name')).toHaveText(name)
  await expect(view.getByTestId('flx-verified')).toHaveText('Every hash matches')
  await expect(view.getByTestId('flx-file-count')).toHaveText('2')
  await expect(view.getByTestId('flx-redaction-row')).toContainText('etc/pbx/pbx.conf')
  await page.getByTestId('flx-server').selectOption({ label: 'web1' })
  const root = join(WORK, 'pbx-restored')
  await page.getByTestId('flx-root').fill(root)
  await page.getByTestId('flx-restore').click()
  const dialog = page.getByTestId('flx-restore-dialog')
  await expect(dialog.getByTestId('flx-confirm-root')).toHaveText(`Files are written under ${root} on web1.`)
  await dialog.getByTestId('confirm-button').click()

  const result = page.getByTestId('flx-result')
  await expect(result).toHaveAttribute('data-status', 'succeeded')
  await expect(result.getByTestId('flx-restored')).toHaveText('The snapshot is restored on web1.')
  const rollback = (await result.getByTestId('flx-rollback-path').textContent()).trim()
  expect(rollback.startsWith(`${root}/`)).toBe(true)
  expect(existsSync(rollback)).toBe(true)

  // On disk under the root: the file as it was, the secret as a placeholder.
  expect(readFileSync(join(root, 'etc', 'pbx', 'ext.conf'), 'utf8')).toBe(ext)
  expect(readFileSync(join(root, 'etc', 'pbx', 'pbx.conf'), 'utf8')).toBe('context=default\npassword=REDACTED\n')
})

// What borg itself lists in web1's repository on the coordinator (read
// without its lock, with a borg base dir of the test's own).
// borg is looked for on PATH as Go's exec.LookPath does, skipping entries
// that cannot be read (node's spawn stops at the first such entry).
const BORG =
  (process.env.PATH ?? '')
    .split(':')
    .map((dir) => join(dir || '.', 'borg'))
    .find((p) => {
      try {
        return statSync(p).isFile()
      } catch {
        return false
      }
    }) ?? 'borg'

function borgList() {
  const data = join(WORK, 'data')
  const [uuid] = readdirSync(join(data, 'repos')).filter((n) => !n.startsWith('.'))
  const env = { ...process.env, BORG_PASSPHRASE: readFileSync(join(data, 'keys', `${uuid}.passphrase`), 'utf8'), BORG_BASE_DIR: join(WORK, 'borg-list') }
  return execFileSync(BORG, ['--bypass-lock', 'list', '--short', join(data, 'repos', uuid)], { env }).toString().trim().split('\n').filter(Boolean)
}

test('the archive is kept forever, renamed with a comment, then deleted, and borg list agrees', async ({ page }) => {
  await page.goto('/#/archives')
  await ready(page)
  await page.getByTestId('archive-row').getByTestId('archive-open').click()
  await expect(page.getByTestId('page-archive-browser')).toBeVisible()

  await page.getByTestId('archive-keep-toggle').click()
  await expect(page.getByTestId('browse-kept')).toHaveText('Kept forever')

  await page.getByTestId('archive-rename-button').click()
  const rename = page.getByTestId('archive-rename-dialog')
  await rename.getByTestId('archive-new-name').fill('site@golden')
  await rename.getByTestId('archive-comment-input').fill('before the upgrade')
  await rename.getByTestId('archive-rename-save').click()
  await expect(page.getByTestId('page-title')).toHaveText('site@golden')
  await expect(page.getByTestId('browse-comment')).toHaveText('before the upgrade')
  expect(borgList()).toEqual(['site@golden'])

  // Kept forever: Go refuses the delete until the mark is off.
  await page.getByTestId('archive-delete-button').click()
  const del = page.getByTestId('archive-delete-dialog')
  await del.getByTestId('confirm-input').fill('site@golden')
  await del.getByTestId('confirm-button').click()
  await expect(del).toContainText('archive site@golden is kept forever; take that off first')
  await del.getByTestId('confirm-cancel').click()
  await page.getByTestId('archive-keep-toggle').click()
  await expect(page.getByTestId('browse-kept')).toHaveCount(0)

  await page.getByTestId('archive-delete-button').click()
  await del.getByTestId('confirm-input').fill('site@golden')
  await del.getByTestId('confirm-button').click()
  await expect(page.getByTestId('archive-deleted')).toContainText('Archive site@golden of web1 deleted; the compact freed')
  await expect(page.getByTestId('empty-archives')).toBeVisible()
  expect(borgList()).toEqual([])
})

test('the job is edited with Go’s preview of the change, then paused: the dashboard says paused', async ({ page }) => {
  await page.goto('/#/jobs')
  await ready(page)
  await page.getByTestId('job-link').filter({ hasText: 'site' }).click()
  await page.getByTestId('job-edit').click()

  // The form starts from what Go stored (GetJobInput).
  await expect(page.getByTestId('job-paths')).toHaveValue(SRC)
  await expect(page.getByTestId('job-name')).toBeDisabled()
  await page.getByTestId('wizard-next').click()
  await page.getByTestId('schedule-time').fill('04:15')
  await page.getByTestId('edit-review').click()

  // Go's own diff: the schedule, and nothing else.
  const change = page.getByTestId('edit-change')
  await expect(change).toHaveCount(1)
  await expect(change).toHaveAttribute('data-field', 'schedule')
  await expect(change.getByTestId('edit-change-from')).toHaveText('0 3 * * *')
  await expect(change.getByTestId('edit-change-to')).toHaveText('15 4 * * *')
  await page.getByTestId('edit-save').click()
  await expect(page.getByTestId('job-edited')).toContainText('Saved: 1 change.')
  await expect(page.getByTestId('job-schedule-text')).toHaveText('daily at 04:15')
  await expect(page.getByTestId('job-next-run')).not.toHaveText('None: paused')

  await page.getByTestId('job-toggle').click()
  await expect(page.getByTestId('job-state')).toHaveText('Paused')
  await expect(page.getByTestId('job-next-run')).toHaveText('None: paused')

  // Everywhere jobs are listed: the dashboard's next runs and the health
  // (amber "every job is paused", never red).
  await page.goto('/#/')
  await ready(page)
  await expect(page.getByTestId('next-runs-paused')).toHaveText('Paused: web1/site.')
  await expect(page.getByTestId('next-run')).toHaveCount(0)
  await page.locator('[data-testid="health-tile"][data-name="web1"]').click()
  await expect(page.getByTestId('health-detail').getByTestId('health-reason')).toContainText(['Every job is paused'])
})
