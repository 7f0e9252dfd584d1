import { describe, expect, it } from 'vitest'
import { createAppI18n } from '@/i18n.js'
import { buildKeep, buildSpec, checkWhat, hooks, jobInput, keepSentence, keepSummary, newJobForm, parseJSON } from '@/utils/jobs.js'
import { dedupRatio, formatClock, formatSeconds, nextProgress, parseArchiveTime, runSeconds } from '@/utils/runs.js'

const en = createAppI18n('en').global.t
const form = (over = {}) => ({ ...newJobForm(), server: 'uuid-web1', name: 'etc', paths: '/etc\n/var/www', ...over })

describe('job helpers', () => {
  it('parses the JSON text Go keeps spec and keep as', () => {
    expect(parseJSON('{"daily":7}')).toEqual({ daily: 7 })
    expect(parseJSON({ daily: 7 })).toEqual({ daily: 7 })
    expect(parseJSON('')).toEqual({})
    expect(parseJSON('[1]')).toEqual({})
    expect(parseJSON('{oops')).toEqual({})
  })

  it('builds a files spec with only what was typed', () => {
    expect(buildSpec(form({ excludes: '*.log\n\n  /var/www/cache ', oneFileSystem: true }))).toEqual({
      kind: 'files',
      compression: 'lz4',
      paths: ['/etc', '/var/www'],
      excludes: ['*.log', '/var/www/cache'],
      one_file_system: true,
    })
    expect(buildSpec(form())).toEqual({ kind: 'files', compression: 'lz4', paths: ['/etc', '/var/www'] })
  })

  it('builds the spec of each other kind', () => {
    const f = newJobForm()
    expect(buildSpec({ ...f, kind: 'mysql', mysql: { databases: 'shop, blog', defaultsFile: '/root/.my.cnf' } })).toEqual({
      kind: 'mysql',
      compression: 'lz4',
      mysql: { databases: ['shop', 'blog'], defaults_file: '/root/.my.cnf' },
    })
    expect(buildSpec({ ...f, kind: 'mysql' })).toEqual({ kind: 'mysql', compression: 'lz4', mysql: {} })
    expect(
      buildSpec({ ...f, kind: 'postgres', postgres: { databases: '', host: 'db', port: '5433', user: 'backup', passFile: '/root/.pgpass', osUser: 'postgres' } }),
    ).toEqual({
      kind: 'postgres',
      compression: 'lz4',
      postgres: { host: 'db', port: 5433, user: 'backup', pass_file: '/root/.pgpass', os_user: 'postgres' },
    })
    expect(buildSpec({ ...f, kind: 'mongo', mongo: { database: 'app', uriFile: '/etc/m.uri' } }).mongo).toEqual({ database: 'app', uri_file: '/etc/m.uri' })
    expect(buildSpec({ ...f, kind: 'docker', docker: { containers: 'web db', stopDuring: true } }).docker).toEqual({ containers: ['web', 'db'], stop_during: true })
    expect(buildSpec({ ...f, kind: 'lvm', lvm: { volumeGroup: 'vg0', volume: 'data', snapshotSize: '2G' } }).lvm).toEqual({
      volume_group: 'vg0',
      volume: 'data',
      snapshot_size: '2G',
    })
  })

  it('splits hook lines on spaces into argv, without a shell', () => {
    expect(hooks('/usr/bin/systemctl stop nginx\n\n/bin/sync')).toEqual([['/usr/bin/systemctl', 'stop', 'nginx'], ['/bin/sync']])
    expect(buildSpec(form({ pre: '/usr/bin/systemctl stop nginx', post: '/usr/bin/systemctl start nginx' }))).toMatchObject({
      pre: [['/usr/bin/systemctl', 'stop', 'nginx']],
      post: [['/usr/bin/systemctl', 'start', 'nginx']],
    })
  })

  it('finds the obvious mistakes of the What step', () => {
    expect(checkWhat(form())).toEqual({})
    expect(checkWhat(form({ server: '', name: '' }))).toEqual({ server: 'jobs.wizard.errors.server', name: 'jobs.wizard.errors.nameRequired' })
    expect(checkWhat(form({ name: 'etc and www' })).name).toBe('jobs.wizard.errors.nameInvalid')
    expect(checkWhat(form({ name: '-etc' })).name).toBe('jobs.wizard.errors.nameInvalid')
    expect(checkWhat(form({ paths: 'etc' })).paths).toBe('jobs.wizard.errors.pathsAbsolute')
    expect(checkWhat(form({ paths: '  ' })).paths).toBe('jobs.wizard.errors.pathsRequired')
    expect(checkWhat(form({ pre: 'systemctl stop nginx' })).pre).toBe('jobs.wizard.errors.hook')
    const f = newJobForm()
    expect(checkWhat({ ...f, server: 's', name: 'db', kind: 'mysql', mysql: { databases: '', defaultsFile: 'my.cnf' } })).toEqual({
      'mysql.defaultsFile': 'jobs.wizard.errors.absolute',
    })
    expect(checkWhat({ ...f, server: 's', name: 'pg', kind: 'postgres', postgres: { ...f.postgres, port: '99999' } })).toEqual({
      'postgres.port': 'jobs.wizard.errors.port',
    })
    expect(checkWhat({ ...f, server: 's', name: 'd', kind: 'docker' })).toEqual({ 'docker.containers': 'jobs.wizard.errors.containers' })
    expect(Object.keys(checkWhat({ ...f, server: 's', name: 'l', kind: 'lvm' }))).toEqual(['lvm.volumeGroup', 'lvm.volume'])
  })

  it('builds the retention, leaving zero counts out', () => {
    expect(buildKeep(newJobForm().keep)).toEqual({ daily: 7, weekly: 4, monthly: 6 })
    expect(buildKeep({ withinCount: 2, withinUnit: 'd', daily: '', weekly: 0, monthly: 3, yearly: 1 })).toEqual({ within: '2d', monthly: 3, yearly: 1 })
  })

  it('is exactly the input CreateJob takes', () => {
    expect(jobInput(form(), '30 3 * * *')).toEqual({
      server: 'uuid-web1',
      name: 'etc',
      spec: { kind: 'files', compression: 'lz4', paths: ['/etc', '/var/www'] },
      schedule: '30 3 * * *',
      keep: { daily: 7, weekly: 4, monthly: 6 },
    })
    // Asking to hear of successes adds the one field Go reads for it.
    expect(jobInput({ ...form(), notifySuccess: true }, '').notify_success).toBe(true)
    expect('notify_success' in jobInput(form(), '')).toBe(false)
  })

  it('sums a retention up in a few words and in a sentence', () => {
    expect(keepSummary({ daily: 7, weekly: 4 }, en, 'en')).toBe('7 daily, 4 weekly')
    expect(keepSummary({ within: '2d', monthly: 6 }, en, 'en')).toBe('all of the last 2 days, 6 monthly')
    expect(keepSummary({}, en, 'en')).toBe('keep everything')
    expect(keepSentence({ daily: 7, weekly: 4, monthly: 6 }, en, 'en')).toBe(
      'Keeps the newest archives: one a day for 7 days, one a week for 4 weeks, and one a month for 6 months. Older archives are pruned after each successful backup.',
    )
    expect(keepSentence({ within: '48H', yearly: 1 }, en, 'en')).toBe(
      'Keeps every archive made in the last 48 hours. Keeps the newest archives: one a year for 1 year. Older archives are pruned after each successful backup.',
    )
    expect(keepSentence({}, en, 'en')).toMatch(/^Every archive is kept/)
  })
})

