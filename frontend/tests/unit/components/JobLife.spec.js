import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest'
import { enableAutoUnmount, flushPromises } from '@vue/test-utils'
import * as Desk from 'wailsjs/go/app/Desk.js'
import { resetRuntime } from '../fake-runtime.js'
import { describeSchedule, settle } from '../fake-schedule.js'
import { mountWith, serverRecord } from '../mount.js'
import EditJobPage from '@/pages/EditJobPage.vue'
import JobDetailPage from '@/pages/JobDetailPage.vue'
import NextRuns from '@/components/dashboard/NextRuns.vue'

vi.mock('wailsjs/go/app/Desk.js', () => import('../fake-desk.js'))
vi.mock('wailsjs/runtime/runtime.js', () => import('../fake-runtime.js'))

// A job's life after it was created: the edit page, pause, duplicate and
// delete on the job page, the dashboard's next runs.
const NOW = new Date('2026-11-22T08:00:00Z')
const job = {
  id: 1,
  server_id: 1,
  server_name: 'web1',
  server_uuid: 'uuid-web1',
  name: 'etc',
  kind: 'files',
  spec: '{"kind":"files","paths":["/etc"],"compression":"lz4"}',
  schedule: '0 3 * * *',
  schedule_description: { kind: 'daily', at: '03:00', expr: '0 3 * * *' },
  next_run: '2026-11-23T03:00:00Z',
  last_scheduled: null,
  schedules_paused: false,
  enabled: true,
  keep: '{"daily":7}',
  last_scheduled_at: null,
  drill_schedule: '',
  last_drill_at: null,
  created_at: '2026-11-03T10:00:00Z',
  updated_at: '2026-11-03T10:00:00Z',
  notify_success: true,
}
const input = { server: 'web1', name: 'etc', spec: { kind: 'files', paths: ['/etc'], compression: 'lz4' }, schedule: '0 3 * * *', keep: { daily: 7 }, notify_success: true }
const get = (wrapper, id) => wrapper.get(`[data-testid="${id}"]`)
const byTest = (id) => document.body.querySelector(`[data-testid="${id}"]`)

enableAutoUnmount(afterEach)

beforeEach(() => {
  resetRuntime()
  vi.useFakeTimers({ toFake: ['Date', 'setInterval', 'clearInterval'] })
  vi.setSystemTime(NOW)
  Desk.ListJobs.mockResolvedValue([job])
  Desk.ListJobRuns.mockResolvedValue([])
  Desk.ListDrills.mockResolvedValue([])
  Desk.ListServers.mockResolvedValue([serverRecord(), serverRecord({ id: 2, uuid: 'uuid-web2', name: 'web2' })])
  Desk.GetJobInput.mockResolvedValue(input)
  Desk.DescribeSchedule.mockImplementation(describeSchedule)
})
afterEach(() => vi.useRealTimers())

describe('EditJobPage', () => {
  it('starts from the job, lists Go’s changes and saves them', async () => {
    const changes = [{ field: 'schedule', from: '"0 3 * * *"', to: '"30 3 * * *"' }]
    Desk.EditJob.mockImplementation(async (_, __, preview) => ({ job: { ...job, schedule: '30 3 * * *' }, changes, applied: !preview }))
    const { wrapper, router } = await mountWith(EditJobPage, { path: '/jobs/1/edit', attach: true })
    await flushPromises()

    expect(Desk.GetJobInput).toHaveBeenCalledTimes(1)
    expect(Desk.GetJobInput).toHaveBeenCalledWith('1')
    expect(get(wrapper, 'job-name').element.value).toBe('etc')
    expect(get(wrapper, 'job-name').attributes('disabled')).toBeDefined()
    expect(get(wrapper, 'job-server').attributes('disabled')).toBeDefined()

    await get(wrapper, 'wizard-next').trigger('submit')
    await settle()
    await get(wrapper, 'schedule-time').setValue('03:30')
    await get(wrapper, 'edit-review').trigger('click')
    await flushPromises()

    expect(Desk.EditJob).toHaveBeenLastCalledWith('1', { ...input, schedule: '30 3 * * *' }, true)
    const change = get(wrapper, 'edit-change')
    expect(change.attributes('data-field')).toBe('schedule')
    expect(change.text()).toContain('Schedule')
    expect(get(wrapper, 'edit-change-from').text()).toBe('0 3 * * *')
    expect(get(wrapper, 'edit-change-to').text()).toBe('30 3 * * *')
    expect(get(wrapper, 'edit-applies').text()).toContain('apply from the next run')

    await get(wrapper, 'edit-form').trigger('submit')
    await flushPromises()
    expect(Desk.EditJob).toHaveBeenLastCalledWith('1', { ...input, schedule: '30 3 * * *' }, false)
    expect(router.currentRoute.value.fullPath).toBe('/jobs/1?edited=1')
  })

  it('shows Go’s refusal as sent and keeps Save off', async () => {
    Desk.EditJob.mockRejectedValue('invalid input: job etc is a files job; its kind cannot become "mysql" (create a new job for that)')
    const { wrapper } = await mountWith(EditJobPage, { path: '/jobs/1/edit', attach: true })
    await flushPromises()
    await get(wrapper, 'edit-review').trigger('click')
    await flushPromises()
    expect(get(wrapper, 'edit-error').text()).toContain('its kind cannot become "mysql" (create a new job for that)')
    expect(get(wrapper, 'edit-save').attributes('disabled')).toBeDefined()
  })
})

