import { expect, test } from '@playwright/test'
import { NAS1, OFFLINE_FLEET, STORAGEBOX, STORAGE_FLEET, WEB1, WEB3, calls, installDesk } from './desk-double.js'

const card = (page, name) => page.locator(`[data-testid="target-card"][data-target="${name}"]`)

// A fleet whose storage node nas1 is already ready.
const WITH_NODE = {
  ...STORAGE_FLEET,
  storageTargets: {
    ...STORAGE_FLEET.storageTargets,
    list: [
      {
        id: 1,
        name: 'nas1',
        kind: 'node',
        server_id: NAS1.id,
        server_name: NAS1.name,
        server_uuid: NAS1.uuid,
        host: NAS1.host,
        port: 2222,
        user: '',
        path: '/var/lib/borgdesk-storage',
        listen: ':2222',
        host_key: 'ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAInas1',
        host_key_fingerprint: 'SHA256:bmFzMW5hczFuYXMxbmFzMW5hczFuYXMxbmFzMW5hczE',
        status: 'ready',
        last_error: '',
        free_bytes: 3.6e12,
        created_at: '2026-11-22T07:00:00Z',
      },
    ],
  },
}

test('the sidebar leads to Storage, where the coordinator’s data dir is always listed', async ({ page }) => {
  await installDesk(page, STORAGE_FLEET)
  await page.goto('/')
  await page.getByTestId('nav-storage').click()
  await expect(page).toHaveURL(/#\/storage$/)
  await expect(page.getByTestId('nav-storage')).toHaveAttribute('data-active', 'true')
  await expect(page.getByTestId('page-title')).toHaveText('Storage')
  const local = page.getByTestId('target-card').first()
  await expect(local.getByTestId('target-name')).toHaveText('This coordinator')
  await expect(local.getByTestId('local-path')).toHaveText('/var/lib/borgdesk-test/repos')
  await expect(local.getByTestId('target-repo')).toHaveText(['build3', 'db1', 'mail-old', 'nas1', 'web1', 'web3'])
  await expect(page.getByTestId('targets-empty')).toContainText('If its disk fails')
})

test('add a storage node from the keyboard: its agent starts the Borg SSH server and the node is ready', async ({ page }) => {
  await installDesk(page, STORAGE_FLEET)
  await page.goto('/#/storage')
  await page.getByTestId('add-node').focus()
  await page.keyboard.press('Enter')

  const dialog = page.getByRole('dialog', { name: 'Add a storage node' })
  await expect(dialog).toContainText('only enrolled agents’ keys, each confined append-only to its own repository')
  await expect(page.getByTestId('add-node-server')).toBeFocused()
  // Online servers only: db1 is offline, build3 pending, mail-old revoked.
  await expect(page.getByTestId('add-node-server').locator('option:not([disabled])')).toHaveText(['web1', 'nas1', 'web3'])
  await page.getByTestId('add-node-server').selectOption(NAS1.uuid)
  await expect(page.getByTestId('add-node-listen')).toHaveValue(':2222')
  await expect(page.getByTestId('add-node-dir')).toHaveValue('/var/lib/borgdesk-storage')
  await expect(page.getByTestId('add-node-address')).toHaveAttribute('placeholder', 'nas1.example.lan')

  await page.getByTestId('add-node-listen').fill('2222')
  await page.getByTestId('add-node-listen').press('Enter')
  await expect(page.getByTestId('error-listen')).toContainText(':port or host:port')
  await expect(page.getByTestId('add-node-listen')).toBeFocused()
  await page.getByTestId('add-node-listen').fill(':2222')
  await page.getByTestId('add-node-address').fill('10.0.0.9')
  await page.evaluate(() => (window.__storage().holdNode = true))
  await page.getByTestId('add-node-address').press('Enter')

  // Go answers once the agent reported its host key; the dialog waits.
  await expect(page.getByTestId('add-node-waiting')).toContainText('Waiting for the agent of nas1')
  await expect(page.getByTestId('add-node-dir')).toBeDisabled()
  await page.keyboard.press('Escape')
  await expect(dialog).toBeVisible()
  await page.evaluate(() => window.__releaseStorage())
  await expect(dialog).toBeHidden()
  expect((await calls(page, 'AddStorageNode')).map((c) => c.args)).toEqual([
    [{ server: NAS1.uuid, name: '', listen: ':2222', address: '10.0.0.9', dir: '/var/lib/borgdesk-storage' }],
  ])
  await expect(page.getByTestId('target-added')).toContainText('nas1 is added')
  const nas = card(page, 'nas1')
  await expect(nas.getByTestId('target-name')).toBeFocused()
  await expect(nas.getByTestId('target-kind')).toHaveText('Storage node')
  await expect(nas.getByTestId('target-status')).toHaveText('Ready')
  await expect(nas.getByTestId('target-address')).toHaveText('10.0.0.9:2222')
  await expect(nas.getByTestId('target-fingerprint')).toHaveText(/^SHA256:/)
  await expect(nas.getByTestId('target-free')).toHaveText('3.3 TiB')
  await expect(page.getByTestId('targets-empty')).toBeHidden()

  // The next one to add is no longer nas1.
  await page.getByTestId('add-node').click()
  await expect(page.getByTestId('add-node-server').locator('option:not([disabled])')).toHaveText(['web1', 'web3'])
  await page.keyboard.press('Escape')
  await expect(page.getByTestId('add-node-dialog')).toBeHidden()
  await expect(page.getByTestId('add-node')).toBeFocused()
})

test('add a hosted Borg service: compare its host key, confirm, install the lines, check the connection', async ({ page }) => {
  await installDesk(page, STORAGE_FLEET)
  await page.goto('/#/storage')
  await page.getByTestId('add-hosted').click()

  const dialog = page.getByTestId('add-hosted-dialog')
  await expect(page.getByTestId('add-hosted-name')).toBeFocused()
  await page.getByTestId('add-hosted-name').fill('storagebox')
  await page.getByTestId('add-hosted-host').fill(STORAGEBOX.host)
  await page.getByTestId('add-hosted-port').fill(String(STORAGEBOX.port))
  await page.getByTestId('add-hosted-user').fill(STORAGEBOX.user)
  await page.getByTestId('add-hosted-path').fill('my repos')
  await page.getByTestId('add-hosted-fetch').click()
  await expect(page.getByTestId('error-path')).toContainText('without quotes, spaces')
  await page.getByTestId('add-hosted-path').fill(STORAGEBOX.path)
  await page.getByTestId('add-hosted-fetch').click()

  // Step 2: nothing is recorded yet; the key is shown to be compared.
  await expect(dialog).toHaveAttribute('data-stage', 'key')
  await expect(page.getByTestId('add-hosted-step')).toHaveText('Step 2 of 3')
  await expect(page.getByTestId('hosted-fingerprint')).toHaveText(STORAGEBOX.fingerprint)
  await expect(page.getByTestId('hosted-key-type')).toHaveText('ssh-ed25519')
  await expect(page.getByTestId('hosted-hostkey')).toBeFocused()
  await expect(dialog).toContainText('Compare it with the fingerprint your provider publishes')
  expect((await calls(page, 'AddHostedTarget')).map((c) => c.args[0].accept_host_key)).toEqual([''])
  expect(await page.evaluate(() => window.__storage().list.length)).toBe(0)

  await page.getByTestId('add-hosted-confirm').click()

  // Step 3: the lines to install, to copy, and the check.
  await expect(dialog).toHaveAttribute('data-stage', 'lines')
  await expect(page.getByRole('dialog', { name: 'Install the keys at storagebox' })).toBeVisible()
  expect((await calls(page, 'AddHostedTarget')).map((c) => c.args[0].accept_host_key)).toEqual(['', STORAGEBOX.fingerprint])
  await expect(page.getByTestId('hosted-key-line')).toHaveCount(1)
  await expect(page.getByTestId('hosted-key-line')).toContainText('command="borg serve --restrict-to-path ./borgdesk",restrict ssh-ed25519')
  await expect(page.getByTestId('hosted-keys-copy')).toBeFocused()

  await page.evaluate(() => (window.__storage().refuse.storagebox = 'Permission denied (publickey)'))
  await page.getByTestId('hosted-check').click()
  await expect(page.getByTestId('hosted-check-error')).toContainText('Permission denied (publickey)')
  await page.evaluate(() => delete window.__storage().refuse.storagebox)
  await page.getByTestId('hosted-check').click()
  await expect(page.getByTestId('hosted-check-ok')).toContainText('Borgdesk logged in to storagebox with its key')

  await page.getByTestId('add-hosted-done').click()
  await expect(dialog).toBeHidden()
  const box = card(page, 'storagebox')
  await expect(box.getByTestId('target-kind')).toHaveText('Hosted Borg service')
  await expect(box.getByTestId('target-status')).toHaveText('Ready')
  await expect(box.getByTestId('target-address')).toHaveText(`u123@${STORAGEBOX.host}:23`)
  await expect(box.getByTestId('target-fingerprint')).toHaveText(STORAGEBOX.fingerprint)

  // Show keys brings the same lines back later.
  await box.getByTestId('target-keys').click()
  await expect(page.getByRole('dialog', { name: 'Keys for storagebox' }).getByTestId('hosted-key-line')).toHaveCount(1)
})

test('move a server’s repository to a storage node; a server with archives is refused, and so is removing a used node', async ({ page }) => {
  await installDesk(page, WITH_NODE)
  await page.goto(`/#/servers/${WEB3.uuid}`)

  const location = page.getByTestId('repo-location')
  await expect(location.getByTestId('repo-location-current')).toHaveText('This coordinator (data dir)')
  await location.getByTestId('repo-location-select').selectOption('nas1')
  expect(await calls(page, 'SetRepoTarget')).toEqual([])
  await location.getByTestId('repo-location-apply').click()
  await expect(location.getByTestId('repo-location-moved')).toHaveText('Backups of web3 now go to Storage node nas1 (nas1.example.lan:2222).')
  await expect(location.getByTestId('repo-location-current')).toHaveText('Storage node nas1 (nas1.example.lan:2222)')
  expect((await calls(page, 'SetRepoTarget')).map((c) => c.args)).toEqual([[WEB3.uuid, 'nas1']])

  // web1 has archives on the coordinator: Go refuses, and says why.
  await page.goto(`/#/servers/${WEB1.uuid}`)
  await page.getByTestId('repo-location-select').selectOption('nas1')
  await page.getByTestId('repo-location-apply').click()
  await expect(page.getByTestId('repo-location-error')).toContainText('web1 already has 4 archive(s) where its repository is now; they would stay behind — move the repository instead')
  await expect(page.getByTestId('repo-location-select')).toHaveValue('local')

  // The new job wizard says where web3's backups will go.
  await page.goto('/#/jobs/new')
  await page.getByTestId('job-server').selectOption(WEB3.uuid)
  await page.getByTestId('job-name').fill('etc')
  await page.getByTestId('job-paths').fill('/etc')
  for (let i = 0; i < 3; i++) await page.getByTestId('wizard-next').click()
  await expect(page.getByTestId('review-storage')).toContainText('Storage node nas1 (nas1.example.lan:2222)')
  await expect(page.getByTestId('review-storage-help')).toContainText('while Borgdesk is closed')

  // nas1 now holds web3's repository: removing it is refused.
  await page.goto('/#/storage')
  const nas = card(page, 'nas1')
  await expect(nas.getByTestId('target-repo')).toHaveText(['web3'])
  await nas.getByTestId('target-remove').click()
  const confirm = page.getByTestId('remove-target-dialog')
  await expect(confirm.getByTestId('remove-target-repos')).toContainText('web3')
  await expect(page.getByTestId('confirm-button')).toBeDisabled()
  await page.getByTestId('confirm-input').fill('nas1')
  await page.getByTestId('confirm-button').click()
  await expect(confirm.getByTestId('error-message')).toHaveText('1 repositories live on this target; move them first: conflict')
  await page.keyboard.press('Escape')
  await expect(card(page, 'nas1')).toBeVisible()
})

test('runs made while Borgdesk was closed are announced on the dashboard and badged in run histories', async ({ page }) => {
  await installDesk(page, OFFLINE_FLEET)
  await page.goto('/')

  const notice = page.getByTestId('offline-notice')
  await expect(notice).toContainText('Backups made while Borgdesk was closed')
  await expect(notice.getByTestId('offline-delivery')).toContainText('web1 delivered 1 run it made on its own.')
  const badge = page.getByTestId('run-offline').first()
  await expect(badge).toContainText('Offline run')
  await expect(badge).toHaveAttribute('title', 'Made by the agent while Borgdesk was closed, and delivered when it came back.')

  await notice.getByTestId('offline-dismiss').focus()
  await page.keyboard.press('Enter')
  await expect(notice).toBeHidden()

  await page.goto('/#/jobs/1')
  await expect(page.getByTestId('run-offline').first()).toContainText('Offline run')
})
