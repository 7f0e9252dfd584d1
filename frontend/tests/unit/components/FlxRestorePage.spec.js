import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest'
import { enableAutoUnmount, flushPromises } from '@vue/test-utils'
import * as Desk from 'wailsjs/go/app/Desk.js'
import { emit, resetRuntime } from '../fake-runtime.js'
import { mountWith, serverRecord } from '../mount.js'
import FlxRestorePage from '@/pages/FlxRestorePage.vue'
import { useFlxStore } from '@/stores/flx.js'

vi.mock('wailsjs/go/app/Desk.js', () => import('../fake-desk.js'))
vi.mock('wailsjs/runtime/runtime.js', () => import('../fake-runtime.js'))

const ID = 'b'.repeat(64)
const PATH = '/home/ops/Downloads/pbx1-etc.flx'
const FILES = [
  { path: 'etc/asterisk/pjsip.conf', hash: 'sha256:1', size: 9311, mode: '0640', owner: 'asterisk' },
  { path: 'etc/hosts', hash: 'sha256:2', size: 244, mode: '0644', owner: 'root' },
]
const verified = {
  id: ID,
  name: 'pbx1-etc.flx',
  source: PATH,
  size: 20480,
  inspection: {
    meta: {
      version: '1.0',
      backup_type: 'system_config',
      created: '2026-11-20 03:15:02',
      producer: 'borgdesk-agent 0.3.1',
      flexpbx_version: '1.2.0',
      sensitive_data_included: false,
      file_count: 2,
      redaction_report: [{ file: 'etc/asterisk/pjsip.conf', rule: 'secret setting', count: 14 }],
    },
    files: FILES,
    bytes: 9555,
    verified: true,
  },
}
const damaged = {
  ...verified,
  inspection: { ...verified.inspection, verified: false, error: 'etc/hosts: the content does not match its hash' },
}
const web1 = serverRecord()
const db1 = serverRecord({ id: 2, uuid: 'uuid-db1', name: 'db1', status: 'offline', online: false })
const ROLLBACK = '/var/backups/borgdesk-flx/rollback-2026-11-22_08-00-05.flx.gz'

async function openView(file = verified) {
  Desk.ListServers.mockResolvedValue([web1, db1])
  Desk.OpenFlx.mockResolvedValue(file)
  const mounted = await mountWith(FlxRestorePage, { path: `/restore/flx/${ID}`, attach: true })
  await useFlxStore().open(PATH)
  await flushPromises()
  return mounted
}

const byId = (wrapper, id) => wrapper.find(`[data-testid="${id}"]`)

async function chooseWeb1(wrapper) {
  await byId(wrapper, 'flx-server').setValue('uuid-web1')
}

enableAutoUnmount(afterEach)

