import { expect, test } from '@playwright/test'
import {
  ROLLOUT,
  ROLLOUT_FLEET,
  ROLLOUT_PASSWORD,
  ROLLOUT_STEPS,
  UNINSTALL_PASSWORD,
  calls,
  installDesk,
  resumeRollout,
  rolloutEvents,
} from './desk-double.js'

// The Add server wizard's SSH methods against the double: ParseHosts,
// ProbeHosts, StartRollout and the rollout:progress records it emits over
// time (see ROLLOUT in fixtures.js), GetRollout and UninstallServer.

const hosts = ROLLOUT.hosts
const fleet = (rollout = {}) => ({ ...ROLLOUT_FLEET, rollout: { ...ROLLOUT, ...rollout } })

async function openWizard(page) {
  await page.goto('/#/servers')
  await expect(page.getByTestId('servers-table')).toBeVisible()
  await page.getByTestId('add-server').click()
  await expect(page.getByRole('dialog', { name: 'Add a server' })).toBeVisible()
}

async function pasteHosts(page, text, password = ROLLOUT_PASSWORD) {
  await page.getByTestId('hosts-mode-many').click()
  await page.getByTestId('add-server-hosts').fill(text)
  await page.getByTestId('ssh-password').fill(password)
  await page.getByTestId('add-server-submit').click()
}

const hostRow = (page, host, port = 22) => page.locator(`[data-testid="rollout-host"][data-host="${host}:${port}"]`)
const keyRow = (page, host, port = 22) => page.locator(`[data-testid="hostkey-row"][data-host="${host}:${port}"]`)

test('one host with a password: the fingerprint is confirmed, the steps come live, and it ends on the server page', async ({ page }) => {
  await installDesk(page, fleet({ pauseAt: 'installing borg' }))
  await openWizard(page)
  await expect(page.getByTestId('add-server-host')).toBeFocused()

  await page.getByTestId('add-server-host').fill('web2.example.lan')
  await page.getByTestId('ssh-password').fill(ROLLOUT_PASSWORD)
  await page.getByTestId('add-server-submit').click()

  // The host key, to compare before anything secret leaves.
  const key = keyRow(page, 'web2.example.lan')
  await expect(key).toHaveAttribute('data-state', 'new')
  await expect(key.getByTestId('hostkey-type')).toHaveText('ssh-ed25519')
  await expect(key.getByTestId('hostkey-fingerprint')).toHaveText(hosts['web2.example.lan'].key.fingerprint)
  await expect(page.getByTestId('hostkeys-howto')).toContainText('ssh-keygen -lf /etc/ssh/ssh_host_ed25519_key.pub')
  expect((await calls(page, 'ProbeHosts')).map((c) => c.args)).toEqual([[[{ host: 'web2.example.lan', port: 22, user: 'root', name: '' }]]])
  expect(await calls(page, 'StartRollout')).toEqual([])
  await expect(page.getByTestId('rollout-start')).toBeDisabled()
  await key.getByTestId('hostkey-confirm').check()
  await expect(page.getByTestId('rollout-start')).toHaveText('Install on 1 host')
  await page.getByTestId('rollout-start').click()

  const [start] = await calls(page, 'StartRollout')
  expect(start.args).toEqual([
    {
      targets: [{ host: 'web2.example.lan', port: 22, user: 'root', name: '' }],
      password: ROLLOUT_PASSWORD,
      accept_host_keys: { 'web2.example.lan:22': hosts['web2.example.lan'].key.fingerprint },
      concurrency: 5,
    },
  ])

  // Live: held at installing borg, then at the first heartbeat.
  const row = hostRow(page, 'web2.example.lan')
  await expect(row.getByTestId('rollout-step')).toHaveText('Step 4 of 8 · Installing borg')
  await expect(row).toHaveAttribute('data-status', 'running')
  await expect(row.getByTestId('rollout-message')).toHaveText('apt-get install borgbackup')
  await expect(row.locator('[data-segment="done"]')).toHaveCount(3)
  await resumeRollout(page, 'first heartbeat')
  await expect(row.getByTestId('rollout-step')).toHaveText('Step 8 of 8 · Waiting for the first heartbeat')
  await resumeRollout(page)

  await expect(page).toHaveURL(new RegExp(`#/servers/${hosts['web2.example.lan'].uuid}$`))
  await expect(page.getByTestId('page-title')).toHaveText('web2.example.lan')
  await expect(page.getByTestId('detail-status')).toHaveText('Online')
  await expect(page.getByRole('dialog')).toHaveCount(0)
  const steps = (await rolloutEvents(page)).map((e) => e.data.host.step)
  expect([...new Set(steps)]).toEqual(ROLLOUT_STEPS)
})

