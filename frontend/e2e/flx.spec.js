import { expect, test } from '@playwright/test'
import {
  FLX,
  FLX_DAMAGED,
  FLX_INBOX,
  FLX_INBOX_FILE,
  FLX_PBX,
  POPULATED_FLEET,
  calls,
  dropFlx,
  flxTasks,
  inboxArrival,
  installDesk,
  releaseFlxTasks,
} from './desk-double.js'

const [WEB1, DB1] = POPULATED_FLEET.servers

// Holds restore and create tasks at running until releaseFlxTasks.
const HELD = { ...POPULATED_FLEET, flx: { ...FLX, holdAt: 'running' } }

async function openPbx(page, fleet = POPULATED_FLEET) {
  await installDesk(page, fleet)
  await page.goto('/')
  await expect(page.getByTestId('page-dashboard')).toBeVisible()
  await dropFlx(page, FLX_PBX.source)
  await expect(page.getByTestId('flx-restore-view')).toBeVisible()
}

test('a snapshot Go opened (flx:opened) shows in its restore view: name, verified, report and tree', async ({ page }) => {
  await openPbx(page)

  await expect(page).toHaveURL(new RegExp(`#/restore/flx/${FLX_PBX.id}$`))
  await expect(page.getByTestId('nav-restore')).toHaveAttribute('data-active', 'true')
  const view = page.getByTestId('flx-restore-view')
  await expect(view.getByTestId('flx-name')).toHaveText(FLX_PBX.name)
  await expect(view.getByTestId('flx-verified')).toHaveText('Every hash matches')
  await expect(view.getByTestId('flx-damaged')).toHaveCount(0)
  await expect(view.getByTestId('flx-type')).toHaveText('.flx — configuration')
  await expect(view.getByTestId('flx-created')).toContainText('2026')
  await expect(view.getByTestId('flx-producer')).toHaveText('borgdesk-agent 0.3.1')
  await expect(view.getByTestId('flx-flexpbx-version')).toHaveText('1.2.0')
  await expect(view.getByTestId('flx-file-count')).toHaveText('10')
  await expect(view.getByTestId('flx-size')).toHaveText('134.7 KiB')
  await expect(view.getByTestId('flx-sanitized')).toBeVisible()

  const rows = view.getByTestId('flx-redaction-row')
  await expect(rows).toHaveCount(4)
  await expect(rows.first()).toContainText('etc/asterisk/pjsip.conf')
  await expect(rows.first()).toContainText('secret setting')
  await expect(rows.first()).toContainText('14')

  // Ten files: the tree starts open; etc/ and var/lib/flexpbx/ are its roots.
  const tree = view.getByTestId('flx-tree')
  await expect(tree.getByTestId('flx-tree-file')).toHaveCount(10)
  await expect(tree.getByTestId('flx-tree-dir').first()).toContainText('etc/')
  await expect(tree.locator('[data-testid="flx-tree-dir"]', { hasText: 'var/lib/flexpbx/' })).toBeVisible()
  const pjsip = tree.locator('[data-testid="flx-tree-file"][data-path="etc/asterisk/pjsip.conf"]')
  await expect(pjsip).toContainText('9.1 KiB')
  await expect(pjsip).toContainText('0640')
  await expect(pjsip).toContainText('asterisk')
  const asterisk = tree.locator('[data-testid="flx-tree-dir"][data-path="etc/asterisk/"]')
  await asterisk.getByTestId('flx-tree-toggle').click()
  await expect(asterisk.getByTestId('flx-tree-toggle')).toHaveAttribute('aria-expanded', 'false')
  await expect(tree.getByTestId('flx-tree-file')).toHaveCount(5)
  await tree.getByTestId('flx-tree-collapse-all').click()
  await expect(tree.getByTestId('flx-tree-file')).toHaveCount(0)
  await tree.getByTestId('flx-tree-expand-all').click()
  await expect(tree.getByTestId('flx-tree-file')).toHaveCount(10)

  // Go had opened it already: the window asked once for the inspection, and
  // the flx:opened that answer caused did not lead to another.
  await page.waitForTimeout(100)
  expect((await calls(page, 'OpenFlx')).map((c) => c.args)).toEqual([[FLX_PBX.source]])
})

