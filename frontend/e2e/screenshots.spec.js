import { expect, test } from '@playwright/test'
import {
  EMPTY_FLEET,
  FLX_DAMAGED,
  FLX_INBOX_FILE,
  FLX_PBX,
  POPULATED_FLEET,
  ROLLOUT,
  ROLLOUT_FLEET,
  ROLLOUT_PASSWORD,
  dropFlx,
  fire,
  inboxArrival,
  installDesk,
  progress,
  DB_ARCHIVE,
  RESTORE,
  RESTORE_FLEET,
  OPERATOR_FLEET,
  FLEET_500,
  RECOVERY_NEVER,
  RECOVERY_OUTDATED,
} from './desk-double.js'

// Pictures for a person to look at; test-results/ is not tracked.
// Each picture stands alone: spread them over both workers (this file alone
// took seven minutes on one).
test.describe.configure({ mode: 'parallel' })

async function addServer(page) {
  await page.getByTestId('add-server').click()
  await page.getByTestId('add-server-method-command').click()
  await page.getByTestId('add-server-name').fill('web2')
  await page.getByTestId('add-server-submit').click()
  await expect(page.getByTestId('install-command')).toBeVisible()
}

async function addServerForm(page) {
  await page.getByTestId('add-server').click()
  await page.getByTestId('add-server-method-command').click()
  await page.getByTestId('add-server-name').fill('web 2')
  await page.getByTestId('add-server-submit').click()
  await expect(page.getByTestId('add-server-name')).toHaveAttribute('aria-invalid', 'true')
}

// The Add server wizard's SSH methods.
const HELD_FLEET = { ...ROLLOUT_FLEET, rollout: { ...ROLLOUT, pauseAt: 'uploading the agent' } }

async function sshForm(page) {
  await page.getByTestId('add-server').click()
  await page.getByTestId('add-server-host').fill('web2.example.lan')
  await page.getByTestId('add-server-host-name').fill('web2')
  await page.getByTestId('ssh-password').fill(ROLLOUT_PASSWORD)
}

async function sshKeyForm(page) {
  await page.getByTestId('add-server').click()
  await page.getByTestId('add-server-method-key').click()
  await page.getByTestId('hosts-mode-many').click()
  await page.getByTestId('add-server-hosts').fill('app1.example.lan\ndeploy@app2.example.lan:2222\napp3.example.lan,22,root,app3')
  await page.getByTestId('add-server-user').fill('deploy')
  await page.getByTestId('ssh-key').fill('-----BEGIN OPENSSH PRIVATE KEY-----\nb3BlbnNzaC1rZXktdjEAAAAA\n-----END OPENSSH PRIVATE KEY-----')
}

async function sshHostKeys(page) {
  await page.getByTestId('add-server').click()
  await page.getByTestId('hosts-mode-many').click()
  await page.getByTestId('add-server-hosts').fill('app1.example.lan\napp2.example.lan\ndb2.example.lan\ngone.example.lan')
  await page.getByTestId('ssh-password').fill(ROLLOUT_PASSWORD)
  await page.getByTestId('add-server-submit').click()
  await page.locator('[data-testid="hostkey-row"][data-state="new"]').first().getByTestId('hostkey-confirm').check()
}

async function sshRollout(page) {
  await page.getByTestId('add-server').click()
  await page.getByTestId('hosts-mode-many').click()
  await page.getByTestId('add-server-hosts').fill('app1.example.lan\napp2.example.lan\napp3.example.lan\ndb2.example.lan')
  await page.getByTestId('ssh-password').fill(ROLLOUT_PASSWORD)
  await page.getByTestId('add-server-submit').click()
  await page.getByTestId('hostkeys-accept-all').click()
  await page.getByTestId('rollout-start').click()
  await expect(page.locator('[data-testid="rollout-host"][data-step="uploading the agent"]')).toHaveCount(2)
  await expect(page.locator('[data-testid="rollout-host"][data-status="failed"]')).toHaveCount(2)
}

async function sshSummary(page) {
  await sshRollout(page)
  await page.evaluate(() => window.__resumeRollout())
  await expect(page.getByTestId('rollout-summary')).toBeVisible()
}

async function uninstallDialog(page) {
  await page.getByTestId('uninstall-button').click()
  await page.getByTestId('ssh-password').fill(ROLLOUT_PASSWORD)
  await page.getByTestId('uninstall-probe').click()
  await expect(page.getByTestId('hostkey-row')).toBeVisible()
}

