import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest'
import { enableAutoUnmount, flushPromises } from '@vue/test-utils'
import * as Desk from 'wailsjs/go/app/Desk.js'
import { resetRuntime } from '../fake-runtime.js'
import { mountWith, serverRecord } from '../mount.js'
import { describeSchedule, settle } from '../fake-schedule.js'
import NewJobPage from '@/pages/NewJobPage.vue'

vi.mock('wailsjs/go/app/Desk.js', () => import('../fake-desk.js'))
vi.mock('wailsjs/runtime/runtime.js', () => import('../fake-runtime.js'))

const get = (wrapper, id) => wrapper.get(`[data-testid="${id}"]`)
const find = (wrapper, id) => wrapper.find(`[data-testid="${id}"]`)
async function next(wrapper) {
  await wrapper.get('form').trigger('submit')
  await flushPromises()
}

enableAutoUnmount(afterEach)

// The .flx kind: a scheduled configuration snapshot kept by the coordinator.
describe('New job wizard, .flx snapshots', () => {
  beforeEach(() => {
    resetRuntime()
    Desk.ListServers.mockResolvedValue([serverRecord()])
    Desk.CreateJob.mockResolvedValue({ id: 9, server_id: 1, server_name: 'web1', server_uuid: 'uuid-web1', name: 'snapshots', kind: 'flx', spec: '{}', keep: '{}', schedule: '' })
    Desk.DescribeSchedule.mockImplementation(describeSchedule)
  })

  it('asks for the profile, type and sanitizing, keeps 7/4/12, and sends a .flx spec without borg options or hooks', async () => {
    const { wrapper } = await mountWith(NewJobPage, { path: '/jobs/new', attach: true })
    await get(wrapper, 'job-server').setValue('uuid-web1')
    await get(wrapper, 'job-kind-flx').get('input').setValue(true)

    expect(get(wrapper, 'job-name').element.value).toBe('snapshots')
    expect(find(wrapper, 'job-compression').exists()).toBe(false)
    expect(find(wrapper, 'job-pre').exists()).toBe(false)
    expect(get(wrapper, 'job-flx-profile').element.value).toBe('flexpbx')
    await get(wrapper, 'job-flx-type').setValue('flxx')
    await get(wrapper, 'job-flx-sanitize').setValue(false)
    await next(wrapper)
    await settle()
    await next(wrapper)
    expect(get(wrapper, 'keep-monthly').element.value).toBe('12')
    await next(wrapper)
    expect(get(wrapper, 'review-storage').text()).toContain("kept in this coordinator's data dir")
    expect(get(wrapper, 'review').text()).not.toContain('Compression')
    await get(wrapper, 'wizard-create').trigger('click')
    await flushPromises()

    expect(Desk.CreateJob).toHaveBeenCalledWith({
      server: 'uuid-web1',
      name: 'snapshots',
      spec: { kind: 'flx', flx: { profile: 'flexpbx', type: 'flxx', keep_secrets: true } },
      schedule: '0 3 * * *',
      keep: { daily: 7, weekly: 4, monthly: 12 },
    })
  })

  it('gives a files job its own retention back when the kind changes again', async () => {
    const { wrapper } = await mountWith(NewJobPage, { path: '/jobs/new', attach: true })
    await get(wrapper, 'job-kind-flx').get('input').setValue(true)
    await get(wrapper, 'job-kind-files').get('input').setValue(true)
    expect(get(wrapper, 'job-compression').exists()).toBe(true)
    await get(wrapper, 'job-server').setValue('uuid-web1')
    await next(wrapper)
    await settle()
    await next(wrapper)
    expect(get(wrapper, 'keep-monthly').element.value).toBe('6')
  })
})