test('compare, dry run, then restore on a server shows the plan, then the rollback point', async ({ page }) => {
  await openPbx(page, HELD)

  const server = page.getByTestId('flx-server')
  await expect(page.getByTestId('flx-restore')).toBeDisabled()
  await expect(server.locator('option', { hasText: 'db1 (offline)' })).toBeDisabled()
  await server.selectOption({ label: 'web1' })
  await expect(page.getByTestId('flx-mode-merge')).toHaveAttribute('data-checked', 'true')

  await page.getByTestId('flx-compare').click()
  const diff = page.getByTestId('flx-diff')
  await expect(diff).toContainText('Compared with web1')
  await expect(diff.getByTestId('flx-diff-changed').getByTestId('flx-diff-path')).toHaveText(['etc/asterisk/extensions.conf', 'etc/asterisk/pjsip.conf'])
  await expect(diff.getByTestId('flx-diff-snapshot').getByTestId('flx-diff-path')).toHaveCount(2)
  await expect(diff.getByTestId('flx-diff-target').getByTestId('flx-diff-path')).toHaveText(['etc/asterisk/old-trunk.conf'])
  expect((await calls(page, 'DiffFlx')).map((c) => c.args)).toEqual([[FLX_PBX.id, WEB1.uuid, '']])

  // A dry run is a task too; this one is held while it runs.
  await page.getByTestId('flx-dry-run').click()
  const plan = page.getByTestId('flx-plan')
  await expect(plan).toHaveAttribute('data-status', 'running')
  await expect(plan.getByTestId('flx-task-progress')).toContainText('The agent of web1 is working')
  await expect(page.getByTestId('flx-restore')).toBeDisabled()
  await releaseFlxTasks(page)
  await expect(plan).toHaveAttribute('data-status', 'succeeded')
  await expect(plan.getByTestId('flx-count-create').getByTestId('flx-count-value')).toHaveText('2')
  await expect(plan.getByTestId('flx-count-overwrite').getByTestId('flx-count-value')).toHaveText('2')
  await expect(plan.getByTestId('flx-count-keep').getByTestId('flx-count-value')).toHaveText('1')
  await expect(plan.getByTestId('flx-count-unchanged').getByTestId('flx-count-value')).toHaveText('5')
  await expect(plan.getByTestId('flx-change-row')).toHaveCount(5)
  await expect(plan.getByTestId('flx-unchanged-note')).toHaveText('5 unchanged files are not listed.')
  await expect(plan.getByTestId('flx-rollback')).toHaveCount(0)

  await page.evaluate(() => (window.__fleet.flx.holdAt = 'running'))
  await page.getByTestId('flx-restore').click()
  const dialog = page.getByTestId('flx-restore-dialog')
  await expect(dialog).toContainText(`Restore ${FLX_PBX.name} on web1?`)
  await expect(dialog.getByTestId('confirm-input')).toHaveCount(0)
  await dialog.getByTestId('confirm-button').click()
  await expect(dialog).toHaveCount(0)

  const result = page.getByTestId('flx-result')
  await expect(result).toHaveAttribute('data-status', 'running')
  await releaseFlxTasks(page)
  await expect(result).toHaveAttribute('data-status', 'succeeded')
  await expect(result.getByTestId('flx-rollback-path')).toHaveText(FLX.rollback)
  await expect(result.getByTestId('flx-undo-command')).toHaveText(`borgdesk-agent flx restore --rollback ${FLX.rollback}`)
  await expect(result.getByTestId('flx-restored')).toHaveText('The snapshot is restored on web1.')

  expect((await calls(page, 'RestoreFlx')).map((c) => c.args[0])).toEqual([
    { id: FLX_PBX.id, server: WEB1.uuid, mode: 'merge', user: '', dry_run: true, root: '' },
    { id: FLX_PBX.id, server: WEB1.uuid, mode: 'merge', user: '', dry_run: false, root: '' },
  ])
  // Each finished task was read once through ListTasks of that server.
  const tasks = await flxTasks(page)
  const listed = await calls(page, 'ListTasks')
  // (Calls with no server are the fleet-wide task lists: history, recent restores.)
  expect(listed.map((c) => c.args[0]).filter(Boolean)).toEqual([WEB1.uuid, WEB1.uuid])
  expect(tasks.map((t) => t.status)).toEqual(['succeeded', 'succeeded'])
})

