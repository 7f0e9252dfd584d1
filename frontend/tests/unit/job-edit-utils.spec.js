import { describe, expect, it } from 'vitest'
import { createAppI18n } from '@/i18n.js'
import { changeLabel, changeValue, editInput, formFromInput, keepForm, nextRuns, pausedJobs } from '@/utils/jobEdit.js'
import { jobInput } from '@/utils/jobs.js'
import { scheduleForm, scheduleFromForm } from '@/utils/schedule.js'

const { t, te } = createAppI18n('en').global

// Inputs as Go's GetJobInput sends them (jobs.InputOf): omitempty fields absent.
const FILES = {
  server: 'web1',
  name: 'etc-and-www',
  spec: { kind: 'files', paths: ['/etc', '/var/www'], excludes: ['*.log'], one_file_system: true, compression: 'zstd,3', pre: [['/usr/local/bin/quiesce', 'on']] },
  schedule: 'CRON_TZ=Europe/Paris 30 2 * * *',
  keep: { within: '2d', daily: 7, monthly: 6 },
  notify_success: true,
}
const MYSQL_FROM_CLI = {
  server: 'db1',
  name: 'shop-db',
  spec: { kind: 'mysql', checkpoint_interval: 600, mysql: { databases: ['shop'], host: 'db.internal', port: 3307 } },
  schedule: '*/30 * * * *',
  keep: { daily: 14 },
  notify_success: false,
}

const FLX = {
  server: 'pbx1',
  name: 'snapshots',
  spec: { kind: 'flx', flx: { profile: 'etc', type: 'flxx', keep_secrets: true } },
  schedule: '0 3 * * *',
  keep: { daily: 7, weekly: 4, monthly: 12 },
  notify_success: false,
}

// The edit form sent back unchanged: what EditJob gets.
const roundTrip = (input) => {
  const form = formFromInput(input, 'uuid-x')
  return editInput(form, scheduleFromForm(form.schedule), input)
}

describe('the edit form', () => {
  it('starts from the job and, untouched, sends exactly the job back (Go sees no change)', () => {
    expect(roundTrip(FILES)).toEqual(FILES)
    expect(roundTrip(MYSQL_FROM_CLI)).toEqual(MYSQL_FROM_CLI)
    expect(roundTrip(FLX)).toEqual(FLX)
    expect(formFromInput(FLX, 'uuid-pbx1').flx).toEqual({ profile: 'etc', type: 'flxx', sanitize: false })
  })

  it('keeps what the form does not show (a CLI-set host, port, checkpoint interval) when a shown field changes', () => {
    const form = formFromInput(MYSQL_FROM_CLI, 'uuid-db1')
    form.mysql.databases = 'shop shop_sessions'
    const input = editInput(form, '*/30 * * * *', MYSQL_FROM_CLI)
    expect(input.spec).toEqual({ kind: 'mysql', checkpoint_interval: 600, mysql: { databases: ['shop', 'shop_sessions'], host: 'db.internal', port: 3307 } })
    // The New job wizard's own input would have dropped them.
    expect(jobInput(form, '*/30 * * * *').spec.mysql).toEqual({ databases: ['shop', 'shop_sessions'] })
  })

  it('fills the form fields from the input', () => {
    const form = formFromInput(FILES, 'uuid-web1')
    expect(form).toMatchObject({
      server: 'uuid-web1',
      name: 'etc-and-www',
      kind: 'files',
      paths: '/etc\n/var/www',
      excludes: '*.log',
      oneFileSystem: true,
      compression: 'zstd,3',
      pre: '/usr/local/bin/quiesce on',
      schedule: { mode: 'daily', time: '02:30', zoneOn: true, zone: 'Europe/Paris' },
      keep: { withinCount: '2', withinUnit: 'd', daily: 7, weekly: 0, monthly: 6, yearly: 0 },
    })
  })

  it('reads a retention without a within period and with borg’s Y', () => {
    expect(keepForm({})).toEqual({ withinCount: '', withinUnit: 'd', daily: 0, weekly: 0, monthly: 0, yearly: 0 })
    expect(keepForm({ within: '1Y' })).toMatchObject({ withinCount: '1', withinUnit: 'y' })
  })
})

describe('scheduleForm', () => {
  it.each([
    ['', { mode: 'manual' }],
    ['0 * * * *', { mode: 'hourly' }],
    ['30 3 * * *', { mode: 'daily', time: '03:30' }],
    ['0 2 * * 1', { mode: 'weekly', time: '02:00', day: 1 }],
    ['CRON_TZ=Europe/Berlin 0 2 * * 0', { mode: 'weekly', day: 0, zoneOn: true, zone: 'Europe/Berlin' }],
    ['*/30 * * * *', { mode: 'custom', cron: '*/30 * * * *' }],
    // Written another way than the presets: kept as typed.
    ['00 03 * * *', { mode: 'custom', cron: '00 03 * * *' }],
    ['@daily', { mode: 'custom', cron: '@daily' }],
  ])('reads %j back as the When step wrote it', (expr, want) => {
    const form = scheduleForm(expr)
    expect(form).toMatchObject(want)
    expect(scheduleFromForm(form)).toBe(expr)
  })
})

describe('the changes Go lists', () => {
  it('shows each side plainly', () => {
    expect(changeValue('"0 3 * * *"')).toBe('0 3 * * *')
    expect(changeValue('["/etc","/srv"]')).toBe('/etc, /srv')
    expect(changeValue('[["/bin/a","on"],["/bin/b"]]')).toBe('/bin/a on; /bin/b')
    expect(changeValue('7')).toBe('7')
    expect(changeValue('{"databases":["shop"]}')).toBe('{"databases":["shop"]}')
    expect(changeValue('(none)')).toBe('(none)')
    expect(changeValue('(by hand only)')).toBe('(by hand only)')
  })

  it('names the fields it knows and shows the others as Go spells them', () => {
    expect(changeLabel('spec.paths', t, te)).toBe('Paths')
    expect(changeLabel('keep.daily', t, te)).toBe('Daily archives kept')
    expect(changeLabel('spec.checkpoint_interval', t, te)).toBe('spec.checkpoint_interval')
  })
})

describe('the fleet’s next runs', () => {
  const job = (id, next, over = {}) => ({ id, name: `j${id}`, enabled: true, schedule: '0 3 * * *', next_run: next, ...over })
  it('lists Go’s next runs soonest first, without paused, manual or unscheduled jobs, up to the limit', () => {
    const jobs = [
      job(1, '2026-11-23T03:00:00Z'),
      job(2, '2026-11-22T12:00:00Z'),
      job(3, '2026-11-22T09:00:00Z', { enabled: false }),
      job(4, null, { schedule: '' }),
      job(5, null),
      job(6, '2026-11-22T10:00:00Z'),
    ]
    expect(nextRuns(jobs).map((j) => j.id)).toEqual([6, 2, 1])
    expect(nextRuns(jobs, 2).map((j) => j.id)).toEqual([6, 2])
    expect(pausedJobs(jobs).map((j) => j.id)).toEqual([3])
  })
})