describe('FlxRestorePage', () => {
  beforeEach(() => resetRuntime())

  it('says when the snapshot is not open in this window', async () => {
    Desk.ListServers.mockResolvedValue([])
    const { wrapper } = await mountWith(FlxRestorePage, { path: `/restore/flx/${ID}` })
    expect(byId(wrapper, 'flx-restore-view').exists()).toBe(true)
    expect(byId(wrapper, 'flx-not-open').text()).toContain('This snapshot is not open')
  })

  it('shows the name, that every hash matched, the facts, the report and the tree', async () => {
    const { wrapper } = await openView()
    const view = byId(wrapper, 'flx-restore-view')
    expect(view.find('[data-testid="flx-name"]').text()).toBe('pbx1-etc.flx')
    expect(view.find('[data-testid="flx-verified"]').text()).toBe('Every hash matches')
    expect(byId(wrapper, 'flx-damaged').exists()).toBe(false)
    expect(byId(wrapper, 'flx-producer').text()).toBe('borgdesk-agent 0.3.1')
    expect(byId(wrapper, 'flx-file-count').text()).toBe('2')
    expect(wrapper.findAll('[data-testid="flx-redaction-row"]').map((r) => r.text())).toEqual([expect.stringContaining('secret setting')])
    expect(wrapper.findAll('[data-testid="flx-tree-file"]')).toHaveLength(2)
    // Only online servers can be chosen.
    const options = byId(wrapper, 'flx-server').findAll('option')
    expect(options.map((o) => [o.text(), o.element.disabled])).toEqual([
      ['Choose a server…', true],
      ['web1', false],
      ['db1 (offline)', true],
    ])
  })

  it('a damaged snapshot shows its error in red and cannot be restored', async () => {
    const { wrapper } = await openView(damaged)
    expect(byId(wrapper, 'flx-verified').exists()).toBe(false)
    expect(byId(wrapper, 'flx-damaged').text()).toContain('etc/hosts: the content does not match its hash')
    expect(byId(wrapper, 'flx-restore').element.disabled).toBe(true)
    expect(byId(wrapper, 'flx-dry-run').element.disabled).toBe(true)
    expect(byId(wrapper, 'flx-compare').element.disabled).toBe(true)
    expect(byId(wrapper, 'flx-server').element.disabled).toBe(true)
  })

  it('restore waits for a server to be chosen', async () => {
    const { wrapper } = await openView()
    expect(byId(wrapper, 'flx-restore').element.disabled).toBe(true)
    await chooseWeb1(wrapper)
    expect(byId(wrapper, 'flx-restore').element.disabled).toBe(false)
  })

  it('migrate needs the target user before a dry run or a restore', async () => {
    const { wrapper } = await openView()
    await chooseWeb1(wrapper)
    await byId(wrapper, 'flx-mode-migrate').find('input').setValue()
    await byId(wrapper, 'flx-restore').trigger('click')
    expect(byId(wrapper, 'error-flx-user').text()).toBe('Migrate needs the user to install into.')
    expect(byId(wrapper, 'flx-restore-dialog').exists()).toBe(false)
    await byId(wrapper, 'flx-dry-run').trigger('click')
    expect(Desk.RestoreFlx).not.toHaveBeenCalled()

    Desk.RestoreFlx.mockResolvedValue({ id: 5, status: 'queued', server_uuid: 'uuid-web1' })
    await byId(wrapper, 'flx-user').setValue('pbx2')
    expect(byId(wrapper, 'error-flx-user').exists()).toBe(false)
    await byId(wrapper, 'flx-dry-run').trigger('click')
    await flushPromises()
    expect(Desk.RestoreFlx).toHaveBeenCalledWith({ id: ID, server: 'uuid-web1', mode: 'migrate', user: 'pbx2', dry_run: true, root: '' })
    expect(byId(wrapper, 'flx-plan').exists()).toBe(true)
  })

  it('fresh asks for the server name typed before it restores', async () => {
    Desk.RestoreFlx.mockResolvedValue({ id: 6, status: 'queued', server_uuid: 'uuid-web1' })
    const { wrapper } = await openView()
    await chooseWeb1(wrapper)
    await byId(wrapper, 'flx-mode-fresh').find('input').setValue()
    await byId(wrapper, 'flx-restore').trigger('click')

    const dialog = byId(wrapper, 'flx-restore-dialog')
    expect(dialog.text()).toContain('Restore pbx1-etc.flx on web1?')
    const confirm = () => byId(wrapper, 'confirm-button')
    expect(confirm().element.disabled).toBe(true)
    await byId(wrapper, 'confirm-input').setValue('web')
    expect(confirm().element.disabled).toBe(true)
    await confirm().trigger('click')
    expect(Desk.RestoreFlx).not.toHaveBeenCalled()
    await byId(wrapper, 'confirm-input').setValue('web1')
    await confirm().trigger('click')
    await flushPromises()
    expect(Desk.RestoreFlx).toHaveBeenCalledWith({ id: ID, server: 'uuid-web1', mode: 'fresh', user: '', dry_run: false, root: '' })
    expect(byId(wrapper, 'flx-restore-dialog').exists()).toBe(false)
  })

  it('merge asks without typing', async () => {
    Desk.RestoreFlx.mockResolvedValue({ id: 7, status: 'queued', server_uuid: 'uuid-web1' })
    const { wrapper } = await openView()
    await chooseWeb1(wrapper)
    await byId(wrapper, 'flx-restore').trigger('click')
    expect(byId(wrapper, 'confirm-input').exists()).toBe(false)
    await byId(wrapper, 'confirm-button').trigger('click')
    await flushPromises()
    expect(Desk.RestoreFlx).toHaveBeenCalledWith({ id: ID, server: 'uuid-web1', mode: 'merge', user: '', dry_run: false, root: '' })
  })

  it('merge and fresh take an optional account for a FlexPBX snapshot’s home files, checked and confirmed', async () => {
    Desk.RestoreFlx.mockResolvedValue({ id: 8, status: 'queued', server_uuid: 'uuid-web1' })
    const { wrapper } = await openView()
    await chooseWeb1(wrapper)
    expect(byId(wrapper, 'flx-user').exists()).toBe(true)
    await byId(wrapper, 'flx-user').setValue('../root')
    await byId(wrapper, 'flx-restore').trigger('click')
    expect(byId(wrapper, 'error-flx-user').text()).toContain('Not a user name')
    expect(byId(wrapper, 'flx-restore-dialog').exists()).toBe(false)

    await byId(wrapper, 'flx-user').setValue(' pbx ')
    await byId(wrapper, 'flx-restore').trigger('click')
    expect(byId(wrapper, 'flx-confirm-user').text()).toBe('Files are installed into the account of pbx.')
    await byId(wrapper, 'confirm-button').trigger('click')
    await flushPromises()
    expect(Desk.RestoreFlx).toHaveBeenCalledWith({ id: ID, server: 'uuid-web1', mode: 'merge', user: 'pbx', dry_run: false, root: '' })
  })

  it('fresh sends the account given', async () => {
    Desk.RestoreFlx.mockResolvedValue({ id: 9, status: 'queued', server_uuid: 'uuid-web1' })
    const { wrapper } = await openView()
    await chooseWeb1(wrapper)
    await byId(wrapper, 'flx-mode-fresh').find('input').setValue()
    await byId(wrapper, 'flx-user').setValue('pbx')
    await byId(wrapper, 'flx-dry-run').trigger('click')
    await flushPromises()
    expect(Desk.RestoreFlx).toHaveBeenCalledWith({ id: ID, server: 'uuid-web1', mode: 'fresh', user: 'pbx', dry_run: true, root: '' })
  })

  it('shows Go refusing a restore in the dialog', async () => {
    Desk.RestoreFlx.mockRejectedValue('not found: snapshot bbbbbbbbbbbb is not open (or failed verification): open it again')
    const { wrapper } = await openView()
    await chooseWeb1(wrapper)
    await byId(wrapper, 'flx-restore').trigger('click')
    await byId(wrapper, 'confirm-button').trigger('click')
    await flushPromises()
    expect(byId(wrapper, 'flx-restore-dialog').text()).toContain('open it again')
  })

  it('follows the restore live, then shows the counts and the rollback point with its undo command', async () => {
    Desk.RestoreFlx.mockResolvedValue({ id: 8, status: 'queued', server_uuid: 'uuid-web1' })
    Desk.ListTasks.mockResolvedValue([
      {
        id: 8,
        status: 'succeeded',
        server_uuid: 'uuid-web1',
        error: '',
        result: {
          counts: { create: 1, overwrite: 1, unchanged: 0, 'keep (user data)': 0, remove: 0 },
          changes: [
            { path: 'etc/hosts', action: 'overwrite', size: 244 },
            { path: 'etc/asterisk/pjsip.conf', action: 'create', size: 9311 },
          ],
          rollback: ROLLBACK,
          dry_run: false,
        },
      },
    ])
    const { wrapper } = await openView()
    await chooseWeb1(wrapper)
    await byId(wrapper, 'flx-restore').trigger('click')
    await byId(wrapper, 'confirm-button').trigger('click')
    await flushPromises()

    const result = () => byId(wrapper, 'flx-result')
    expect(result().attributes('data-status')).toBe('queued')
    expect(byId(wrapper, 'flx-task-progress').text()).toContain('Waiting for the agent of web1')
    emit('task:changed', { id: 20, subject: 'uuid-web1', data: { task_id: 8, status: 'running' } })
    await flushPromises()
    expect(byId(wrapper, 'flx-task-progress').text()).toContain('The agent of web1 is working')
    expect(byId(wrapper, 'flx-restore').element.disabled).toBe(true)

    emit('task:changed', { id: 21, subject: 'uuid-web1', data: { task_id: 8, status: 'succeeded' } })
    await flushPromises()
    expect(Desk.ListTasks).toHaveBeenCalledWith('uuid-web1', 50)
    expect(result().attributes('data-status')).toBe('succeeded')
    expect(byId(wrapper, 'flx-rollback-path').text()).toBe(ROLLBACK)
    expect(byId(wrapper, 'flx-undo-command').text()).toBe(`borgdesk-agent flx restore --rollback ${ROLLBACK}`)
    expect(byId(wrapper, 'flx-count-create').text()).toContain('1')
    expect(wrapper.findAll('[data-testid="flx-change-row"]').map((r) => r.attributes('data-action'))).toEqual(['create', 'overwrite'])
  })

  it('shows why a restore failed', async () => {
    Desk.RestoreFlx.mockResolvedValue({ id: 9, status: 'queued', server_uuid: 'uuid-web1' })
    Desk.ListTasks.mockResolvedValue([{ id: 9, status: 'failed', server_uuid: 'uuid-web1', error: 'restore failed and was rolled back: disk full', result: null }])
    const { wrapper } = await openView()
    await chooseWeb1(wrapper)
    await byId(wrapper, 'flx-restore').trigger('click')
    await byId(wrapper, 'confirm-button').trigger('click')
    await flushPromises()
    emit('task:changed', { id: 22, subject: 'uuid-web1', data: { task_id: 9, status: 'failed' } })
    await flushPromises()
    expect(byId(wrapper, 'flx-task-error').text()).toContain('restore failed and was rolled back: disk full')
    expect(byId(wrapper, 'flx-rollback').exists()).toBe(false)
  })

  it('compare shows the three lists', async () => {
    Desk.DiffFlx.mockResolvedValue([
      { path: 'etc/hosts', status: 'changed' },
      { path: 'etc/asterisk/pjsip.conf', status: 'only in snapshot' },
      { path: 'etc/old.conf', status: 'only in target' },
    ])
    const { wrapper } = await openView()
    await chooseWeb1(wrapper)
    await byId(wrapper, 'flx-compare').trigger('click')
    await flushPromises()
    expect(Desk.DiffFlx).toHaveBeenCalledWith(ID, 'uuid-web1', '')
    const list = (slug) => wrapper.findAll(`[data-testid="flx-diff-${slug}"] [data-testid="flx-diff-path"]`).map((p) => p.text())
    expect(list('changed')).toEqual(['etc/hosts'])
    expect(list('snapshot')).toEqual(['etc/asterisk/pjsip.conf'])
    expect(list('target')).toEqual(['etc/old.conf'])
  })

  it('speaks French and German too', async () => {
    Desk.ListServers.mockResolvedValue([web1])
    Desk.OpenFlx.mockResolvedValue(verified)
    for (const [locale, text] of [
      ['fr', 'Toutes les empreintes correspondent'],
      ['de', 'Alle Prüfsummen stimmen'],
    ]) {
      const { wrapper } = await mountWith(FlxRestorePage, { locale, path: `/restore/flx/${ID}` })
      await useFlxStore().open(PATH)
      await flushPromises()
      expect(byId(wrapper, 'flx-verified').text()).toBe(text)
      wrapper.unmount()
    }
  })
})