test('fresh needs the server name typed, migrate a target user', async ({ page }) => {
  await openPbx(page)
  await page.getByTestId('flx-server').selectOption({ label: 'web1' })

  await page.getByTestId('flx-mode-migrate').click()
  await page.getByTestId('flx-restore').click()
  await expect(page.getByTestId('error-flx-user')).toHaveText('Migrate needs the user to install into.')
  await expect(page.getByTestId('flx-restore-dialog')).toHaveCount(0)
  await page.getByTestId('flx-user').fill('pbx2')
  await expect(page.getByTestId('error-flx-user')).toHaveCount(0)
  await page.getByTestId('flx-dry-run').click()
  await expect(page.getByTestId('flx-plan')).toHaveAttribute('data-status', 'succeeded')
  await expect(page.getByTestId('flx-plan')).toContainText('Migrate, into pbx2')

  await page.getByTestId('flx-mode-fresh').click()
  await page.getByTestId('flx-restore').click()
  const dialog = page.getByTestId('flx-restore-dialog')
  await expect(dialog).toContainText('are deleted')
  await expect(dialog.getByTestId('flx-confirm-user')).toHaveText('Files are installed into the account of pbx2.')
  await expect(dialog.getByTestId('confirm-button')).toBeDisabled()
  await dialog.getByTestId('confirm-input').fill('web')
  await expect(dialog.getByTestId('confirm-button')).toBeDisabled()
  await dialog.getByTestId('confirm-input').fill('web1')
  await dialog.getByTestId('confirm-button').click()
  const result = page.getByTestId('flx-result')
  await expect(result).toHaveAttribute('data-status', 'succeeded')
  await expect(result.getByTestId('flx-count-remove').getByTestId('flx-count-value')).toHaveText('1')
  await expect(result.getByTestId('flx-rollback-path')).toHaveText(FLX.rollback)

  expect((await calls(page, 'RestoreFlx')).map((c) => c.args[0])).toEqual([
    { id: FLX_PBX.id, server: WEB1.uuid, mode: 'migrate', user: 'pbx2', dry_run: true, root: '' },
    // The account typed stays for fresh: the home its FlexPBX files go to.
    { id: FLX_PBX.id, server: WEB1.uuid, mode: 'fresh', user: 'pbx2', dry_run: false, root: '' },
  ])
})

test('a damaged snapshot shows its error and cannot be restored', async ({ page }) => {
  await installDesk(page, POPULATED_FLEET)
  await page.goto('/#/restore')
  await dropFlx(page, FLX_DAMAGED.source)

  const view = page.getByTestId('flx-restore-view')
  await expect(view.getByTestId('flx-name')).toHaveText(FLX_DAMAGED.name)
  await expect(view.getByTestId('flx-damaged')).toContainText('This snapshot is damaged')
  await expect(view.getByTestId('flx-damaged-error')).toHaveText(FLX_DAMAGED.inspection.error)
  await expect(view.getByTestId('flx-verified')).toHaveCount(0)
  await expect(view.getByTestId('flx-type')).toHaveText('.flxx — extended')
  await expect(view.getByTestId('flx-redaction-none')).toBeVisible()
  for (const id of ['flx-restore', 'flx-dry-run', 'flx-compare', 'flx-server']) await expect(view.getByTestId(id)).toBeDisabled()
  expect(await calls(page, 'RestoreFlx')).toEqual([])
})

