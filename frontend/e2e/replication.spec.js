import { expect, test } from '@playwright/test'
import { POPULATED_FLEET, REPLICA_HOST_KEY, calls, finishReplica, installDesk, replicaBehind } from './desk-double.js'

const WEB1 = POPULATED_FLEET.servers[0]

test('set up SFTP replication: confirm the host key, add the key line, replicate, fall behind, catch up', async ({ page }) => {
  await installDesk(page, POPULATED_FLEET)
  await page.goto(`/#/servers/${WEB1.uuid}`)
  const card = page.getByTestId('replica-card')
  await expect(page.getByTestId('replica-state')).toHaveText('Not replicated')
  await expect(page.getByTestId('replica-none')).toBeVisible()
  await expect(page.getByTestId('replica-run')).toHaveCount(0)

  await page.getByTestId('replica-configure').click()
  const dialog = page.getByRole('dialog', { name: 'Replication of web1' })
  await expect(dialog).toBeVisible()
  await page.getByTestId('replica-sftp').fill('backup@nas.lan:2222/srv/replicas')
  await expect(page.getByTestId('replica-save')).toBeDisabled()
  await page.getByTestId('replica-probe').click()
  await expect(page.getByTestId('replica-fingerprint')).toHaveText(REPLICA_HOST_KEY.fingerprint)
  await expect(page.getByTestId('replica-hostkey')).toContainText('ssh-keygen -lf /etc/ssh/ssh_host_ecdsa_key.pub')
  await expect(page.getByTestId('replica-save')).toBeDisabled()
  await page.getByTestId('replica-accept').check()
  await page.getByTestId('replica-schedule').fill('0 3 * * *')
  await page.getByTestId('replica-save').click()

  await expect(page.getByTestId('replica-saved')).toContainText('~backup/.ssh/authorized_keys on nas.lan')
  await expect(page.getByTestId('replica-public-key')).toHaveText(/^restrict ssh-ed25519 \S+ borgdesk-replica@web1$/)
  expect((await calls(page, 'SetReplica')).map((c) => c.args[0])).toEqual([
    { server: WEB1.uuid, sftp: 'backup@nas.lan:2222/srv/replicas', accept_host_key: REPLICA_HOST_KEY.fingerprint, after_backup: true, schedule: '0 3 * * *' },
  ])
  await page.getByTestId('replica-done').click()
  await expect(dialog).toBeHidden()

  await expect(page.getByTestId('replica-state')).toHaveText('Never replicated')
  await expect(page.getByTestId('replica-target')).toHaveText('sftp://backup@nas.lan:2222/srv/replicas')
  await expect(card).toContainText('after each backup · on 0 3 * * *')

  await page.getByTestId('replica-run').click()
  await expect(page.getByTestId('replica-state')).toHaveAttribute('data-state', 'running')
  await expect(page.getByTestId('replica-run')).toBeDisabled()
  await finishReplica(page, WEB1.uuid, { archives: ['etc-2026-11-22T03:00:00'], bytes: 1094256 })
  await expect(page.getByTestId('replica-state')).toHaveText('In sync')
  await expect(page.getByTestId('replica-verified')).toHaveText('sizes and MD5 hashes of all 14 files')
  await expect(page.getByTestId('replica-last-success')).not.toHaveText('never')
  await expect(card).toContainText('1 MiB, 1 archive')
  await expect(card).toContainText('1 MiB copied in 6.4 sec')

  await replicaBehind(page, WEB1.uuid, 1)
  await expect(page.getByTestId('replica-state')).toHaveText('Behind by 1 archive')
  await expect(page.getByTestId('replica-state')).toHaveAttribute('data-state', 'behind')
  await page.getByTestId('replica-run').click()
  await finishReplica(page, WEB1.uuid, { archives: ['etc-1', 'etc-2'], bytes: 2e6 })
  await expect(page.getByTestId('replica-state')).toHaveText('In sync')
  expect(await calls(page, 'RunReplica')).toHaveLength(2)
})

test('a failing replication says why; a changed host key is flagged; the replica can be removed', async ({ page }) => {
  await installDesk(page, POPULATED_FLEET)
  await page.goto(`/#/servers/${WEB1.uuid}`)
  await page.getByTestId('replica-configure').click()
  await page.getByTestId('replica-sftp').fill('root@10.0.0.9/srv/r')
  await page.getByTestId('replica-probe').click()
  await page.getByTestId('replica-accept').check()
  await page.getByTestId('replica-save').click()
  await page.getByTestId('replica-done').click()

  await page.getByTestId('replica-run').click()
  const why = 'the replication target sftp://root@10.0.0.9:22/srv/r is full: 22.8 MiB free there, and the replica needs 32.0 MiB more; free space on the target (or choose a larger one), then replicate again. Nothing was lost in the source; the 4 files copied before the failure were removed, so the previous replica is intact'
  await finishReplica(page, WEB1.uuid, { reason: 'target full', error: why })
  await expect(page.getByTestId('replica-state')).toHaveText('Failing: target full')
  await expect(page.getByTestId('replica-state')).toHaveAttribute('data-state', 'failing')
  await expect(page.getByTestId('replica-error')).toContainText('previous replica is intact')

  // The target was reinstalled: the dialog shows the pinned key does not match.
  await page.evaluate(() => (window.__fleet.replicaHostKeys['10.0.0.9:22'] = { fingerprint: 'SHA256:bmV3IGtleSBhZnRlciBhIHJlaW5zdGFsbA' }))
  await page.getByTestId('replica-configure').click()
  await expect(page.getByTestId('replica-current-key')).toContainText('borgdesk-replica@web1')
  await page.getByTestId('replica-probe').click()
  await expect(page.getByTestId('replica-hostkey-changed')).toContainText(`not the pinned key (${REPLICA_HOST_KEY.fingerprint})`)
  await expect(page.getByTestId('replica-save')).toBeDisabled()

  await page.getByTestId('replica-remove').click()
  await page.getByTestId('replica-remove-confirm').click()
  await expect(page.getByRole('dialog')).toBeHidden()
  await expect(page.getByTestId('replica-state')).toHaveText('Not replicated')
  expect(await calls(page, 'RemoveReplica')).toHaveLength(1)
})