test('three hosts pasted: one fails with its sentence while the others enroll; retry brings back only that one', async ({ page }) => {
  await installDesk(page, fleet())
  await openWizard(page)
  await pasteHosts(page, 'app1.example.lan\nadmin@app2.example.lan\n# the new frontend\napp3.example.lan,22,root,app3')

  expect((await calls(page, 'ParseHosts')).map((c) => c.args)).toEqual([
    ['app1.example.lan\nadmin@app2.example.lan\n# the new frontend\napp3.example.lan,22,root,app3', 'root'],
  ])
  await expect(page.getByTestId('hostkey-row')).toHaveCount(3)
  await expect(keyRow(page, 'app2.example.lan').getByTestId('hostkey-type')).toHaveText('ecdsa-sha2-nistp256')
  await expect(keyRow(page, 'app2.example.lan')).toContainText('ssh-keygen -lf /etc/ssh/ssh_host_ecdsa_key.pub')
  await expect(page.getByTestId('hostkeys-count')).toHaveText('0 of 3 new keys confirmed')
  await expect(page.getByTestId('rollout-start')).toBeDisabled()
  await page.getByTestId('hostkeys-accept-all').click()
  await expect(page.getByTestId('hostkeys-count')).toHaveText('3 of 3 new keys confirmed')
  await page.getByTestId('rollout-start').click()

  const failed = hostRow(page, 'app2.example.lan')
  await expect(failed).toHaveAttribute('data-status', 'failed')
  await expect(failed.getByTestId('rollout-message')).toHaveText(hosts['app2.example.lan'].fail.message)
  await expect(failed.getByTestId('rollout-step')).toHaveText('Step 4 of 8 · Installing borg')
  await expect(hostRow(page, 'app1.example.lan')).toHaveAttribute('data-status', 'done')
  await expect(hostRow(page, 'app3.example.lan')).toHaveAttribute('data-status', 'done')

  await expect(page.getByTestId('rollout-enrolled')).toHaveText('2 hosts enrolled')
  await expect(page.getByTestId('rollout-failed')).toHaveText('1 host failed')
  await expect(page.getByTestId('rollout-server-link')).toHaveCount(2)
  await expect(hostRow(page, 'app1.example.lan').getByTestId('rollout-server-link')).toHaveAttribute('href', `#/servers/${hosts['app1.example.lan'].uuid}`)
  await expect(hostRow(page, 'app3.example.lan').getByTestId('rollout-server-link')).toHaveAttribute('href', `#/servers/${hosts['app3.example.lan'].uuid}`)
  await expect(hostRow(page, 'app3.example.lan').getByTestId('rollout-host-name')).toHaveText('app3')
  // Still on the list: many hosts do not jump anywhere; the enrolled ones are in it.
  await expect(page).toHaveURL(/#\/servers$/)
  await expect(page.getByTestId('server-row')).toHaveCount(6)

  await page.getByTestId('rollout-retry').click()
  await expect(page.getByTestId('add-server-hosts')).toHaveValue('app2.example.lan,22,admin')
  await expect(page.getByTestId('ssh-password')).toHaveValue('')
  await page.getByTestId('ssh-password').fill(ROLLOUT_PASSWORD)
  await page.getByTestId('add-server-submit').click()
  await expect(page.getByTestId('hostkey-row')).toHaveCount(1)
  // Accepted in the first round: pinned now.
  await expect(keyRow(page, 'app2.example.lan')).toHaveAttribute('data-state', 'known')
  await expect(page.getByTestId('rollout-start')).toBeEnabled()

  await page.getByTestId('rollout-cancel').click()
  await expect(page.getByRole('dialog')).toHaveCount(0)
})

test('a changed host key blocks that host: a red warning, nothing to tick, and it is left out', async ({ page }) => {
  await installDesk(page, fleet())
  await openWizard(page)
  await pasteHosts(page, 'web2.example.lan\ndb2.example.lan\ngone.example.lan')

  const changed = keyRow(page, 'db2.example.lan')
  await expect(changed).toHaveAttribute('data-state', 'changed')
  const warning = changed.getByTestId('hostkey-changed')
  await expect(warning).toContainText('The host key changed since it was pinned')
  await expect(warning).toContainText('could be an attack')
  await expect(changed.getByTestId('hostkey-pinned')).toHaveText(hosts['db2.example.lan'].key.pinned)
  await expect(warning).toContainText(hosts['db2.example.lan'].key.fingerprint)
  await expect(changed.getByTestId('hostkey-confirm')).toHaveCount(0)
  await expect(keyRow(page, 'gone.example.lan').getByTestId('hostkey-error')).toHaveText('dial tcp 10.0.4.9:22: connect: no route to host')
  await expect(keyRow(page, 'gone.example.lan').getByTestId('hostkey-confirm')).toHaveCount(0)
  await expect(page.getByTestId('hostkeys-accept-all')).toHaveCount(0) // one new key: its own box
  await expect(page.getByTestId('hostkeys-skipped')).toHaveText('2 hosts are left out: their key changed or they did not answer.')
  await expect(page.getByTestId('rollout-start')).toBeDisabled()

  await keyRow(page, 'web2.example.lan').getByTestId('hostkey-confirm').check()
  await page.getByTestId('rollout-start').click()

  const [start] = await calls(page, 'StartRollout')
  expect(start.args[0].targets.map((t) => t.host)).toEqual(['web2.example.lan'])
  expect(start.args[0].accept_host_keys).toEqual({ 'web2.example.lan:22': hosts['web2.example.lan'].key.fingerprint })
  const blocked = hostRow(page, 'db2.example.lan')
  await expect(blocked).toHaveAttribute('data-status', 'failed')
  await expect(blocked.getByTestId('rollout-message')).toHaveText(
    `The host key changed since it was pinned: this could be an attack. Pinned ${hosts['db2.example.lan'].key.pinned}, now ${hosts['db2.example.lan'].key.fingerprint}.`,
  )
  await expect(page.getByTestId('rollout-enrolled')).toHaveText('1 host enrolled')
  await expect(page.getByTestId('rollout-failed')).toHaveText('2 hosts failed')

  // The enrolled one links to its page; following the link closes the dialog.
  await hostRow(page, 'web2.example.lan').getByTestId('rollout-server-link').click()
  await expect(page.getByTestId('page-title')).toHaveText('web2.example.lan')
  await expect(page.getByRole('dialog')).toHaveCount(0)

  // Alone, a changed key leaves nothing to install.
  await page.getByTestId('back-to-servers').click()
  await page.getByTestId('add-server').click()
  await expect(page.getByTestId('add-server-dialog')).toHaveAttribute('data-stage', 'form')
  await page.getByTestId('add-server-host').fill('db2.example.lan')
  await page.getByTestId('ssh-password').fill(ROLLOUT_PASSWORD)
  await page.getByTestId('add-server-submit').click()
  await expect(page.getByTestId('hostkeys-none')).toBeVisible()
  await expect(page.getByTestId('rollout-start')).toBeDisabled()
  expect(await calls(page, 'StartRollout')).toHaveLength(1)
})

test('a reinstalled server: its old key is forgotten only after a confirmation, and the new key must be ticked like any new one', async ({ page }) => {
  const db2 = hosts['db2.example.lan'].key
  const target = { host: 'db2.example.lan', port: 22, user: 'root', name: '' }
  await installDesk(page, fleet())
  await openWizard(page)
  await page.getByTestId('add-server-host').fill('db2.example.lan')
  await page.getByTestId('ssh-password').fill(ROLLOUT_PASSWORD)
  await page.getByTestId('add-server-submit').click()

  const row = keyRow(page, 'db2.example.lan')
  await expect(row).toHaveAttribute('data-state', 'changed')
  await expect(row.getByTestId('hostkey-pinned')).toHaveText(db2.pinned)
  await expect(page.getByTestId('rollout-start')).toBeDisabled()

  // A careful, secondary way out, behind a confirmation that says why.
  await row.getByTestId('hostkey-forget').click()
  const confirm = page.getByRole('dialog', { name: 'Forget the old host key of db2.example.lan:22?' })
  await expect(confirm).toBeVisible()
  await expect(confirm).toContainText('Only do this if you know this server was reinstalled or its SSH host keys were regenerated.')
  await expect(confirm).toContainText('Otherwise someone may be intercepting the connection')
  await expect(confirm).toContainText(db2.pinned)
  await expect(confirm.getByTestId('confirm-cancel')).toBeFocused()
  // Escape dismisses the confirmation alone.
  await page.keyboard.press('Escape')
  await expect(confirm).toHaveCount(0)
  await expect(page.getByTestId('add-server-dialog')).toHaveAttribute('data-stage', 'keys')
  expect(await calls(page, 'ForgetHostKey')).toEqual([])

  await row.getByTestId('hostkey-forget').click()
  await confirm.getByTestId('confirm-button').click()
  await expect(confirm).toHaveCount(0)

  // Forgotten, then that host alone probed again: its key is new now, unticked.
  await expect(row).toHaveAttribute('data-state', 'new')
  const sequence = (await calls(page)).filter((c) => ['ForgetHostKey', 'ProbeHosts'].includes(c.method))
  expect(sequence).toEqual([
    { method: 'ProbeHosts', args: [[target]] },
    { method: 'ForgetHostKey', args: ['db2.example.lan', 22] },
    { method: 'ProbeHosts', args: [[target]] },
  ])
  await expect(row.getByTestId('hostkey-fingerprint')).toHaveText(db2.fingerprint)
  await expect(row.getByTestId('hostkey-forgotten')).toContainText('The old key was forgotten')
  await expect(row.getByTestId('hostkey-changed')).toHaveCount(0)
  await expect(row.getByTestId('hostkey-confirm')).not.toBeChecked()
  await expect(row.getByTestId('hostkey-confirm')).toBeFocused()
  await expect(page.getByTestId('hostkeys-blocked')).toBeVisible()
  await expect(page.getByTestId('rollout-start')).toBeDisabled()
  expect(await calls(page, 'StartRollout')).toEqual([])

  await row.getByTestId('hostkey-confirm').check()
  await expect(page.getByTestId('rollout-start')).toHaveText('Install on 1 host')
  await page.getByTestId('rollout-start').click()

  const [start] = await calls(page, 'StartRollout')
  expect(start.args[0].targets).toEqual([target])
  expect(start.args[0].accept_host_keys).toEqual({ 'db2.example.lan:22': db2.fingerprint })
  await expect(page.getByTestId('page-title')).toHaveText('db2.example.lan')
  await expect(page.getByTestId('detail-status')).toHaveText('Online')
  const steps = (await rolloutEvents(page)).map((e) => e.data.host.step)
  expect([...new Set(steps)]).toEqual(ROLLOUT_STEPS)

  // The new key is pinned now: the next probe trusts it.
  await page.getByTestId('back-to-servers').click()
  await page.getByTestId('add-server').click()
  await page.getByTestId('add-server-host').fill('db2.example.lan')
  await page.getByTestId('ssh-password').fill(ROLLOUT_PASSWORD)
  await page.getByTestId('add-server-submit').click()
  await expect(row).toHaveAttribute('data-state', 'known')
  await expect(row.getByTestId('hostkey-forget')).toHaveCount(0)
  expect(JSON.stringify((await calls(page)).filter((c) => c.method !== 'StartRollout'))).not.toContain(ROLLOUT_PASSWORD)
})

test('a pasted list Go cannot read says why, under the list', async ({ page }) => {
  await installDesk(page, fleet())
  await openWizard(page)
  await pasteHosts(page, 'app1.example.lan\napp2.example.lan:99999')
  await expect(page.getByTestId('error-hosts')).toHaveText('line 2 ("app2.example.lan:99999"): port "99999" is not a number from 1 to 65535')
  expect(await calls(page, 'ProbeHosts')).toEqual([])
})

test('a password goes to StartRollout or UninstallServer only, and never to storage, the URL or the console', async ({ page }) => {
  const consoleLines = []
  page.on('console', (msg) => consoleLines.push(msg.text()))
  await installDesk(page, fleet())
  await openWizard(page)

  await page.getByTestId('add-server-host').fill('web2.example.lan')
  await page.getByTestId('add-server-port').fill('22')
  await page.getByTestId('ssh-password').fill(ROLLOUT_PASSWORD)
  await page.getByTestId('add-server-submit').click()
  await keyRow(page, 'web2.example.lan').getByTestId('hostkey-confirm').check()
  await page.getByTestId('rollout-start').click()
  await expect(page.getByTestId('page-title')).toHaveText('web2.example.lan')

  // Uninstall from the server page it landed on, with another password.
  await page.getByTestId('uninstall-button').click()
  const dialog = page.getByRole('dialog', { name: 'Uninstall the agent from web2.example.lan' })
  await expect(dialog).toBeVisible()
  await expect(page.getByTestId('uninstall-host')).toHaveValue('web2.example.lan')
  await page.getByTestId('ssh-password').fill(UNINSTALL_PASSWORD)
  await page.getByTestId('uninstall-probe').click()
  await expect(page.getByTestId('hostkey-row')).toHaveAttribute('data-state', 'known') // pinned by the rollout
  await page.getByTestId('uninstall-confirm').click()
  await expect(page.getByTestId('uninstall-message')).toHaveText('borgdesk-agent stopped and removed from web2.example.lan; web2.example.lan revoked')
  await expect(page.getByTestId('detail-status')).toHaveText('Revoked')
  await page.getByTestId('uninstall-close').click()

  const all = await calls(page)
  const carrying = (secret) => all.filter((c) => JSON.stringify(c.args).includes(secret)).map((c) => c.method)
  expect(carrying(ROLLOUT_PASSWORD)).toEqual(['StartRollout'])
  expect(carrying(UNINSTALL_PASSWORD)).toEqual(['UninstallServer'])
  const [uninstall] = await calls(page, 'UninstallServer')
  expect(uninstall.args[0]).toMatchObject({ server: hosts['web2.example.lan'].uuid, host: 'web2.example.lan', port: 22, user: 'root', password: UNINSTALL_PASSWORD })

  const stored = await page.evaluate(() => JSON.stringify({ ...localStorage }) + JSON.stringify({ ...sessionStorage }) + document.cookie)
  const dom = await page.evaluate(() => document.documentElement.outerHTML + [...document.querySelectorAll('input, textarea')].map((i) => i.value).join('\n'))
  for (const secret of [ROLLOUT_PASSWORD, UNINSTALL_PASSWORD]) {
    expect(stored).not.toContain(secret)
    expect(page.url()).not.toContain(encodeURIComponent(secret))
    expect(page.url()).not.toContain(secret)
    expect(dom).not.toContain(secret)
    expect(consoleLines.join('\n')).not.toContain(secret)
  }
})

test('a private key pasted or picked from a file goes with StartRollout, with its passphrase and sudo password', async ({ page }) => {
  const pem = '-----BEGIN OPENSSH PRIVATE KEY-----\nb3BlbnNzaC1rZXktdjEAAAAACmFlczI1Ni1jdHIAAAAGYmNyeXB0AAAAGAAAABAx\n-----END OPENSSH PRIVATE KEY-----\n'
  await installDesk(page, fleet())
  await openWizard(page)
  await page.getByTestId('add-server-method-key').click()
  await page.getByTestId('add-server-host').fill('app1.example.lan')
  await page.getByTestId('add-server-user').fill('deploy')
  await page.getByTestId('ssh-key-file').setInputFiles({ name: 'id_ed25519', mimeType: 'application/octet-stream', buffer: Buffer.from(pem) })
  await expect(page.getByTestId('ssh-key-summary')).toHaveText('OpenSSH private key read from id_ed25519')
  await expect(page.getByTestId('ssh-key')).toHaveValue(pem)
  await page.getByTestId('ssh-key-passphrase').fill('key-passphrase-1')
  await page.getByTestId('ssh-sudo-password').fill('sudo-password-2')
  await page.getByTestId('add-server-submit').click()
  await keyRow(page, 'app1.example.lan').getByTestId('hostkey-confirm').check()
  await page.getByTestId('rollout-start').click()
  await expect(page.getByTestId('page-title')).toHaveText('app1.example.lan')

  const [start] = await calls(page, 'StartRollout')
  expect(start.args[0]).toMatchObject({ key: pem, key_passphrase: 'key-passphrase-1', sudo_password: 'sudo-password-2' })
  expect(start.args[0]).not.toHaveProperty('password')
  expect(start.args[0].targets).toEqual([{ host: 'app1.example.lan', port: 22, user: 'deploy', name: '' }])
  const others = (await calls(page)).filter((c) => c.method !== 'StartRollout')
  expect(JSON.stringify(others)).not.toContain('BEGIN OPENSSH')
})