describe('the job page', () => {
  it('pauses the job: the page says paused and has no next run', async () => {
    Desk.SetJobEnabled.mockResolvedValue({ ...job, enabled: false })
    const { wrapper } = await mountWith(JobDetailPage, { path: '/jobs/1', attach: true })
    await flushPromises()
    expect(get(wrapper, 'job-state').text()).toBe('Enabled')
    expect(wrapper.find('[data-testid="job-paused-note"]').exists()).toBe(false)

    // What Go lists once the job is paused.
    Desk.ListJobs.mockResolvedValue([{ ...job, enabled: false, next_run: null }])
    await get(wrapper, 'job-toggle').trigger('click')
    await flushPromises()
    expect(Desk.SetJobEnabled).toHaveBeenCalledWith('1', false)
    expect(get(wrapper, 'job-state').text()).toBe('Paused')
    expect(get(wrapper, 'job-toggle').text()).toBe('Resume')
    expect(get(wrapper, 'job-paused-note').text()).toContain('Its archives are kept')
    expect(get(wrapper, 'job-next-run').text()).toBe('None: paused')
  })

  it('shows why Go would not pause it', async () => {
    Desk.SetJobEnabled.mockRejectedValue('job "1": not found')
    const { wrapper } = await mountWith(JobDetailPage, { path: '/jobs/1', attach: true })
    await flushPromises()
    await get(wrapper, 'job-toggle').trigger('click')
    await flushPromises()
    expect(wrapper.text()).toContain('job "1": not found')
    expect(get(wrapper, 'job-state').text()).toBe('Enabled')
  })

  it('deletes with its archives only once the job’s name is typed', async () => {
    Desk.DeleteJob.mockResolvedValue({ job, archives_deleted: ['etc@2026-11-21T03.00.00Z', 'etc@2026-11-22T03.00.00Z'], archives_kept: false })
    const { wrapper, router } = await mountWith(JobDetailPage, { path: '/jobs/1', attach: true })
    await flushPromises()
    await get(wrapper, 'job-delete').trigger('click')
    await flushPromises()

    const confirm = () => byTest('delete-confirm')
    expect(byTest('delete-keep-archives').checked).toBe(true)
    expect(confirm().disabled).toBe(false)
    byTest('delete-with-archives').click()
    await flushPromises()
    expect(confirm().disabled).toBe(true)
    const typed = byTest('delete-confirm-name')
    typed.value = 'et'
    typed.dispatchEvent(new Event('input'))
    await flushPromises()
    expect(confirm().disabled).toBe(true)
    typed.value = 'etc'
    typed.dispatchEvent(new Event('input'))
    await flushPromises()
    expect(confirm().disabled).toBe(false)

    confirm().click()
    await flushPromises()
    expect(Desk.DeleteJob).toHaveBeenCalledWith('1', true, 'etc')
    expect(router.currentRoute.value.fullPath).toBe('/jobs?deleted=etc&server=web1&archives=2')
  })

  it('duplicates onto another server and opens the copy', async () => {
    Desk.DuplicateJob.mockResolvedValue({ ...job, id: 9, name: 'etc-copy', server_id: 2, server_name: 'web2', server_uuid: 'uuid-web2' })
    const { wrapper, router } = await mountWith(JobDetailPage, { path: '/jobs/1', attach: true })
    await flushPromises()
    await get(wrapper, 'job-duplicate').trigger('click')
    await flushPromises()

    expect(byTest('duplicate-name').value).toBe('etc-copy')
    const server = byTest('duplicate-server')
    expect([...server.options].map((o) => o.textContent.trim())).toEqual(['web1 (the same server)', 'web2'])
    server.value = 'uuid-web2'
    server.dispatchEvent(new Event('change'))
    byTest('duplicate-confirm').click()
    await flushPromises()
    expect(Desk.DuplicateJob).toHaveBeenCalledWith('1', 'etc-copy', 'uuid-web2')
    expect(router.currentRoute.value.fullPath).toBe('/jobs/9')
  })
})

describe('NextRuns', () => {
  it('lists Go’s next runs soonest first, names the paused jobs and says when schedules are paused', async () => {
    const jobs = [
      { ...job, id: 1, name: 'late', next_run: '2026-11-23T03:00:00Z' },
      { ...job, id: 2, name: 'soon', next_run: '2026-11-22T09:00:00Z' },
      { ...job, id: 3, name: 'off', enabled: false, next_run: null },
    ]
    const { wrapper } = await mountWith(NextRuns, { props: { jobs } })
    expect(wrapper.findAll('[data-testid="next-run"]').map((r) => r.attributes('data-job'))).toEqual(['web1/soon', 'web1/late'])
    expect(get(wrapper, 'next-run-at').text()).toBe('in 1 hour')
    expect(get(wrapper, 'next-runs-paused').text()).toBe('Paused: web1/off.')
    expect(wrapper.find('[data-testid="next-runs-held"]').exists()).toBe(false)

    await wrapper.setProps({ jobs: jobs.map((j) => ({ ...j, schedules_paused: true })) })
    expect(get(wrapper, 'next-runs-held').text()).toContain('Schedules are paused')
  })
})
