import { describe, expect, it } from 'vitest'
import { backupAgeHours, byState, changesHealth, formatHours, healthCounts, issueText, reasonKind, reasonText, rpoShare, rpoState, serverReasons } from '@/utils/health.js'
import { diskUse, forecast, forecastTone, largest, thin, totalSeries } from '@/utils/storage.js'
import { appendPoint, pointFromHeartbeat, series } from '@/utils/metrics.js'
import {
  channelKey,
  formatQuietHours,
  hasEvent,
  isTrue,
  normaliseRecipients,
  parseList,
  parseQuietHours,
  rpoOverrides,
  withEvent,
} from '@/utils/alerts.js'

const NOW = Date.parse('2026-11-22T08:00:00Z')
const hoursAgo = (h) => new Date(NOW - h * 3600e3).toISOString()

describe('health: backup age against the RPO', () => {
  it('measures the age in hours, null without a backup', () => {
    expect(backupAgeHours(hoursAgo(30), NOW)).toBeCloseTo(30)
    expect(backupAgeHours(null, NOW)).toBeNull()
    expect(backupAgeHours('0001-01-01T00:00:00Z', NOW)).toBeNull()
  })

  it('rates it as Go does: red past the RPO, amber past three quarters', () => {
    expect(rpoState(hoursAgo(27), 26, NOW)).toBe('red')
    expect(rpoState(hoursAgo(20), 26, NOW)).toBe('amber')
    expect(rpoState(hoursAgo(19), 26, NOW)).toBe('green')
    expect(rpoState(null, 26, NOW)).toBe('none')
    expect(rpoShare(hoursAgo(13), 26, NOW)).toBeCloseTo(0.5)
    expect(rpoShare(hoursAgo(13), 0, NOW)).toBeNull()
  })

  it('formats hours with the unit Go rounds to', () => {
    expect(formatHours(0.5, 'en')).toBe('30 min')
    expect(formatHours(30.6, 'en')).toBe('30 hr')
    expect(formatHours(72, 'en')).toBe('3 days')
    expect(formatHours(26, 'de')).toBe('26 Std.')
    expect(formatHours(null, 'en')).toBe('')
  })

  it('puts red first, then amber, then green, by name', () => {
    const list = [
      { name: 'b', state: 'green' },
      { name: 'z', state: 'red' },
      { name: 'a', state: 'amber' },
      { name: 'c', state: 'red' },
    ]
    expect(byState(list).map((s) => s.name)).toEqual(['c', 'z', 'a', 'b'])
    expect(list[0].name).toBe('b')
  })

  it("turns Go's reasons into translatable kinds, keeping unknown ones", () => {
    expect(reasonKind('last backup 30h ago, past its 26h RPO')).toBe('pastRpo')
    expect(reasonKind('last backup 20h ago, close to its 26h RPO')).toBe('nearRpo')
    expect(reasonKind('certificate expires 2026-12-04')).toBe('certExpires')
    expect(reasonKind('agent offline')).toBe('offline')
    expect(reasonKind('disk on fire')).toBe('other')
    const t = (key, p) => `${key}|${p.age}|${p.rpo}|${p.date}`
    const server = { last_backup: hoursAgo(30), rpo_hours: 26, cert_not_after: '2026-12-04T10:00:00Z' }
    const opts = { t, locale: 'en', now: NOW, formatDate: (v) => (v ? 'Dec 4' : '') }
    expect(reasonText('last backup 30h ago, past its 26h RPO', server, opts)).toBe('health.reason.pastRpo|30 hr|26 hr|Dec 4')
    expect(reasonText('disk on fire', server, opts)).toBe('disk on fire')
  })

  it("says Go's issues with the job's name, and falls back to the sentences", () => {
    const t = (key, p) => `${key}|${p.job}|${p.age}|${p.rpo}`
    const opts = { t, locale: 'en', now: NOW, formatDate: () => 'Dec 4' }
    const server = {
      rpo_hours: 26,
      reasons: ['job db: has not succeeded yet (created 3h ago)'],
      issues: [
        { code: 'never_succeeded', state: 'amber', job: 'db', since: hoursAgo(3), text: 'job db: …' },
        { code: 'last_run_failed', state: 'amber', job: 'db', since: hoursAgo(1), detail: 'path not found', text: 'job db: …' },
        { code: 'never_succeeded', state: 'red', job: 'www', since: hoursAgo(30), text: 'job www: …' },
        { code: 'from_the_future', state: 'amber', text: 'something new' },
      ],
    }
    expect(serverReasons(server, opts)).toEqual([
      'health.issue.neverSucceeded|db|3 hr|26 hr',
      'health.issue.lastRunFailed|db|1 hr|26 hr: path not found',
      'health.issue.neverSucceededPast|www|30 hr|26 hr',
      'something new',
    ])
    expect(issueText({ code: 'offline', state: 'amber' }, server, opts)).toBe('health.issue.offline|||26 hr')
    // An older coordinator sends sentences only.
    const [old] = serverReasons({ reasons: ['agent offline'] }, opts)
    expect(old.startsWith('health.reason.offline|')).toBe(true)
  })

  it('reads the counts Go sent, or counts the list', () => {
    expect(healthCounts({ red: 1, amber: 2, green: 3, servers: [] })).toEqual({ red: 1, amber: 2, green: 3 })
    expect(healthCounts({ servers: [{ state: 'red' }, { state: 'green' }, { state: 'green' }] })).toEqual({ red: 1, amber: 0, green: 2 })
    expect(healthCounts(null)).toEqual({ red: 0, amber: 0, green: 0 })
  })

  it('refetches only for a persisted record of a finished run', () => {
    expect(changesHealth({ id: 5, data: { status: 'failed' } })).toBe(true)
    expect(changesHealth({ id: 5, data: { status: 'running' } })).toBe(false)
    expect(changesHealth({ id: 0, data: { status: 'succeeded' } })).toBe(false)
  })
})

