import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest'
import { enableAutoUnmount, flushPromises } from '@vue/test-utils'
import * as Desk from 'wailsjs/go/app/Desk.js'
import { emit, resetRuntime } from '../fake-runtime.js'
import { mountWith, serverRecord } from '../mount.js'
import FlxSnapshotsCard from '@/components/servers/detail/FlxSnapshotsCard.vue'

vi.mock('wailsjs/go/app/Desk.js', () => import('../fake-desk.js'))
vi.mock('wailsjs/runtime/runtime.js', () => import('../fake-runtime.js'))

const OLD = '/data/flx/servers/uuid-web1/etc-2026-11-19_03-00-00.flx'
const NEW = '/data/flx/servers/uuid-web1/flexpbx-2026-11-22_08-00-01.flxx'
const byId = (wrapper, id) => wrapper.find(`[data-testid="${id}"]`)

enableAutoUnmount(afterEach)

describe('FlxSnapshotsCard', () => {
  beforeEach(() => resetRuntime())

  it('lists what the server sent, makes a snapshot, follows it, and lists again', async () => {
    Desk.ListFlx.mockResolvedValueOnce([OLD]).mockResolvedValueOnce([NEW, OLD])
    Desk.CreateFlx.mockResolvedValue({ id: 50, status: 'queued', server_uuid: 'uuid-web1' })
    Desk.ListTasks.mockResolvedValue([{ id: 50, status: 'succeeded', server_uuid: 'uuid-web1', error: '', result: { name: 'flexpbx-2026-11-22_08-00-01.flxx', file_count: 12 } }])
    const { wrapper } = await mountWith(FlxSnapshotsCard, { props: { server: serverRecord() } })
    expect(Desk.ListFlx).toHaveBeenCalledWith('uuid-web1')
    expect(wrapper.findAll('[data-testid="flx-snapshot-name"]').map((n) => n.text())).toEqual(['etc-2026-11-19_03-00-00.flx'])

    await byId(wrapper, 'flx-profile-flexpbx').find('input').setValue()
    await byId(wrapper, 'flx-type-flxx').find('input').setValue()
    await byId(wrapper, 'flx-create').trigger('click')
    await flushPromises()
    expect(Desk.CreateFlx).toHaveBeenCalledWith('uuid-web1', 'flexpbx', 'flxx')
    expect(byId(wrapper, 'flx-create-progress').exists()).toBe(true)
    expect(byId(wrapper, 'flx-create').element.disabled).toBe(true)

    emit('task:changed', { id: 30, subject: 'uuid-web1', data: { task_id: 50, status: 'succeeded' } })
    await flushPromises()
    expect(byId(wrapper, 'flx-create-done').text()).toBe('Received flexpbx-2026-11-22_08-00-01.flxx (12 files).')
    expect(wrapper.findAll('[data-testid="flx-snapshot-name"]').map((n) => n.text())).toEqual([
      'flexpbx-2026-11-22_08-00-01.flxx',
      'etc-2026-11-19_03-00-00.flx',
    ])
  })

  it('saves a snapshot to Downloads and says where', async () => {
    Desk.ListFlx.mockResolvedValue([OLD])
    Desk.ExportFlx.mockResolvedValue('/home/ops/Downloads/etc-2026-11-19_03-00-00.flx')
    const { wrapper } = await mountWith(FlxSnapshotsCard, { props: { server: serverRecord() } })
    await byId(wrapper, 'flx-export').trigger('click')
    await flushPromises()
    expect(Desk.ExportFlx).toHaveBeenCalledWith(OLD)
    expect(byId(wrapper, 'flx-exported-path').text()).toBe('/home/ops/Downloads/etc-2026-11-19_03-00-00.flx')
  })

  it('shows why a snapshot failed, and an offline server cannot make one', async () => {
    Desk.ListFlx.mockResolvedValue([])
    Desk.CreateFlx.mockResolvedValue({ id: 51, status: 'queued', server_uuid: 'uuid-web1' })
    Desk.ListTasks.mockResolvedValue([{ id: 51, status: 'failed', server_uuid: 'uuid-web1', error: 'unknown profile "x"', result: null }])
    const { wrapper } = await mountWith(FlxSnapshotsCard, { props: { server: serverRecord() } })
    expect(byId(wrapper, 'flx-snapshots-empty').exists()).toBe(true)
    await byId(wrapper, 'flx-create').trigger('click')
    await flushPromises()
    emit('task:changed', { id: 31, subject: 'uuid-web1', data: { task_id: 51, status: 'failed' } })
    await flushPromises()
    expect(byId(wrapper, 'flx-create-failed').text()).toContain('unknown profile "x"')

    await wrapper.setProps({ server: serverRecord({ uuid: 'uuid-db1', name: 'db1', status: 'offline', online: false }) })
    await flushPromises()
    expect(byId(wrapper, 'flx-create').element.disabled).toBe(true)
    expect(byId(wrapper, 'flx-create-offline').exists()).toBe(true)
  })
})

describe('FlxSnapshotsCard and .flx jobs', () => {
  beforeEach(() => resetRuntime())

  it('marks a .flx job’s snapshots as scheduled, and lists again when a job stores one', async () => {
    const JOB = '/data/flx/servers/uuid-web1/job-7/web1-2026-12-07_03-00-00.flxx.gz'
    const LATER = '/data/flx/servers/uuid-web1/job-7/web1-2026-12-08_03-00-00.flxx.gz'
    Desk.ListFlx.mockResolvedValueOnce([JOB, OLD]).mockResolvedValueOnce([LATER, OLD])
    const { wrapper } = await mountWith(FlxSnapshotsCard, { props: { server: serverRecord() } })
    const rows = () => wrapper.findAll('[data-testid="flx-snapshot-row"]')
    expect(rows().map((r) => r.find('[data-testid="flx-snapshot-scheduled"]').exists())).toEqual([true, false])

    // The job's next run stored LATER and its retention removed JOB.
    emit('flx:stored', { id: 40, kind: 'flx:stored', subject: 'uuid-web1', data: { job_id: 7, job: 'pbx', name: 'web1-2026-12-08_03-00-00.flxx.gz', removed: ['web1-2026-12-07_03-00-00.flxx.gz'] } })
    await flushPromises()
    expect(Desk.ListFlx).toHaveBeenCalledTimes(2)
    expect(rows().map((r) => r.attributes('data-path'))).toEqual([LATER, OLD])
  })
})
