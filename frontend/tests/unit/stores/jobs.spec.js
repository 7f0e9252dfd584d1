import { beforeEach, describe, expect, it, vi } from 'vitest'
import { createPinia, setActivePinia } from 'pinia'
import * as Desk from 'wailsjs/go/app/Desk.js'
import { emit, resetRuntime } from '../fake-runtime.js'
import { useJobsStore } from '@/stores/jobs.js'
import { useRunsStore } from '@/stores/runs.js'

vi.mock('wailsjs/go/app/Desk.js', () => import('../fake-desk.js'))
vi.mock('wailsjs/runtime/runtime.js', () => import('../fake-runtime.js'))

// A job as ListJobs sends it: spec and keep are JSON text.
const job = {
  id: 1,
  server_id: 1,
  server_name: 'web1',
  server_uuid: 'uuid-web1',
  name: 'etc',
  kind: 'files',
  spec: '{"kind":"files","paths":["/etc"],"compression":"lz4"}',
  schedule: '@daily',
  enabled: true,
  keep: '{"daily":7,"weekly":4}',
}
const parsed = { ...job, spec: { kind: 'files', paths: ['/etc'], compression: 'lz4' }, keep: { daily: 7, weekly: 4 } }

describe('jobs store', () => {
  beforeEach(() => {
    resetRuntime()
    setActivePinia(createPinia())
  })

  it('loads the jobs through ListJobs with spec and keep parsed', async () => {
    Desk.ListJobs.mockResolvedValue([job])
    const store = useJobsStore()
    await store.load()
    expect(Desk.ListJobs).toHaveBeenCalledTimes(1)
    expect(store.items).toEqual([parsed])
    expect(store.byId('1')).toEqual(parsed)
    expect(store.isEmpty).toBe(false)
  })

  it('shows a job whose spec is unreadable with an empty spec', async () => {
    Desk.ListJobs.mockResolvedValue([{ ...job, spec: '{not json', keep: '' }])
    const store = useJobsStore()
    await store.load()
    expect(store.items[0]).toMatchObject({ name: 'etc', spec: {}, keep: {} })
  })

  it('keeps the error Go rejected with and the last good list', async () => {
    Desk.ListJobs.mockResolvedValueOnce([job]).mockRejectedValueOnce(new Error('list jobs: disk I/O error'))
    const store = useJobsStore()
    await store.load()
    await store.load()
    expect(store.error).toBe('list jobs: disk I/O error')
    expect(store.items).toEqual([parsed])
  })

  it('refreshes jobs and runs on job:changed and clears an old error', async () => {
    Desk.ListJobs.mockRejectedValueOnce('boom').mockResolvedValueOnce([]).mockResolvedValueOnce([job])
    Desk.ListRuns.mockResolvedValue([])
    const store = useJobsStore()
    const runs = useRunsStore()
    await runs.load()
    await store.load()
    await store.load()
    expect(store.error).toBe('')
    expect(store.isEmpty).toBe(true)

    emit('job:changed', { id: 3, kind: 'job:changed', subject: 'uuid-web1', data: { job_id: 1 } })

    await vi.waitFor(() => expect(store.items).toEqual([parsed]))
    expect(Desk.ListJobs).toHaveBeenCalledTimes(3)
    await vi.waitFor(() => expect(Desk.ListRuns).toHaveBeenCalledTimes(2))
  })

  it('ignores events meant for other stores', async () => {
    Desk.ListJobs.mockResolvedValue([])
    const store = useJobsStore()
    await store.load()
    emit('server:changed', { id: 1 })
    emit('run:progress', { id: 2 })
    emit('run:progress', { id: 0, data: { run_id: 2, bytes: 10 } })
    await new Promise((r) => setTimeout(r, 0))
    expect(Desk.ListJobs).toHaveBeenCalledTimes(1)
  })

  it('creates a job with spec and keep as objects, as the wizard built them', async () => {
    const input = {
      server: 'uuid-web1',
      name: 'etc',
      spec: { kind: 'files', compression: 'lz4', paths: ['/etc'] },
      schedule: '30 3 * * *',
      keep: { daily: 7, weekly: 4 },
    }
    Desk.CreateJob.mockResolvedValue({ ...job, id: 9 })
    const store = useJobsStore()

    const result = await store.create(input)

    expect(Desk.CreateJob).toHaveBeenCalledWith(input)
    const [arg] = Desk.CreateJob.mock.calls[0]
    expect(typeof arg.spec).toBe('object')
    expect(typeof arg.keep).toBe('object')
    expect(result.ok).toBe(true)
    expect(result.value).toEqual({ ...parsed, id: 9 })
    expect(store.byId(9).spec.paths).toEqual(['/etc'])
  })

  it('gives back the sentence Go refused a job with', async () => {
    Desk.CreateJob.mockRejectedValue('invalid: schedule "61 * * * *": end of range (61) above maximum (59)')
    const store = useJobsStore()
    const result = await store.create({ server: 'web1', name: 'x', spec: { kind: 'files' }, schedule: '61 * * * *', keep: {} })
    expect(result).toEqual({ ok: false, value: null, error: 'invalid: schedule "61 * * * *": end of range (61) above maximum (59)' })
    expect(store.items).toEqual([])
  })

  it('runs a job by its id and shows the new run at once', async () => {
    const run = { id: 12, job_id: 1, job_name: 'etc', server_name: 'web1', status: 'queued', trigger: 'manual' }
    Desk.ListRuns.mockResolvedValue([{ id: 11, job_id: 1, status: 'succeeded' }])
    Desk.RunJob.mockResolvedValue(run)
    const store = useJobsStore()
    const runs = useRunsStore()
    await runs.load()

    const result = await store.run(parsed)

    expect(Desk.RunJob).toHaveBeenCalledWith('1')
    expect(result).toEqual({ ok: true, value: run, error: '' })
    expect(runs.items.map((r) => r.id)).toEqual([12, 11])
    expect(runs.lastRunByJob[1]).toEqual(run)
  })

  it('tells a prune held back from a failed one', async () => {
    const store = useJobsStore()
    Desk.PruneJob.mockResolvedValueOnce({ kept: ['etc@a'], pruned: ['etc@b'] })
    expect(await store.prune(parsed)).toEqual({ ok: true, value: { kept: ['etc@a'], pruned: ['etc@b'] }, error: '', held: false })
    expect(Desk.PruneJob).toHaveBeenCalledWith('1')

    Desk.PruneJob.mockRejectedValueOnce('prune held: prune of web1/etc held: 1 archive(s) Borgdesk made are gone')
    expect(await store.prune(parsed)).toMatchObject({ ok: false, held: true })

    Desk.PruneJob.mockRejectedValueOnce('unavailable: this coordinator holds no repositories')
    expect(await store.prune(parsed)).toMatchObject({ ok: false, held: false })
  })

  // A job's life after it was created (issue 18).
  const view = { ...job, schedule_description: { kind: 'daily', at: '03:00', expr: '0 3 * * *' }, next_run: '2026-11-23T03:00:00Z', schedules_paused: false }
  const storeJob = (over) => ({ ...job, ...over }) // store.Job: no view fields

  it('pauses a job: paused at once with no next run, then the list Go sends', async () => {
    Desk.ListJobs.mockResolvedValueOnce([view]).mockResolvedValueOnce([{ ...view, enabled: false, next_run: null }])
    Desk.SetJobEnabled.mockResolvedValue(storeJob({ enabled: false }))
    const store = useJobsStore()
    await store.load()

    const result = await store.setEnabled(store.byId(1), false)

    expect(Desk.SetJobEnabled).toHaveBeenCalledWith('1', false)
    expect(result.ok).toBe(true)
    expect(store.byId(1)).toMatchObject({ enabled: false, next_run: null, schedule_description: view.schedule_description })
    await vi.waitFor(() => expect(Desk.ListJobs).toHaveBeenCalledTimes(2))
  })

  it('previews an edit without touching the list, and shows an applied one', async () => {
    Desk.ListJobs.mockResolvedValue([view])
    const store = useJobsStore()
    await store.load()
    const input = { server: 'web1', name: 'etc', spec: { kind: 'files', paths: ['/etc', '/srv'] }, schedule: '0 3 * * *', keep: { daily: 7 } }
    const after = storeJob({ spec: '{"kind":"files","paths":["/etc","/srv"]}' })
    const changes = [{ field: 'spec.paths', from: '["/etc"]', to: '["/etc","/srv"]' }]

    Desk.EditJob.mockResolvedValueOnce({ job: after, changes, applied: false })
    expect((await store.edit(store.byId(1), input, true)).value.changes).toEqual(changes)
    expect(Desk.EditJob).toHaveBeenLastCalledWith('1', input, true)
    expect(store.byId(1).spec.paths).toEqual(['/etc'])

    Desk.EditJob.mockResolvedValueOnce({ job: after, changes, applied: true })
    await store.edit(store.byId(1), input, false)
    expect(Desk.EditJob).toHaveBeenLastCalledWith('1', input, false)
    expect(store.byId(1).spec.paths).toEqual(['/etc', '/srv'])

    Desk.EditJob.mockRejectedValueOnce('invalid input: a files job needs at least one path (--paths)')
    expect(await store.edit(store.byId(1), input, true)).toMatchObject({ ok: false, error: 'invalid input: a files job needs at least one path (--paths)' })
  })

  it('duplicates onto another server and lists the copy', async () => {
    const copy = storeJob({ id: 7, name: 'etc-copy', server_uuid: 'uuid-web2' })
    Desk.ListJobs.mockResolvedValueOnce([view]).mockResolvedValue([view, { ...view, ...copy }])
    Desk.DuplicateJob.mockResolvedValue(copy)
    const store = useJobsStore()
    await store.load()
    const result = await store.duplicate(store.byId(1), 'etc-copy', 'uuid-web2')
    expect(Desk.DuplicateJob).toHaveBeenCalledWith('1', 'etc-copy', 'uuid-web2')
    expect(result.value.id).toBe(7)
    expect(store.byId(7)).toMatchObject({ name: 'etc-copy', spec: { kind: 'files' } })
    await vi.waitFor(() => expect(Desk.ListJobs).toHaveBeenCalledTimes(2))
    expect(store.byId(7)).toMatchObject({ name: 'etc-copy', schedule_description: view.schedule_description })
  })

  it('deletes with the typed name only when the archives go too, and forgets the job when told', async () => {
    Desk.ListJobs.mockResolvedValue([view])
    Desk.DeleteJob.mockResolvedValue({ job: storeJob(), archives_deleted: [], archives_kept: true })
    const store = useJobsStore()
    await store.load()

    await store.remove(store.byId(1), false, 'etc')
    expect(Desk.DeleteJob).toHaveBeenLastCalledWith('1', false, '')
    expect(store.byId(1)).not.toBeNull() // the page showing it leaves first
    await store.remove(store.byId(1), true, 'etc')
    expect(Desk.DeleteJob).toHaveBeenLastCalledWith('1', true, 'etc')
    store.forget(1)
    expect(store.byId(1)).toBeNull()

    Desk.DeleteJob.mockRejectedValueOnce('already exists: run 9 of job etc is queued or running: cancel it first (borgdesk job cancel 9), then delete the job')
    expect((await store.remove(view, false, '')).error).toContain('cancel it first')
  })

  it('backs up a server through Go and shows the runs it queued at once', async () => {
    const queued = { id: 20, job_id: 1, job_name: 'etc', server_name: 'web1', status: 'queued', trigger: 'manual' }
    Desk.ListRuns.mockResolvedValue([])
    Desk.BackupServer.mockResolvedValue({ server: 'web1', runs: [queued], paused: ['db'] })
    const store = useJobsStore()
    const runs = useRunsStore()
    await runs.load()

    const result = await store.backupServer('uuid-web1')

    expect(Desk.BackupServer).toHaveBeenCalledWith('uuid-web1')
    expect(result.value.paused).toEqual(['db'])
    expect(runs.lastRunByJob[1]).toEqual(queued)
  })
})
