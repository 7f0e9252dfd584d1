import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest'
import { enableAutoUnmount, flushPromises } from '@vue/test-utils'
import * as Desk from 'wailsjs/go/app/Desk.js'
import { resetRuntime } from '../fake-runtime.js'
import { mountWith, serverRecord } from '../mount.js'
import { nodeRecord } from '../target-records.js'
import { describeSchedule, settle } from '../fake-schedule.js'
import NewJobPage from '@/pages/NewJobPage.vue'

vi.mock('wailsjs/go/app/Desk.js', () => import('../fake-desk.js'))
vi.mock('wailsjs/runtime/runtime.js', () => import('../fake-runtime.js'))

const web1 = serverRecord()
const db1 = serverRecord({ id: 2, uuid: 'uuid-db1', name: 'db1', status: 'offline', online: false })
const pending = serverRecord({ id: 3, uuid: 'uuid-new', name: 'new', status: 'pending' })
const revoked = serverRecord({ id: 4, uuid: 'uuid-old', name: 'old', status: 'revoked' })

const created = { id: 7, server_id: 1, server_name: 'web1', server_uuid: 'uuid-web1', name: 'etc', kind: 'files', spec: '{}', keep: '{}', schedule: '' }

async function open(locale = 'en') {
  const { wrapper, router } = await mountWith(NewJobPage, { locale, path: '/jobs/new', attach: true })
  return { wrapper, router }
}

const get = (wrapper, id) => wrapper.get(`[data-testid="${id}"]`)
const find = (wrapper, id) => wrapper.find(`[data-testid="${id}"]`)

// Next is the form's submit button: Enter in a field goes on too.
async function next(wrapper) {
  await wrapper.get('form').trigger('submit')
  await flushPromises()
}

async function fillWhat(wrapper, { server = 'uuid-web1', name = 'etc', paths = '/etc\n/var/www' } = {}) {
  await get(wrapper, 'job-server').setValue(server)
  await get(wrapper, 'job-name').setValue(name)
  await get(wrapper, 'job-paths').setValue(paths)
}

const heading = (wrapper) => get(wrapper, 'wizard-heading').text()

enableAutoUnmount(afterEach)

