import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest'
import { enableAutoUnmount, flushPromises } from '@vue/test-utils'
import * as Desk from 'wailsjs/go/app/Desk.js'
import { emit, resetRuntime } from '../fake-runtime.js'
import { mountWith } from '../mount.js'
import JobDetailPage from '@/pages/JobDetailPage.vue'

vi.mock('wailsjs/go/app/Desk.js', () => import('../fake-desk.js'))
vi.mock('wailsjs/runtime/runtime.js', () => import('../fake-runtime.js'))

const NOW = new Date('2026-11-22T08:00:00Z')
const job = {
  id: 1,
  server_id: 1,
  server_name: 'web1',
  server_uuid: 'uuid-web1',
  name: 'etc',
  kind: 'files',
  spec: '{"kind":"files","paths":["/etc","/var/www"],"compression":"lz4"}',
  schedule: 'CRON_TZ=Europe/Paris 30 3 * * *',
  schedule_description: { kind: 'daily', at: '03:30', zone: 'Europe/Paris', expr: '30 3 * * *' },
  next_run: '2026-11-23T02:30:00Z',
  last_scheduled: null,
  enabled: true,
  keep: '{"daily":7,"weekly":4}',
  last_scheduled_at: null,
  created_at: '2026-11-03T10:00:00Z',
}
const done = {
  id: 4,
  job_id: 1,
  job_name: 'etc',
  server_name: 'web1',
  status: 'succeeded',
  trigger: 'schedule',
  attempt: 1,
  started_at: '2026-11-21T03:00:00Z',
  finished_at: '2026-11-21T03:04:10Z',
  archive: 'etc@2026-11-21T03.00.00Z',
  bytes: 1.5e9,
  files: 48213,
  deduplicated: 30e6,
  error: '',
}
const failed = { ...done, id: 3, status: 'failed', bytes: 0, files: 0, deduplicated: 0, archive: '', error: 'borg: repository locked' }

const get = (wrapper, id) => wrapper.get(`[data-testid="${id}"]`)

async function open() {
  const { wrapper } = await mountWith(JobDetailPage, { path: '/jobs/1', attach: true })
  await flushPromises()
  return wrapper
}

enableAutoUnmount(afterEach)