async function revokeDialog(page) {
  await page.getByTestId('revoke-button').click()
  await page.getByTestId('confirm-input').fill('web')
}

const DETAIL = `/#/servers/${POPULATED_FLEET.servers[0].uuid}`

// Two live records a second apart, so the panel has a speed to show.
async function liveProgress(page) {
  await fire(page, 'run:progress', progress(9, '2026-11-22T08:00:00Z', { files: 31877, bytes: 1.02e9, path: '/var/www/shop/media/catalog/product/cache/1/small_image/9df78eab33525d08d6e5fb8d27136e95/t/e/tee-blue.jpg' }))
  await fire(page, 'run:progress', progress(9, '2026-11-22T08:00:01Z', { files: 31904, bytes: 1.0585e9, path: '/var/www/shop/media/catalog/product/cache/1/small_image/9df78eab33525d08d6e5fb8d27136e95/t/e/tee-red.jpg' }))
  await expect(page.getByTestId('run-progress').getByTestId('progress-speed')).not.toHaveText('—')
}

async function wizardWhat(page) {
  await page.getByTestId('job-server').selectOption({ label: 'web1' })
  await page.getByTestId('job-name').fill('home-dirs')
  await page.getByTestId('job-paths').fill('/home\n/root\n/srv/shared')
  await page.getByTestId('job-excludes').fill('*.cache\n/home/*/Downloads')
  await page.getByTestId('job-compression').selectOption('zstd,3')
  await page.getByTestId('job-pre').fill('/usr/bin/systemctl stop syncthing')
  await page.getByTestId('job-post').fill('/usr/bin/systemctl start syncthing')
}

async function wizardWhatErrors(page) {
  await page.getByTestId('job-name').fill('home dirs')
  await page.getByTestId('job-paths').fill('/home\nroot')
  await page.getByTestId('wizard-next').click()
  await expect(page.getByTestId('error-paths')).toBeVisible()
}

async function wizardWhen(page) {
  await wizardWhat(page)
  await page.getByTestId('wizard-next').click()
  await page.getByTestId('schedule-mode-weekly').click()
  await page.getByTestId('schedule-time').fill('02:30')
  await page.getByTestId('schedule-zone-on').check()
  await page.getByTestId('schedule-zone').fill('Europe/Berlin')
  await page.getByTestId('schedule-zone').blur()
}

async function wizardCron(page) {
  await wizardWhat(page)
  await page.getByTestId('wizard-next').click()
  await page.getByTestId('schedule-mode-custom').click()
  await page.getByTestId('schedule-cron').fill('0 3 * * 8')
}

async function wizardKeep(page) {
  await wizardWhen(page)
  await page.getByTestId('wizard-next').click()
  await page.getByTestId('keep-within-count').fill('2')
  await page.getByTestId('keep-yearly').fill('1')
}

async function wizardReview(page) {
  await wizardKeep(page)
  await page.getByTestId('wizard-next').click()
  await expect(page.getByTestId('review')).toBeVisible()
}

async function runLog(page) {
  await page.getByTestId('run-row').first().click()
  await expect(page.getByTestId('run-log')).toBeVisible()
}

async function pruneHeld(page) {
  await page.evaluate(() => {
    window.__fleet.failures = {
      PruneJob:
        'prune held: prune of web1/etc-and-www held: 1 archive(s) Borgdesk made are gone from the repository (etc-and-www@2026-11-20T03.05.00Z), deleted by a client through append-only mode; nothing is lost yet — roll the repository back to the last good transaction before any prune makes it permanent',
    }
  })
  await page.getByTestId('prune-button').click()
  await page.getByTestId('confirm-button').click()
  await expect(page.getByTestId('prune-held')).toBeVisible()
}

// .flx snapshots: the restore view after a drop, with a plan and a result.
async function flxView(page, file = FLX_PBX) {
  await dropFlx(page, file.source)
  await expect(page.getByTestId('flx-tree')).toBeVisible()
}

async function flxDamaged(page) {
  await flxView(page, FLX_DAMAGED)
}