test('a snapshot arriving in the inbox offers to open it', async ({ page }) => {
  await installDesk(page, POPULATED_FLEET)
  await page.goto('/#/restore')
  await expect(page.getByTestId('flx-inbox-path')).toHaveText(FLX_INBOX)
  await expect(page.getByTestId('flx-inbox-hint')).toContainText('Drop a snapshot on this window, or put it in this folder')

  await inboxArrival(page, FLX_INBOX_FILE.source)
  const toast = page.getByTestId('flx-inbox-toast')
  await expect(toast).toContainText(`${FLX_INBOX_FILE.name} arrived in the inbox`)
  await expect(page.getByTestId('flx-arrival')).toHaveCount(1)
  expect(await calls(page, 'OpenFlx')).toEqual([])

  await toast.getByTestId('flx-inbox-open').click()
  const view = page.getByTestId('flx-restore-view')
  await expect(view.getByTestId('flx-name')).toHaveText(FLX_INBOX_FILE.name)
  await expect(view.getByTestId('flx-verified')).toBeVisible()
  await expect(view.getByTestId('flx-sensitive')).toBeVisible()
  await expect(view.getByTestId('flx-not-sanitized')).toContainText('Not sanitized: this snapshot contains secrets')
  await expect(page.getByTestId('flx-inbox-toast')).toHaveCount(0)
  expect((await calls(page, 'OpenFlx')).map((c) => c.args)).toEqual([[FLX_INBOX_FILE.source]])

  // Back on the Restore page, it is listed among the snapshots opened.
  await page.getByTestId('flx-back').click()
  await expect(page.getByTestId('flx-opened-link')).toHaveText([FLX_INBOX_FILE.name])
})

test('the server page makes a snapshot, then saves it to Downloads', async ({ page }) => {
  await installDesk(page, HELD)
  await page.goto(`/#/servers/${WEB1.uuid}`)

  const card = page.getByTestId('flx-card')
  await expect(card.getByTestId('flx-snapshot-row')).toHaveCount(1)
  await card.getByTestId('flx-profile-flexpbx').click()
  await card.getByTestId('flx-type-flxx').click()
  await card.getByTestId('flx-create').click()
  await expect(card.getByTestId('flx-create-progress')).toBeVisible()
  await expect(card.getByTestId('flx-create-task')).toHaveAttribute('data-status', 'running')
  await expect(card.getByTestId('flx-create')).toBeDisabled()
  await releaseFlxTasks(page)

  await expect(card.getByTestId('flx-create-done')).toContainText('(212 files)')
  const rows = card.getByTestId('flx-snapshot-row')
  await expect(rows).toHaveCount(2)
  const name = (await rows.first().getByTestId('flx-snapshot-name').textContent()).trim()
  expect(name).toMatch(/^flexpbx-2026-11-22_08-00-\d\d\.flxx$/)
  expect((await calls(page, 'CreateFlx')).map((c) => c.args)).toEqual([[WEB1.uuid, 'flexpbx', 'flxx']])

  await rows.first().getByTestId('flx-export').click()
  await expect(rows.first().getByTestId('flx-exported-path')).toHaveText(`/home/ops/Downloads/${name}`)
  expect((await calls(page, 'ExportFlx')).map((c) => c.args[0])).toEqual([(await rows.first().getAttribute('data-path'))])

  // An offline server cannot make one.
  await page.goto('/#/servers/db1')
  await expect(page.getByTestId('page-title')).toHaveText('db1')
  await expect(page.getByTestId('flx-create')).toBeDisabled()
  await expect(page.getByTestId('flx-create-offline')).toBeVisible()
  await expect(page.getByTestId('flx-snapshots-empty')).toBeVisible()
  expect(DB1.online).toBe(false)
})