describe('storage: growth and forecast', () => {
  const servers = [
    { uuid: 'a', name: 'a', bytes: 30, history: [{ at: '2026-11-01T00:00:00Z', bytes: 10 }, { at: '2026-11-03T00:00:00Z', bytes: 30 }] },
    { uuid: 'b', name: 'b', bytes: 105, history: [{ at: '2026-11-02T00:00:00Z', bytes: 100 }, { at: '2026-11-03T00:00:00Z', bytes: 105 }] },
  ]

  it('adds the repositories up over time, each holding its size until its next point', () => {
    expect(totalSeries(servers)).toEqual([
      { x: Date.parse('2026-11-01T00:00:00Z'), y: 10 },
      { x: Date.parse('2026-11-02T00:00:00Z'), y: 110 },
      { x: Date.parse('2026-11-03T00:00:00Z'), y: 135 },
    ])
    expect(totalSeries([])).toEqual([])
  })

  it('thins a long series and ends on the real last value', () => {
    const long = Array.from({ length: 1000 }, (_, i) => ({ x: i, y: i * 2 }))
    const thinned = thin(long, 100)
    expect(thinned.length).toBeLessThanOrEqual(100)
    expect(thinned.at(-1)).toEqual({ x: 999, y: 1998 })
  })

  it('says when the disk fills: a date, never, or already', () => {
    expect(forecast({ forecast_full_at: '' }, NOW)).toEqual({ kind: 'never', days: null, at: null })
    const f = forecast({ forecast_full_at: '2026-12-02T08:00:00Z' }, NOW)
    expect(f.kind).toBe('date')
    expect(f.days).toBe(10)
    expect(forecastTone(f)).toBe('red')
    expect(forecastTone(forecast({ forecast_full_at: '2027-01-21T08:00:00Z' }, NOW))).toBe('amber')
    expect(forecastTone(forecast({ forecast_full_at: '2027-11-21T08:00:00Z' }, NOW))).toBe('green')
    expect(forecast({ forecast_full_at: '2026-11-01T00:00:00Z' }, NOW).kind).toBe('past')
  })

  it('lists the largest repositories and the disk use', () => {
    expect(largest(servers, 1).map((s) => s.name)).toEqual(['b'])
    expect(diskUse({ disk_total: 100, disk_free: 25, reserve_bytes: 5 })).toEqual({ total: 100, free: 25, used: 75, share: 0.75, reserve: 5 })
    expect(diskUse({}).share).toBeNull()
    // With Go's disk_used (blocks in use, as the agent's metrics count them),
    // the blocks kept for root are not counted as used.
    expect(diskUse({ disk_total: 100, disk_free: 20, disk_used: 75 })).toEqual({ total: 100, free: 20, used: 75, share: 0.75, reserve: 0 })
  })
})