describe('run helpers', () => {
  const NOW = Date.parse('2026-11-22T08:00:00Z')

  it('measures a run, finished or still going', () => {
    expect(runSeconds({ status: 'succeeded', started_at: '2026-11-21T03:00:00Z', finished_at: '2026-11-21T03:04:10Z' }, NOW)).toBe(250)
    expect(runSeconds({ status: 'running', started_at: '2026-11-22T07:59:00Z', finished_at: null }, NOW)).toBe(60)
    expect(runSeconds({ status: 'failed', started_at: '2026-11-22T07:59:00Z', finished_at: null }, NOW)).toBe(null)
    expect(formatSeconds(250, 'en')).toBe('4 min 10 sec')
    expect(formatSeconds(42, 'en')).toBe('42 sec')
    expect(formatSeconds(3720, 'en')).toBe('1 hr 2 min')
    expect(formatClock(250)).toBe('4:10')
    expect(formatClock(3725)).toBe('1:02:05')
  })

  it('says how much of what was read was new', () => {
    expect(dedupRatio({ bytes: 1000, deduplicated: 25 })).toBe(0.025)
    expect(dedupRatio({ bytes: 0, deduplicated: 0 })).toBe(null)
  })

  it('computes the speed from two live records', () => {
    const a = nextProgress(null, { at: '2026-11-22T08:00:00Z', data: { run_id: 1, files: 1, bytes: 0, path: '/a' } })
    const b = nextProgress(a, { at: '2026-11-22T08:00:04Z', data: { run_id: 1, files: 9, bytes: 400e6, path: '/b' } })
    expect(b).toMatchObject({ files: 9, bytes: 400e6, path: '/b', speed: 100e6 })
  })

  it('reads borg local time without a zone as local time', () => {
    const d = parseArchiveTime('2026-11-22T05:14:31.000000')
    expect([d.getHours(), d.getMinutes(), d.getSeconds()]).toEqual([5, 14, 31])
    expect(parseArchiveTime('')).toBe(null)
  })
})

describe('the retention sentence in French and German', () => {
  it('names each period once, with its own count', async () => {
    const { keepSentence } = await import('@/utils/jobs.js')
    const { createAppI18n } = await import('@/i18n.js')
    const fr = createAppI18n('fr').global.t
    const de = createAppI18n('de').global.t
    expect(keepSentence({ daily: 7, weekly: 4, monthly: 6 }, fr, 'fr')).toMatch(/^Conserve les archives les plus récentes : une par jour pendant 7 jours, une par semaine pendant 4 semaines et une par mois pendant 6 mois\./)
    expect(keepSentence({ yearly: 1 }, de, 'de')).toMatch(/^Behält die neuesten Archive: eines pro Jahr für 1 Jahr\./)
  })
})