describe('New job wizard', () => {
  beforeEach(() => {
    resetRuntime()
    Desk.ListServers.mockResolvedValue([web1, db1, pending, revoked])
    Desk.CreateJob.mockResolvedValue(created)
    Desk.DescribeSchedule.mockImplementation(describeSchedule)
  })

  it('offers only enrolled servers that are not revoked, and the six kinds', async () => {
    const { wrapper } = await open()
    const options = get(wrapper, 'job-server').findAll('option').map((o) => o.text())
    expect(options).toEqual(['Choose a server…', 'web1', 'db1'])
    for (const kind of ['files', 'mysql', 'postgres', 'mongo', 'docker', 'lvm']) expect(find(wrapper, `job-kind-${kind}`).exists()).toBe(true)
    expect(get(wrapper, 'wizard-step-what').attributes('aria-current')).toBe('step')
  })

  it.each([
    [{ name: 'etc and www' }, 'name', 'Start with a letter or digit'],
    [{ name: '' }, 'name', 'Enter a name for the job.'],
    [{ paths: 'etc\n/var/www' }, 'paths', 'Every path must be absolute, starting with /.'],
    [{ paths: '' }, 'paths', 'Enter at least one path to back up.'],
  ])('stops at %j without calling Go', async (over, field, message) => {
    const { wrapper } = await open()
    await fillWhat(wrapper, over)
    await next(wrapper)

    expect(get(wrapper, `error-${field}`).text()).toContain(message)
    expect(wrapper.find('[aria-invalid="true"]').exists()).toBe(true)
    expect(heading(wrapper)).toBe('What to back up')
    expect(Desk.CreateJob).not.toHaveBeenCalled()
  })

  it('asks for a hook with an absolute program path', async () => {
    const { wrapper } = await open()
    await fillWhat(wrapper)
    await get(wrapper, 'job-pre').setValue('systemctl stop nginx')
    await next(wrapper)
    expect(get(wrapper, 'error-pre').text()).toContain('absolute path of its program')
    expect(heading(wrapper)).toBe('What to back up')
  })

  it('warns when the server did not report the tool a kind needs', async () => {
    const { wrapper } = await open()
    await get(wrapper, 'job-server').setValue('uuid-web1')
    await get(wrapper, 'job-kind-postgres').get('input').setValue(true)
    expect(get(wrapper, 'missing-tool').text()).toBe('web1 has not reported pg_dump: install it there, or the backup will fail.')
    await get(wrapper, 'job-kind-mysql').get('input').setValue(true)
    expect(find(wrapper, 'missing-tool').exists()).toBe(false)
  })

  async function toWhen(wrapper) {
    await fillWhat(wrapper)
    await next(wrapper)
    expect(heading(wrapper)).toBe('When to run')
  }

  it.each([
    ['hourly', {}, '0 * * * *', 'Every hour'],
    ['daily', { time: '03:30' }, '30 3 * * *', 'Daily at 03:30'],
    ['weekly', { day: '1', time: '02:00' }, '0 2 * * 1', 'Every Monday at 02:00'],
  ])('turns the %s preset into cron', async (mode, fields, cron, words) => {
    const { wrapper } = await open()
    await toWhen(wrapper)
    await get(wrapper, `schedule-mode-${mode}`).get('input').setValue(true)
    if (fields.day) await get(wrapper, 'schedule-day').setValue(fields.day)
    if (fields.time) await get(wrapper, 'schedule-time').setValue(fields.time)

    expect(get(wrapper, 'schedule-cron-text').text()).toBe(cron)
    await settle()
    expect(get(wrapper, 'schedule-hint').text().toLowerCase()).toBe(words.toLowerCase())
  })

  it('checks a custom cron as it is typed and will not go on with a bad one', async () => {
    const { wrapper } = await open()
    await toWhen(wrapper)
    await get(wrapper, 'schedule-mode-custom').get('input').setValue(true)
    // Leaving the daily preset, Cron starts from its expression.
    expect(get(wrapper, 'schedule-cron').element.value).toBe('0 3 * * *')
    await get(wrapper, 'schedule-cron').setValue('')
    expect(get(wrapper, 'schedule-hint').text()).toBe('Enter a cron expression.')
    await get(wrapper, 'schedule-cron').setValue('61 * * * *')
    await settle()
    expect(Desk.DescribeSchedule).toHaveBeenLastCalledWith('61 * * * *', 'uuid-web1')
    expect(get(wrapper, 'schedule-hint').text()).toBe('Borgdesk cannot use this schedule.')
    expect(get(wrapper, 'schedule-refusal').text()).toContain('bad expression')
    await next(wrapper)
    expect(heading(wrapper)).toBe('When to run')

    await get(wrapper, 'schedule-cron').setValue('*/5 * * * *')
    await settle()
    expect(get(wrapper, 'schedule-hint').text()).toBe('every 5 minutes')
    await next(wrapper)
    expect(heading(wrapper)).toBe('How long to keep the archives')
  })

  it('puts the time zone in a CRON_TZ prefix, offering the browser’s', async () => {
    const zone = Intl.DateTimeFormat().resolvedOptions().timeZone
    const { wrapper } = await open()
    await toWhen(wrapper)
    await get(wrapper, 'schedule-time').setValue('03:30')
    await get(wrapper, 'schedule-zone-on').setValue(true)
    expect(get(wrapper, 'schedule-zone').element.value).toBe(zone)
    expect(get(wrapper, 'schedule-cron-text').text()).toBe(`CRON_TZ=${zone} 30 3 * * *`)

    await get(wrapper, 'schedule-zone').setValue('Europe/Paris')
    expect(get(wrapper, 'schedule-cron-text').text()).toBe('CRON_TZ=Europe/Paris 30 3 * * *')
    await settle()
    expect(get(wrapper, 'schedule-hint').text()).toBe('daily at 03:30 (Europe/Paris)')
    await get(wrapper, 'schedule-zone').setValue('Mars/Olympus')
    expect(get(wrapper, 'schedule-hint').text()).toContain('“Mars/Olympus” is not a time zone')
  })

  it('starts with 7 daily, 4 weekly, 6 monthly and says what a policy means', async () => {
    const { wrapper } = await open()
    await toWhen(wrapper)
    await next(wrapper)

    expect(get(wrapper, 'keep-daily').element.value).toBe('7')
    expect(get(wrapper, 'keep-weekly').element.value).toBe('4')
    expect(get(wrapper, 'keep-monthly').element.value).toBe('6')
    expect(get(wrapper, 'keep-summary').text()).toBe(
      'Keeps the newest archives: one a day for 7 days, one a week for 4 weeks, and one a month for 6 months. Older archives are pruned after each successful backup.',
    )
    await get(wrapper, 'keep-within-count').setValue('2')
    await get(wrapper, 'keep-yearly').setValue('1')
    expect(get(wrapper, 'keep-summary').text()).toBe(
      'Keeps every archive made in the last 2 days. Keeps the newest archives: one a day for 7 days, one a week for 4 weeks, one a month for 6 months, and one a year for 1 year. Older archives are pruned after each successful backup.',
    )
    for (const k of ['daily', 'weekly', 'monthly', 'yearly']) await get(wrapper, `keep-${k}`).setValue('0')
    await get(wrapper, 'keep-within-count').setValue('')
    expect(get(wrapper, 'keep-summary').text()).toMatch(/^Every archive is kept/)
  })

  it('reviews and submits exactly the input, then opens the new job', async () => {
    const { wrapper, router } = await open()
    await fillWhat(wrapper, { paths: '/etc\n/var/www\n' })
    await get(wrapper, 'job-excludes').setValue('*.log')
    await get(wrapper, 'job-one-fs').setValue(true)
    await get(wrapper, 'job-compression').setValue('zstd,3')
    await get(wrapper, 'job-pre').setValue('/usr/bin/systemctl stop nginx')
    await next(wrapper)
    await get(wrapper, 'schedule-mode-weekly').get('input').setValue(true)
    await get(wrapper, 'schedule-day').setValue('1')
    await get(wrapper, 'schedule-time').setValue('02:00')
    await settle()
    await next(wrapper)
    await get(wrapper, 'keep-within-count').setValue('48')
    await get(wrapper, 'keep-within-unit').setValue('H')
    await next(wrapper)

    expect(heading(wrapper)).toBe('Review the job')
    expect(get(wrapper, 'review-server').text()).toBe('web1')
    expect(get(wrapper, 'review-name').text()).toBe('etc')
    expect(get(wrapper, 'review-targets').text()).toContain('/var/www')
    expect(get(wrapper, 'review-schedule').text()).toBe('every Monday at 02:00')
    expect(get(wrapper, 'review-keep').text()).toContain('Keeps every archive made in the last 48 hours.')

    await get(wrapper, 'wizard-create').trigger('click')
    await flushPromises()

    expect(Desk.CreateJob).toHaveBeenCalledTimes(1)
    expect(Desk.CreateJob).toHaveBeenCalledWith({
      server: 'uuid-web1',
      name: 'etc',
      spec: {
        kind: 'files',
        compression: 'zstd,3',
        paths: ['/etc', '/var/www'],
        excludes: ['*.log'],
        one_file_system: true,
        pre: [['/usr/bin/systemctl', 'stop', 'nginx']],
      },
      schedule: '0 2 * * 1',
      keep: { within: '48H', daily: 7, weekly: 4, monthly: 6 },
    })
    expect(router.currentRoute.value.fullPath).toBe('/jobs/7')
  })

  it('shows Go’s refusal verbatim on the review and stays there', async () => {
    Desk.CreateJob.mockRejectedValue('job: invalid: server name "etc": a job named etc already exists on web1')
    const { wrapper, router } = await open()
    await fillWhat(wrapper)
    await next(wrapper)
    await get(wrapper, 'schedule-mode-manual').get('input').setValue(true)
    await next(wrapper)
    await next(wrapper)
    await wrapper.get('form').trigger('submit')
    await flushPromises()

    expect(Desk.CreateJob.mock.calls[0][0].schedule).toBe('')
    expect(get(wrapper, 'error-message').text()).toBe('job: invalid: server name "etc": a job named etc already exists on web1')
    expect(heading(wrapper)).toBe('Review the job')
    expect(router.currentRoute.value.fullPath).toBe('/jobs/new')
  })

  it('goes back to a passed step from the step list and keeps what was typed', async () => {
    const { wrapper } = await open()
    await toWhen(wrapper)
    await get(wrapper, 'wizard-step-what').trigger('click')
    await flushPromises()
    expect(heading(wrapper)).toBe('What to back up')
    expect(get(wrapper, 'job-paths').element.value).toBe('/etc\n/var/www')
  })

  it('starts from sensible defaults and says what each step means for a first-timer', async () => {
    Desk.ListServers.mockResolvedValue([web1, revoked])
    const { wrapper } = await open()
    // One server to choose from is chosen; the name follows the kind until typed.
    expect(get(wrapper, 'job-server').element.value).toBe('uuid-web1')
    expect(get(wrapper, 'job-name').element.value).toBe('files')
    expect(get(wrapper, 'job-paths').element.value).toBe('/etc')
    await get(wrapper, 'job-kind-postgres').get('input').setValue(true)
    expect(get(wrapper, 'job-name').element.value).toBe('postgres')
    await get(wrapper, 'job-name').setValue('shop')
    await get(wrapper, 'job-kind-mysql').get('input').setValue(true)
    expect(get(wrapper, 'job-name').element.value).toBe('shop')
    await get(wrapper, 'job-kind-files').get('input').setValue(true)

    await next(wrapper)
    expect(get(wrapper, 'schedule-rpo').text()).toContain('recovery point objective')
    expect(get(wrapper, 'schedule-rpo').text()).toContain('26h')
    await settle()
    await next(wrapper)
    expect(get(wrapper, 'keep-explain').text()).toContain('append-only')
    await next(wrapper)
    expect(get(wrapper, 'review-next').text()).toBe(
      'What happens next: Borgdesk saves the job and web1 backs up daily at 03:00. On the job’s page, which opens next, you can also run it now. Each run makes an archive you can browse and restore; older ones go as the policy above says.'.replace('’', "'"),
    )
  })

  it('speaks German', async () => {
    const { wrapper } = await open('de')
    expect(get(wrapper, 'page-title').text()).toBe('Neuer Backup-Auftrag')
    expect(get(wrapper, 'wizard-next').text()).toBe('Weiter')
  })

  it('says on the review where the backups will be stored', async () => {
    Desk.ListTargets.mockResolvedValue([nodeRecord()])
    Desk.RepoTargets.mockResolvedValue({ 2: 'nas1' })
    const { wrapper } = await open()
    await fillWhat(wrapper)
    await next(wrapper)
    await next(wrapper)
    await next(wrapper)
    expect(get(wrapper, 'review-storage').text()).toContain('This coordinator (data dir)')
    expect(get(wrapper, 'review-storage-help').text()).toContain('need Borgdesk open')

    await get(wrapper, 'review-edit-what').trigger('click')
    await flushPromises()
    await get(wrapper, 'job-server').setValue('uuid-db1')
    await next(wrapper)
    await next(wrapper)
    await next(wrapper)
    expect(get(wrapper, 'review-storage').text()).toContain('Storage node nas1 (10.0.0.9:2222)')
    expect(get(wrapper, 'review-storage-help').text()).toContain('while Borgdesk is closed')
  })
})