describe('metrics: points from heartbeats', () => {
  const metrics = (at, rx, tx) => ({
    collected_at: at,
    cpu_percent: 12.5,
    load1: 0.4,
    mem_total: 8e9,
    mem_used: 2e9,
    disks: [
      { mount: '/', total: 100, used: 40 },
      { mount: '/var', total: 100, used: 90 },
    ],
    net: [
      { name: 'lo', rx_bytes: 1e12, tx_bytes: 1e12 },
      { name: 'eth0', rx_bytes: rx, tx_bytes: tx },
    ],
  })

  it('makes a MetricPoint, with no network rate before a second heartbeat', () => {
    const first = pointFromHeartbeat(metrics('2026-11-22T08:00:00Z', 1000, 500), '')
    expect(first.point).toEqual({
      at: '2026-11-22T08:00:00.000Z',
      cpu_percent: 12.5,
      load1: 0.4,
      mem_percent: 25,
      disk_percent: 90,
      net_rx_bps: null,
      net_tx_bps: null,
    })
    const second = pointFromHeartbeat(metrics('2026-11-22T08:00:10Z', 11000, 2500), '', first.counters)
    expect(second.point.net_rx_bps).toBe(1000)
    expect(second.point.net_tx_bps).toBe(200)
  })

  it('reads the contract names bytes_recv/bytes_sent too, and gives no rate after a reboot', () => {
    const a = pointFromHeartbeat({ collected_at: '2026-11-22T08:00:00Z', net: [{ name: 'eth0', bytes_recv: 100, bytes_sent: 100 }] }, '')
    const b = pointFromHeartbeat({ collected_at: '2026-11-22T08:00:01Z', net: [{ name: 'eth0', bytes_recv: 300, bytes_sent: 100 }] }, '', a.counters)
    expect(b.point.net_rx_bps).toBe(200)
    const c = pointFromHeartbeat({ collected_at: '2026-11-22T08:00:02Z', net: [{ name: 'eth0', bytes_recv: 5, bytes_sent: 5 }] }, '', b.counters)
    expect(c.point.net_rx_bps).toBeNull()
    expect(pointFromHeartbeat(null, '').point).toBeNull()
  })

  it('appends in time order and drops what left the window', () => {
    const p = (h) => ({ at: hoursAgo(h), cpu_percent: h })
    const points = [p(30), p(20), p(2)]
    const next = appendPoint(points, p(0), 24)
    expect(next.map((x) => x.cpu_percent)).toEqual([20, 2, 0])
    expect(appendPoint(next, p(1), 24).map((x) => x.cpu_percent)).toEqual([20, 2, 1, 0])
    expect(appendPoint(next, null)).toBe(next)
  })

  it('picks one field as chart data, skipping missing values', () => {
    const points = [
      { at: '2026-11-22T08:00:00Z', net_rx_bps: null, cpu_percent: 3 },
      { at: '2026-11-22T08:05:00Z', net_rx_bps: 10, cpu_percent: 4 },
    ]
    expect(series(points, 'net_rx_bps')).toEqual([{ x: Date.parse('2026-11-22T08:05:00Z'), y: 10 }])
    expect(series(points, 'cpu_percent')).toHaveLength(2)
  })
})

describe('alert settings: comma lists and checkboxes', () => {
  it('reads a comma list, trimming and dropping repeats', () => {
    expect(parseList(' run_failed, ,rpo_missed,run_failed ')).toEqual(['run_failed', 'rpo_missed'])
    expect(parseList('')).toEqual([])
    expect(parseList(undefined)).toEqual([])
  })

  it('switches an event on or off in the fixed order, keeping events this build does not know', () => {
    expect(withEvent('', 'rpo_missed', true)).toBe('rpo_missed')
    expect(withEvent('flx_inbox,run_failed', 'cert_expiring', true)).toBe('run_failed,cert_expiring,flx_inbox')
    expect(withEvent('run_failed,rpo_missed', 'run_failed', false)).toBe('rpo_missed')
    expect(withEvent('run_failed,disk_smoking', 'rpo_missed', true)).toBe('run_failed,rpo_missed,disk_smoking')
    expect(withEvent('run_failed', 'run_failed', true)).toBe('run_failed')
    expect(hasEvent('run_failed, rpo_missed', 'rpo_missed')).toBe(true)
    expect(hasEvent('run_failed', 'rpo_missed')).toBe(false)
    expect(channelKey('webhook')).toBe('notify.webhook.events')
  })

  it('normalises recipients typed with newlines or semicolons', () => {
    expect(normaliseRecipients('a@b.c;\n d@e.f , a@b.c')).toBe('a@b.c,d@e.f')
  })

  it('reads and writes quiet hours', () => {
    expect(parseQuietHours('22:00-07:00')).toEqual({ from: '22:00', to: '07:00' })
    expect(parseQuietHours(' 22:00 - 07:00 ')).toEqual({ from: '22:00', to: '07:00' })
    expect(parseQuietHours('')).toBeNull()
    expect(parseQuietHours('25:00-07:00')).toBeNull()
    expect(formatQuietHours('23:30', '06:00')).toBe('23:30-06:00')
    expect(formatQuietHours('23:30', '')).toBe('')
  })

  it('lists per-server RPO overrides, not the default or emptied ones', () => {
    expect(rpoOverrides({ 'rpo.default': '26h', 'rpo.web1': '8h', 'rpo.db1': '', 'rpo.app': '12h', 'smtp.host': 'x' })).toEqual([
      { name: 'app', value: '12h' },
      { name: 'web1', value: '8h' },
    ])
  })

  it('reads "true"/"false" with a default for anything else', () => {
    expect(isTrue('true')).toBe(true)
    expect(isTrue('false', true)).toBe(false)
    expect(isTrue(undefined, true)).toBe(true)
    expect(isTrue('', false)).toBe(false)
  })
})
