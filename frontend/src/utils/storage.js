// What the dashboard derives from Go's Storage (GetStorage): the growth of
// the repositories over time and when the coordinator's disk fills.
import { parseTime } from './format.js'

const DAY = 86400e3

// Most points a growth line gets: a screen wide of them is all the eye sees.
export const MAX_POINTS = 180

// totalSeries adds the repositories' sizes up over time: every history point
// moves its server's size, and the total holds until the next point. It
// answers [{x: ms, y: bytes}], thinned to at most max points (the last of
// each bucket kept, so the line ends on the real total).
export function totalSeries(servers, max = MAX_POINTS) {
  const points = []
  for (const s of servers ?? []) {
    for (const p of s.history ?? []) {
      const t = parseTime(p.at)
      if (t) points.push({ key: s.uuid, at: t.getTime(), bytes: Number(p.bytes) || 0 })
    }
  }
  points.sort((a, b) => a.at - b.at)
  const last = new Map()
  let total = 0
  const series = []
  for (const p of points) {
    total += p.bytes - (last.get(p.key) ?? 0)
    last.set(p.key, p.bytes)
    if (series.length && series[series.length - 1].x === p.at) series[series.length - 1].y = total
    else series.push({ x: p.at, y: total })
  }
  return thin(series, max)
}

export function thin(series, max) {
  if (series.length <= max) return series
  const first = series[0].x
  const width = (series[series.length - 1].x - first) / max || 1
  const out = []
  for (const p of series) {
    const bucket = Math.min(max - 1, Math.floor((p.x - first) / width))
    if (out.length && out[out.length - 1].bucket === bucket) out[out.length - 1] = { ...p, bucket }
    else out.push({ ...p, bucket })
  }
  return out.map(({ x, y }) => ({ x, y }))
}

// largest lists the n biggest repositories, biggest first.
export function largest(servers, n = 5) {
  return [...(servers ?? [])].sort((a, b) => (Number(b.bytes) || 0) - (Number(a.bytes) || 0)).slice(0, n)
}

// forecast reads forecast_full_at: 'never' when the repositories do not grow
// ("" from Go), 'past' when the date has gone by (the disk is as good as
// full), else 'date' with the whole days left.
export function forecast(storage, now) {
  const at = parseTime(storage?.forecast_full_at)
  if (!at) return { kind: 'never', days: null, at: null }
  const days = Math.round((at.getTime() - Number(now)) / DAY)
  if (at.getTime() <= Number(now)) return { kind: 'past', days, at }
  return { kind: 'date', days, at }
}

// forecastTone colours the forecast: red inside a month, amber inside three.
export function forecastTone(f) {
  if (f.kind === 'past') return 'red'
  if (f.kind !== 'date') return 'green'
  if (f.days < 30) return 'red'
  return f.days < 90 ? 'amber' : 'green'
}

// diskUse answers the disk's used bytes and share; null shares when the
// total is unknown.
export function diskUse(storage) {
  const total = Number(storage?.disk_total) || 0
  const free = Number(storage?.disk_free) || 0
  // Go's disk_used counts the blocks in use as df and the agents do (not the
  // blocks kept for root), so this disk reads the same here as on a
  // server's page; older coordinators send only total and free.
  const reported = Number(storage?.disk_used)
  const used = reported > 0 ? reported : Math.max(0, total - free)
  return { total, free, used, share: total > 0 ? used / total : null, reserve: Number(storage?.reserve_bytes) || 0 }
}