async function flxRestored(page) {
  await flxView(page)
  await page.getByTestId('flx-server').selectOption({ label: 'web1' })
  await page.getByTestId('flx-compare').click()
  await expect(page.getByTestId('flx-diff-changed')).toBeVisible()
  await page.getByTestId('flx-dry-run').click()
  await expect(page.getByTestId('flx-plan')).toHaveAttribute('data-status', 'succeeded')
  await page.getByTestId('flx-restore').click()
  await page.getByTestId('confirm-button').click()
  await expect(page.getByTestId('flx-rollback')).toBeVisible()
}

async function flxFreshConfirm(page) {
  await flxView(page)
  await page.getByTestId('flx-server').selectOption({ label: 'web1' })
  await page.getByTestId('flx-mode-fresh').click()
  await page.getByTestId('flx-restore').click()
  await page.getByTestId('confirm-input').fill('web')
}

async function flxDragging(page) {
  await page.evaluate(() => {
    const dt = new DataTransfer()
    dt.items.add(new File(['{}'], 'pbx1.flx'))
    window.dispatchEvent(new DragEvent('dragenter', { dataTransfer: dt, cancelable: true }))
    // Keep the hint up while the picture is taken.
    window.__dragging = setInterval(() => window.dispatchEvent(new DragEvent('dragover', { dataTransfer: dt, cancelable: true })), 100)
  })
  await expect(page.getByTestId('flx-drop-overlay')).toBeVisible()
}

async function flxInbox(page) {
  await inboxArrival(page, FLX_INBOX_FILE.source)
  await expect(page.getByTestId('flx-inbox-toast')).toBeVisible()
}

async function serverFlx(page) {
  await page.getByTestId('flx-create').click()
  await expect(page.getByTestId('flx-create-done')).toBeVisible()
  await page.getByTestId('flx-export').first().click()
  await expect(page.getByTestId('flx-exported')).toBeVisible()
  await page.getByTestId('flx-card').scrollIntoViewIfNeeded()
}

// Issue 7: an archive browsed, a restore under way, a search, a database restore.
const BROWSE = `/#/archives/${RESTORE_FLEET.servers[0].uuid}/${encodeURIComponent('etc-and-www@2026-11-21T08.12.00Z')}`
const RESTORE_HELD = { ...RESTORE_FLEET, restore: { ...RESTORE, holdAt: 'running' } }

async function browseNginx(page) {
  const row = (path) => page.locator(`[data-testid="browse-row"][data-path="${path}"]`)
  await row('etc').getByTestId('browse-toggle').click()
  await row('etc/nginx').getByTestId('browse-toggle').click()
  await row('etc/nginx/sites-enabled').getByTestId('browse-check').check()
  await row('etc/nginx/nginx.conf').getByTestId('browse-name').click()
  await expect(page.getByTestId('preview-text')).toBeVisible()
}

async function restoreOptions(page) {
  await browseNginx(page)
  await page.getByTestId('restore-button').click()
  await page.getByTestId('restore-dest-folder').click()
  await page.getByTestId('restore-folder').fill('/srv/restore')
}

async function restoreRunning(page) {
  await restoreOptions(page)
  await page.getByTestId('restore-next').click()
  await page.getByTestId('restore-start').click()
  await expect(page.getByTestId('progress-files')).toBeVisible()
}

async function findNginx(page) {
  await page.getByTestId('find-pattern').fill('*.conf')
  await page.getByTestId('find-submit').click()
  await expect(page.getByTestId('find-hit').first()).toBeVisible()
}

async function dbReplace(page) {
  await page.getByTestId('db-restore-button').click()
  await page.getByTestId('db-mode-replace').click()
}

// Issue 8: the operator's dashboard, its settings and a server's load.
async function healthDetail(page) {
  await page.getByTestId('attention-row').first().click()
  await expect(page.getByTestId('health-detail')).toBeVisible()
  await expect(page.getByTestId('storage-chart').locator('canvas')).toBeVisible()
}

async function chartsDrawn(page) {
  await expect(page.getByTestId('metrics-net').locator('canvas')).toBeVisible()
}

async function mailFailed(page) {
  await page.evaluate(() => {
    window.__fleet.mail.testError = 'send test e-mail: smtp mail.example.lan:587: 535 5.7.8 Authentication credentials invalid'
  })
  await page.getByTestId('mail-test-send').click()
  await expect(page.getByTestId('mail-test-result')).toBeVisible()
}

// The recovery kit: the dialog filled in, and its result.
async function kitDialog(page) {
  await page.getByTestId('kit-reminder-export').click()
  await page.getByTestId('kit-passphrase').fill('orange tractor seven')
  await page.getByTestId('kit-confirm').fill('orange tractor seven')
}