test('files dragged over the window show the drop hint, and a drop does not navigate away', async ({ page }) => {
  await installDesk(page, POPULATED_FLEET)
  await page.goto('/#/jobs')
  await expect(page.getByTestId('page-jobs')).toBeVisible()

  await page.evaluate(() => {
    const dt = new DataTransfer()
    dt.items.add(new File(['{}'], 'pbx1.flx', { type: 'application/json' }))
    window.__dt = dt
    document.querySelector('main').dispatchEvent(new DragEvent('dragenter', { dataTransfer: dt, bubbles: true, cancelable: true }))
    document.querySelector('main').dispatchEvent(new DragEvent('dragover', { dataTransfer: dt, bubbles: true, cancelable: true }))
  })
  await expect(page.getByTestId('flx-drop-overlay')).toContainText('Drop a .flx or .flxx file to restore it')

  const prevented = await page.evaluate(() => {
    const drop = new DragEvent('drop', { dataTransfer: window.__dt, bubbles: true, cancelable: true })
    document.querySelector('main').dispatchEvent(drop)
    return drop.defaultPrevented
  })
  expect(prevented).toBe(true)
  await expect(page.getByTestId('flx-drop-overlay')).toHaveCount(0)
  await page.waitForTimeout(200)
  await expect(page).toHaveURL(/#\/jobs$/)
  await expect(page.getByTestId('page-jobs')).toBeVisible()
})

test('Open .flx file… picks a snapshot; compare and restore work under a target root; a dry run says so, in the events too', async ({ page }) => {
  const fleet = { ...POPULATED_FLEET, flx: { ...FLX, chosen: FLX_PBX.source } }
  await installDesk(page, fleet)
  await page.goto('/#/restore')
  await page.getByTestId('flx-open-file').click()
  await expect(page.getByTestId('flx-restore-view')).toBeVisible()
  expect((await calls(page, 'ChooseFlxFile')).map((c) => c.args)).toEqual([['Open a configuration snapshot']])
  expect((await calls(page, 'OpenFlx')).map((c) => c.args[0])).toContain(FLX_PBX.source)

  await page.getByTestId('flx-server').selectOption({ label: 'web1' })
  await page.getByTestId('flx-root').fill('srv/pbx-test')
  await page.getByTestId('flx-compare').click()
  await expect(page.getByText('Give an absolute folder, starting with /.')).toBeVisible()
  expect(await calls(page, 'DiffFlx')).toEqual([])

  await page.getByTestId('flx-root').fill('/srv/pbx-test')
  await page.getByTestId('flx-compare').click()
  await expect(page.getByTestId('flx-diff')).toContainText('Compared with web1')
  expect((await calls(page, 'DiffFlx')).map((c) => c.args)).toEqual([[FLX_PBX.id, WEB1.uuid, '/srv/pbx-test']])

  // What Go announces about the task, as the event log records it.
  await page.evaluate(() => {
    window.__taskMessages = []
    window.runtime.EventsOnMultiple('task:changed', (e) => window.__taskMessages.push(e.message), -1)
  })
  await page.getByTestId('flx-dry-run').click()
  const plan = page.getByTestId('flx-plan')
  await expect(plan).toHaveAttribute('data-status', 'succeeded')
  await expect(plan).toContainText('Dry run on web1')
  await expect(plan).toContainText('Nothing was written')
  expect((await calls(page, 'RestoreFlx')).at(-1).args[0]).toEqual({ id: FLX_PBX.id, server: WEB1.uuid, mode: 'merge', user: '', dry_run: true, root: '/srv/pbx-test' })
  const task = (await flxTasks(page)).at(0)
  expect(task.payload.root).toBe('/srv/pbx-test')

  await page.getByTestId('flx-restore').click()
  await expect(page.getByTestId('flx-confirm-root')).toHaveText('Files are written under /srv/pbx-test on web1.')
  await page.keyboard.press('Escape')

  // The event log names the dry run as one.
  const messages = await page.evaluate(() => window.__taskMessages)
  expect(messages.at(-1)).toMatch(/^flx-restore \(dry run\) task \d+ succeeded on web1$/)
})
