// Series for a server's CPU, memory, disk and network charts: the points Go
// stored (GetMetrics) and live points made from agent:heartbeat metrics.
import { parseTime } from './format.js'

export const METRIC_HOURS = 24
const HOUR = 3600e3

function sumCounters(net) {
  let rx = 0
  let tx = 0
  for (const n of net ?? []) {
    if (n.name === 'lo') continue
    // agentapi.NetIO sends rx_bytes/tx_bytes; the contract names
    // bytes_recv/bytes_sent: either is read.
    rx += Number(n.rx_bytes ?? n.bytes_recv) || 0
    tx += Number(n.tx_bytes ?? n.bytes_sent) || 0
  }
  return { rx, tx }
}

function percent(used, total) {
  const u = Number(used)
  const t = Number(total)
  return t > 0 && Number.isFinite(u) ? (u / t) * 100 : null
}

// pointFromHeartbeat turns one heartbeat's metrics into a MetricPoint as Go
// stores them. The network counters count since boot, so a rate needs the
// counters of the heartbeat before (previous); the first one has no rate,
// and neither has one after a reboot (counters went down).
export function pointFromHeartbeat(metrics, at, previous = null) {
  const time = parseTime(metrics?.collected_at) ?? parseTime(at)
  if (!metrics || !time) return { point: null, counters: previous }
  const counters = { ...sumCounters(metrics.net), at: time.getTime() }
  let rxBps = null
  let txBps = null
  const dt = previous ? (counters.at - previous.at) / 1000 : 0
  if (previous && dt > 0 && counters.rx >= previous.rx && counters.tx >= previous.tx) {
    rxBps = (counters.rx - previous.rx) / dt
    txBps = (counters.tx - previous.tx) / dt
  }
  const disks = (metrics.disks ?? []).map((d) => percent(d.used, d.total)).filter((p) => p !== null)
  return {
    point: {
      at: time.toISOString(),
      cpu_percent: Number(metrics.cpu_percent) || 0,
      load1: Number(metrics.load1) || 0,
      mem_percent: percent(metrics.mem_used, metrics.mem_total),
      disk_percent: disks.length ? Math.max(...disks) : null,
      net_rx_bps: rxBps,
      net_tx_bps: txBps,
    },
    counters,
  }
}

// appendPoint adds a live point to the stored ones, keeps them in time order,
// and drops what fell out of the window of hours before the newest point.
export function appendPoint(points, point, hours = METRIC_HOURS) {
  if (!point) return points
  const at = parseTime(point.at)?.getTime()
  const last = points.length ? parseTime(points[points.length - 1].at)?.getTime() : null
  let next = last != null && at < last ? [...points, point].sort((a, b) => Date.parse(a.at) - Date.parse(b.at)) : [...points, point]
  const newest = Math.max(at, last ?? at)
  const from = newest - hours * HOUR
  const firstKept = next.findIndex((p) => Date.parse(p.at) >= from)
  if (firstKept > 0) next = next.slice(firstKept)
  return next
}

// series picks one field of the points as chart data: [{x: ms, y}], leaving
// out points without that value (a rate before the second heartbeat).
export function series(points, field) {
  const out = []
  for (const p of points ?? []) {
    const t = parseTime(p.at)
    const y = p[field]
    if (t && y != null && Number.isFinite(Number(y))) out.push({ x: t.getTime(), y: Number(y) })
  }
  return out
}