describe('JobDetailPage', () => {
  beforeEach(() => {
    resetRuntime()
    vi.useFakeTimers({ toFake: ['Date', 'setInterval', 'clearInterval'] })
    vi.setSystemTime(NOW)
    Desk.ListJobs.mockResolvedValue([job])
    Desk.ListJobRuns.mockResolvedValue([done, failed])
  })
  afterEach(() => vi.useRealTimers())

  it('shows what, when, how long to keep and the history with sizes and dedup', async () => {
    const wrapper = await open()
    expect(Desk.ListJobRuns).toHaveBeenCalledWith('1', 50)
    expect(get(wrapper, 'page-title').text()).toBe('etc')
    expect(get(wrapper, 'job-targets').text()).toBe('/etc/var/www')
    expect(get(wrapper, 'job-schedule-text').text()).toBe('daily at 03:30 (Europe/Paris)')
    expect(wrapper.find('[data-testid="job-last-scheduled"]').exists()).toBe(false)
    expect(get(wrapper, 'job-next-run').text()).toContain('2026')
    expect(get(wrapper, 'job-keep-text').text()).toContain('one a day for 7 days and one a week for 4 weeks')

    const rows = wrapper.findAll('[data-testid="run-row"]')
    expect(rows).toHaveLength(2)
    expect(rows[0].text()).toContain('4 min 10 sec')
    expect(rows[0].text()).toContain('48,213')
    expect(rows[0].get('[data-testid="run-read"]').text()).toBe('1.4 GiB')
    expect(rows[0].get('[data-testid="run-new"]').text()).toContain('28.6 MiB')
    expect(rows[0].get('[data-testid="run-new"]').text()).toContain('2% of read')
    expect(rows[0].get('[data-testid="run-archive"]').text()).toBe('2026-11-21T03.00.00Z')
    expect(rows[1].get('[data-testid="run-read"]').text()).toBe('—')
  })

  it('runs now and follows the run live, without fetching again', async () => {
    const queued = { ...done, id: 5, status: 'queued', trigger: 'manual', started_at: '2026-11-22T08:00:00Z', finished_at: null, bytes: 0, files: 0, archive: '' }
    Desk.RunJob.mockResolvedValue(queued)
    const wrapper = await open()

    await get(wrapper, 'run-now').trigger('click')
    await flushPromises()
    expect(Desk.RunJob).toHaveBeenCalledWith('1')
    expect(get(wrapper, 'run-progress').text()).toContain('Queued')
    expect(get(wrapper, 'run-now').attributes('disabled')).toBeDefined()

    const live = (at, files, bytes, path) => ({ id: 0, at, kind: 'run:progress', subject: 'uuid-web1', data: { run_id: 5, status: 'running', files, bytes, path } })
    emit('run:progress', live('2026-11-22T08:00:30Z', 10, 100e6, '/etc/hosts'))
    emit('run:progress', live('2026-11-22T08:00:32Z', 900, 300e6, '/var/www/index.html'))
    await flushPromises()

    expect(get(wrapper, 'run-progress').text()).toContain('Backing up')
    expect(get(wrapper, 'progress-files').text()).toBe('900')
    expect(get(wrapper, 'progress-bytes').text()).toBe('286.1 MiB')
    expect(get(wrapper, 'progress-speed').text()).toBe('95.4 MiB/s')
    expect(get(wrapper, 'progress-path').text()).toBe('/var/www/index.html')
    expect(get(wrapper, 'progress-elapsed').text()).toBe('0:32')
    expect(Desk.ListJobRuns).toHaveBeenCalledTimes(1)
  })

  it('opens a run’s log with its error', async () => {
    Desk.GetRun.mockResolvedValue({ ...failed, log: 'Connecting…\nborg: error: repository locked\ndone' })
    const wrapper = await open()
    await wrapper.findAll('[data-testid="run-row"]')[1].trigger('click')
    await flushPromises()

    expect(Desk.GetRun).toHaveBeenCalledWith(3)
    expect(get(wrapper, 'run-log-error').text()).toBe('borg: repository locked')
    const lines = wrapper.findAll('[data-testid="log-line"]')
    expect(lines).toHaveLength(3)
    expect(lines[1].attributes('data-level')).toBe('error')
    expect(lines[0].attributes('data-level')).toBeUndefined()
  })

  it('applies retention after asking, and shows a held prune as a warning', async () => {
    Desk.PruneJob.mockRejectedValue('prune held: prune of web1/etc held: 1 archive(s) Borgdesk made are gone')
    const wrapper = await open()
    await get(wrapper, 'prune-button').trigger('click')
    expect(get(wrapper, 'prune-dialog').text()).toContain('7 daily, 4 weekly')
    await get(wrapper, 'confirm-button').trigger('click')
    await flushPromises()

    expect(Desk.PruneJob).toHaveBeenCalledWith('1')
    expect(get(wrapper, 'prune-result').attributes('data-outcome')).toBe('held')
    expect(get(wrapper, 'prune-held').text()).toBe('prune held: prune of web1/etc held: 1 archive(s) Borgdesk made are gone')
  })
})

describe('JobDetailPage of a .flx job', () => {
  beforeEach(() => {
    resetRuntime()
    const flx = { ...job, name: 'pbx', kind: 'flx', spec: '{"kind":"flx","flx":{"profile":"flexpbx","type":"flxx"}}', keep: '{"daily":7,"weekly":4,"monthly":12}' }
    Desk.ListJobs.mockResolvedValue([flx])
    Desk.ListJobRuns.mockResolvedValue([{ ...done, job_name: 'pbx', archive: 'pbx1-2026-11-21_03-00-00.flxx.gz', deduplicated: 0 }])
  })

  it('says what it snapshots, and its runs name their snapshot files without a link to the archive browser', async () => {
    const wrapper = await open()
    expect(get(wrapper, 'job-targets').text()).toBe('flexpbx .flxx')
    const row = get(wrapper, 'run-row')
    expect(row.get('[data-testid="run-archive"]').text()).toBe('pbx1-2026-11-21_03-00-00.flxx.gz')
    expect(row.find('[data-testid="run-archive-link"]').exists()).toBe(false)
  })
})
