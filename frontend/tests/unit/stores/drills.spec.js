import { beforeEach, describe, expect, it, vi } from 'vitest'
import { createPinia, setActivePinia } from 'pinia'
import { flushPromises } from '@vue/test-utils'
import * as Desk from 'wailsjs/go/app/Desk.js'
import { emit, resetRuntime } from '../fake-runtime.js'
import { DRILLS_LIMIT, useDrillsStore } from '@/stores/drills.js'
import { useJobsStore } from '@/stores/jobs.js'

vi.mock('wailsjs/go/app/Desk.js', () => import('../fake-desk.js'))
vi.mock('wailsjs/runtime/runtime.js', () => import('../fake-runtime.js'))

const JOB = { id: 1, server_uuid: 'uuid-web1' }
const drill = (id, job_id, status) => ({ id, job_id, status, mode: 'sample', archive: 'a', checked: 0, files: 0, mismatches: 0, error: '' })

describe('drills store', () => {
  beforeEach(() => {
    resetRuntime()
    setActivePinia(createPinia())
  })

  it('lists the drills of the open job from its server, again on drill:changed', async () => {
    Desk.ListDrills.mockResolvedValue([drill(3, 1, 'passed'), drill(2, 9, 'failed')])
    const store = useDrillsStore()
    await store.openJob(JOB)
    expect(Desk.ListDrills).toHaveBeenCalledWith('uuid-web1', DRILLS_LIMIT)
    expect(store.items.map((d) => d.id)).toEqual([3])

    Desk.ListDrills.mockResolvedValue([drill(4, 1, 'running'), drill(3, 1, 'passed')])
    emit('drill:changed', { id: 5, kind: 'drill:changed', data: { id: 4, status: 'running' } })
    await flushPromises()
    expect(store.items.map((d) => `${d.id}:${d.status}`)).toEqual(['4:running', '3:passed'])
  })

  it('run sends the job id and full, and shows the running drill at once', async () => {
    Desk.ListDrills.mockResolvedValue([])
    Desk.RunDrill.mockResolvedValue(drill(7, 1, 'running'))
    const store = useDrillsStore()
    await store.openJob(JOB)
    const result = await store.run(JOB, true)
    expect(result.ok).toBe(true)
    expect(Desk.RunDrill).toHaveBeenCalledWith('1', true)
    expect(store.items.map((d) => d.id)).toEqual([7])
  })

  it('setSchedule saves the trimmed cron and puts the job Go answered in the jobs list', async () => {
    Desk.ListJobs.mockResolvedValue([{ id: 1, name: 'etc', spec: '{}', keep: '{}', drill_schedule: '' }])
    const jobs = useJobsStore()
    await jobs.load()
    Desk.SetJobDrillSchedule.mockResolvedValue({ id: 1, name: 'etc', spec: '{}', keep: '{}', drill_schedule: '0 5 * * 0' })
    const result = await useDrillsStore().setSchedule(JOB, ' 0 5 * * 0 ')
    expect(Desk.SetJobDrillSchedule).toHaveBeenCalledWith('1', '0 5 * * 0')
    expect(result.ok).toBe(true)
    expect(jobs.byId(1).drill_schedule).toBe('0 5 * * 0')
  })
})