async function kitSaved(page) {
  await kitDialog(page)
  await page.getByTestId('kit-export').click()
  await expect(page.getByTestId('kit-result')).toBeVisible()
}
// The network and data folder sections, with a port changed since the
// start and another data folder chosen for the next one.
async function networkAndData(page, section = 'settings-ports') {
  await page.getByTestId('port-gateway').fill('127.0.0.1:9443')
  await page.getByTestId('port-gateway').press('Enter')
  await expect(page.getByTestId('port-gateway-restart')).toBeVisible()
  await page.getByTestId('datadir-input').fill('/srv/borgdesk')
  await page.getByTestId('datadir-save').click()
  await expect(page.getByTestId('datadir-next')).toBeVisible()
  await page.getByTestId(section).scrollIntoViewIfNeeded()
  await page.locator('main').evaluate((main) => main.scrollBy(0, -24))
}
const dataFolder = (page) => networkAndData(page, 'settings-data')

const SHOTS = [
  { name: 'settings-network-data-light', fleet: OPERATOR_FLEET, path: '/#/settings', ready: 'settings-ports', act: networkAndData, tall: 1300 },
  { name: 'settings-network-data-fr-dark', fleet: OPERATOR_FLEET, path: '/#/settings', ready: 'settings-ports', act: dataFolder, tall: 1300, dark: true, locale: 'fr' },
  { name: 'dashboard-guide-light', fleet: { ...POPULATED_FLEET, settings: {} }, path: '/', ready: 'getting-started', tall: 1100, top: true },
  { name: 'dashboard-health-light', fleet: OPERATOR_FLEET, path: '/', ready: 'fleet-health', act: healthDetail, tall: 1700, top: true },
  { name: 'dashboard-health-dark', fleet: OPERATOR_FLEET, path: '/', ready: 'fleet-health', act: healthDetail, tall: 1700, top: true, dark: true },
  { name: 'dashboard-health-fr-light', fleet: OPERATOR_FLEET, path: '/', ready: 'fleet-health', act: healthDetail, tall: 1700, top: true, locale: 'fr' },
  { name: 'dashboard-500-light', fleet: FLEET_500, path: '/', ready: 'fleet-health', tall: 1200, top: true },
  { name: 'dashboard-500-dark', fleet: FLEET_500, path: '/', ready: 'fleet-health', tall: 1200, top: true, dark: true },
  { name: 'server-metrics-light', fleet: OPERATOR_FLEET, path: DETAIL, ready: 'metrics-card', act: chartsDrawn, tall: 1700, top: true },
  { name: 'server-metrics-dark', fleet: OPERATOR_FLEET, path: DETAIL, ready: 'metrics-card', act: chartsDrawn, tall: 1700, top: true, dark: true },
  { name: 'settings-operator-light', fleet: OPERATOR_FLEET, path: '/#/settings', ready: 'settings-email', act: mailFailed, tall: 2600, top: true },
  { name: 'settings-operator-dark', fleet: OPERATOR_FLEET, path: '/#/settings', ready: 'settings-email', tall: 2600, top: true, dark: true },
  { name: 'settings-operator-de-light', fleet: OPERATOR_FLEET, path: '/#/settings', ready: 'settings-email', tall: 2600, top: true, locale: 'de' },
  { name: 'archive-browser-light', fleet: RESTORE_FLEET, path: BROWSE, ready: 'browse-tree', act: browseNginx, tall: 1000 },
  { name: 'archive-browser-dark', fleet: RESTORE_FLEET, path: BROWSE, ready: 'browse-tree', act: browseNginx, tall: 1000, dark: true },
  { name: 'restore-options-light', fleet: RESTORE_FLEET, path: BROWSE, ready: 'browse-tree', act: restoreOptions, tall: 1200 },
  { name: 'restore-progress-dark', fleet: RESTORE_HELD, path: BROWSE, ready: 'browse-tree', act: restoreRunning, dark: true },
  { name: 'restore-progress-fr-light', fleet: RESTORE_HELD, path: BROWSE, ready: 'browse-tree', act: restoreRunning, locale: 'fr' },
  { name: 'find-light', fleet: RESTORE_FLEET, path: '/#/find', ready: 'find-form', act: findNginx, tall: true },
  { name: 'find-dark', fleet: RESTORE_FLEET, path: '/#/find', ready: 'find-form', act: findNginx, tall: true, dark: true },
  { name: 'db-restore-replace-light', fleet: RESTORE_FLEET, path: `/#/archives/${RESTORE_FLEET.servers[1].uuid}/${encodeURIComponent(DB_ARCHIVE)}`, ready: 'db-restore-button', act: dbReplace, tall: 1100 },
  { name: 'job-drills-dark', fleet: RESTORE_FLEET, path: '/#/jobs/1', ready: 'job-drills', tall: 1300, dark: true },
  { name: 'servers-verified-light', fleet: RESTORE_FLEET, path: '/#/servers', ready: 'servers-table' },

  { name: 'dashboard-welcome-light', fleet: EMPTY_FLEET, path: '/', ready: 'empty-dashboard' },
  { name: 'dashboard-light', fleet: POPULATED_FLEET, path: '/', ready: 'runs-table' },
  { name: 'servers-light', fleet: POPULATED_FLEET, path: '/#/servers', ready: 'servers-table' },
  { name: 'servers-empty-light', fleet: EMPTY_FLEET, path: '/#/servers', ready: 'empty-servers' },
  { name: 'add-server-form-light', fleet: POPULATED_FLEET, path: '/#/servers', ready: 'servers-table', act: addServerForm },
  { name: 'add-server-light', fleet: POPULATED_FLEET, path: '/#/servers', ready: 'servers-table', act: addServer },
  { name: 'add-server-ssh-light', fleet: POPULATED_FLEET, path: '/#/servers', ready: 'servers-table', act: sshForm, tall: true },
  { name: 'add-server-ssh-dark', fleet: POPULATED_FLEET, path: '/#/servers', ready: 'servers-table', act: sshForm, tall: true, dark: true },
  { name: 'add-server-key-light', fleet: POPULATED_FLEET, path: '/#/servers', ready: 'servers-table', act: sshKeyForm, tall: 1100 },
  { name: 'add-server-hostkeys-light', fleet: ROLLOUT_FLEET, path: '/#/servers', ready: 'servers-table', act: sshHostKeys, tall: 1200 },
  { name: 'add-server-hostkeys-dark', fleet: ROLLOUT_FLEET, path: '/#/servers', ready: 'servers-table', act: sshHostKeys, tall: 1200, dark: true },
  { name: 'add-server-rollout-light', fleet: HELD_FLEET, path: '/#/servers', ready: 'servers-table', act: sshRollout, tall: true },
  { name: 'add-server-rollout-dark', fleet: HELD_FLEET, path: '/#/servers', ready: 'servers-table', act: sshRollout, tall: true, dark: true },
  { name: 'add-server-summary-light', fleet: HELD_FLEET, path: '/#/servers', ready: 'servers-table', act: sshSummary, tall: true },
  { name: 'add-server-rollout-de-light', fleet: HELD_FLEET, path: '/#/servers', ready: 'servers-table', act: sshRollout, tall: true, locale: 'de' },
  { name: 'server-uninstall-light', fleet: ROLLOUT_FLEET, path: DETAIL, ready: 'resources-card', act: uninstallDialog, tall: true },
  { name: 'server-detail-light', fleet: POPULATED_FLEET, path: DETAIL, ready: 'resources-card', tall: true },
  { name: 'server-detail-offline-light', fleet: POPULATED_FLEET, path: '/#/servers/db1', ready: 'resources-card', tall: true },
  { name: 'server-revoke-light', fleet: POPULATED_FLEET, path: DETAIL, ready: 'resources-card', act: revokeDialog },
  { name: 'dashboard-dark', fleet: POPULATED_FLEET, path: '/', ready: 'runs-table', dark: true },
  { name: 'servers-dark', fleet: POPULATED_FLEET, path: '/#/servers', ready: 'servers-table', dark: true },
  { name: 'servers-empty-dark', fleet: EMPTY_FLEET, path: '/#/servers', ready: 'empty-servers', dark: true },
  { name: 'add-server-dark', fleet: POPULATED_FLEET, path: '/#/servers', ready: 'servers-table', act: addServer, dark: true },
  { name: 'server-detail-dark', fleet: POPULATED_FLEET, path: DETAIL, ready: 'resources-card', dark: true, tall: true },
  { name: 'server-detail-revoked-dark', fleet: POPULATED_FLEET, path: '/#/servers/mail-old', ready: 'resources-card', dark: true, tall: true },
  { name: 'settings-dark', fleet: EMPTY_FLEET, path: '/#/settings', ready: 'settings-datadir', dark: true },
  { name: 'archives-dark', fleet: POPULATED_FLEET, path: '/#/archives', ready: 'archives-table', dark: true },
  { name: 'archives-light', fleet: POPULATED_FLEET, path: '/#/archives', ready: 'archives-table' },
  { name: 'dashboard-progress-light', fleet: POPULATED_FLEET, path: '/', ready: 'runs-table', act: liveProgress, tall: true },
  { name: 'dashboard-progress-dark', fleet: POPULATED_FLEET, path: '/', ready: 'runs-table', act: liveProgress, tall: true, dark: true },
  { name: 'jobs-light', fleet: POPULATED_FLEET, path: '/#/jobs', ready: 'jobs-table' },
  { name: 'jobs-dark', fleet: POPULATED_FLEET, path: '/#/jobs', ready: 'jobs-table', dark: true },
  { name: 'jobs-empty-light', fleet: EMPTY_FLEET, path: '/#/jobs', ready: 'empty-jobs' },
  { name: 'wizard-what-light', fleet: POPULATED_FLEET, path: '/#/jobs/new', ready: 'job-server', act: wizardWhat, tall: 1480, top: true },
  { name: 'wizard-what-dark', fleet: POPULATED_FLEET, path: '/#/jobs/new', ready: 'job-server', act: wizardWhat, tall: 1480, top: true, dark: true },
  { name: 'wizard-what-errors-light', fleet: POPULATED_FLEET, path: '/#/jobs/new', ready: 'job-server', act: wizardWhatErrors, tall: true, top: true },
  { name: 'wizard-when-light', fleet: POPULATED_FLEET, path: '/#/jobs/new', ready: 'job-server', act: wizardWhen },
  { name: 'wizard-when-dark', fleet: POPULATED_FLEET, path: '/#/jobs/new', ready: 'job-server', act: wizardWhen, dark: true },
  { name: 'wizard-cron-error-light', fleet: POPULATED_FLEET, path: '/#/jobs/new', ready: 'job-server', act: wizardCron },
  { name: 'wizard-keep-light', fleet: POPULATED_FLEET, path: '/#/jobs/new', ready: 'job-server', act: wizardKeep },
  { name: 'wizard-keep-dark', fleet: POPULATED_FLEET, path: '/#/jobs/new', ready: 'job-server', act: wizardKeep, dark: true },
  { name: 'wizard-review-light', fleet: POPULATED_FLEET, path: '/#/jobs/new', ready: 'job-server', act: wizardReview },
  { name: 'wizard-review-dark', fleet: POPULATED_FLEET, path: '/#/jobs/new', ready: 'job-server', act: wizardReview, dark: true },
  { name: 'job-detail-running-light', fleet: POPULATED_FLEET, path: '/#/jobs/1', ready: 'run-history', act: liveProgress, tall: true },
  { name: 'job-detail-running-dark', fleet: POPULATED_FLEET, path: '/#/jobs/1', ready: 'run-history', act: liveProgress, tall: true, dark: true },
  { name: 'job-detail-db-light', fleet: POPULATED_FLEET, path: '/#/jobs/2', ready: 'run-history', tall: true },
  { name: 'job-prune-held-light', fleet: POPULATED_FLEET, path: '/#/jobs/1', ready: 'run-history', act: pruneHeld },
  { name: 'run-log-light', fleet: POPULATED_FLEET, path: '/#/jobs/3', ready: 'run-history', act: runLog },
  { name: 'jobs-de-light', fleet: POPULATED_FLEET, path: '/#/jobs', ready: 'jobs-table', locale: 'de' },
  { name: 'job-detail-running-fr-dark', fleet: POPULATED_FLEET, path: '/#/jobs/1', ready: 'run-history', act: liveProgress, tall: true, dark: true, locale: 'fr' },
  { name: 'run-log-dark', fleet: POPULATED_FLEET, path: '/#/jobs/3', ready: 'run-history', act: runLog, dark: true },
  { name: 'flx-restore-light', fleet: POPULATED_FLEET, path: '/', ready: 'runs-table', act: flxView, tall: 1400, top: true },
  { name: 'flx-restore-dark', fleet: POPULATED_FLEET, path: '/', ready: 'runs-table', act: flxView, tall: 1400, top: true, dark: true },
  { name: 'flx-restore-result-light', fleet: POPULATED_FLEET, path: '/', ready: 'runs-table', act: flxRestored, tall: 1500, top: true },
  { name: 'flx-restore-result-dark', fleet: POPULATED_FLEET, path: '/', ready: 'runs-table', act: flxRestored, tall: 1500, top: true, dark: true },
  { name: 'flx-restore-fresh-confirm-light', fleet: POPULATED_FLEET, path: '/', ready: 'runs-table', act: flxFreshConfirm },
  { name: 'flx-damaged-light', fleet: POPULATED_FLEET, path: '/', ready: 'runs-table', act: flxDamaged, tall: true, top: true },
  { name: 'flx-damaged-dark', fleet: POPULATED_FLEET, path: '/', ready: 'runs-table', act: flxDamaged, tall: true, top: true, dark: true },
  { name: 'flx-restore-fr-light', fleet: POPULATED_FLEET, path: '/', ready: 'runs-table', act: flxView, tall: 1400, top: true, locale: 'fr' },
  { name: 'flx-drop-light', fleet: POPULATED_FLEET, path: '/#/restore', ready: 'flx-section', act: flxDragging },
  { name: 'flx-drop-dark', fleet: POPULATED_FLEET, path: '/#/restore', ready: 'flx-section', act: flxDragging, dark: true },
  { name: 'restore-inbox-light', fleet: POPULATED_FLEET, path: '/#/restore', ready: 'flx-section', act: flxInbox },
  { name: 'restore-inbox-dark', fleet: POPULATED_FLEET, path: '/#/restore', ready: 'flx-section', act: flxInbox, dark: true },
  { name: 'server-flx-light', fleet: POPULATED_FLEET, path: DETAIL, ready: 'flx-card', act: serverFlx, tall: 1300 },
  { name: 'server-flx-dark', fleet: POPULATED_FLEET, path: DETAIL, ready: 'flx-card', act: serverFlx, tall: 1300, dark: true },
  { name: 'recovery-reminder-light', fleet: { ...EMPTY_FLEET, recovery: RECOVERY_NEVER }, path: '/', ready: 'kit-reminder' },
  { name: 'recovery-outdated-dark', fleet: { ...OPERATOR_FLEET, recovery: RECOVERY_OUTDATED }, path: '/', ready: 'kit-reminder', tall: 1000, dark: true },
  { name: 'recovery-dialog-light', fleet: { ...EMPTY_FLEET, recovery: RECOVERY_NEVER }, path: '/', ready: 'kit-reminder', act: kitDialog, tall: 960 },
  { name: 'recovery-dialog-dark', fleet: { ...EMPTY_FLEET, recovery: RECOVERY_NEVER }, path: '/', ready: 'kit-reminder', act: kitDialog, tall: 960, dark: true },
  { name: 'recovery-saved-de-light', fleet: { ...OPERATOR_FLEET, recovery: RECOVERY_OUTDATED }, path: '/', ready: 'kit-reminder', act: kitSaved, locale: 'de' },
  { name: 'recovery-settings-light', fleet: { ...OPERATOR_FLEET, recovery: RECOVERY_OUTDATED }, path: '/#/settings', ready: 'settings-recovery', act: async (page) => page.getByTestId('settings-recovery').scrollIntoViewIfNeeded() },
]

for (const shot of SHOTS) {
  test(`screenshot ${shot.name}`, async ({ page }) => {
    const settings = { ...(shot.fleet.settings ?? {}), ...(shot.dark ? { 'ui.theme': 'dark' } : {}), ...(shot.locale ? { 'ui.locale': shot.locale } : {}) }
    // The page scrolls inside <main>, so a tall page needs a tall window.
    if (shot.tall) await page.setViewportSize({ width: 1280, height: shot.tall === true ? 960 : shot.tall })
    await installDesk(page, { ...shot.fleet, settings })
    await page.goto(shot.path)
    await expect(page.getByTestId(shot.ready)).toBeVisible()
    if (shot.dark) await expect(page.locator('html')).toHaveClass(/\bdark\b/)
    if (shot.act) await shot.act(page)
    if (shot.top) await page.locator('main').evaluate((main) => main.scrollTo(0, 0))
    // Let colour transitions (a card just chosen, a row left) finish.
    await page.waitForTimeout(250)
    await page.screenshot({ path: `test-results/screenshots/${shot.name}.png` })
  })
}
