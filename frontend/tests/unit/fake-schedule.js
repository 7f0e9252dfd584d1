// Stands in for Go's DescribeSchedule in unit tests: the answers Go gives
// (backend/jobs Describe, its table tests) for the schedules the tests type.
const DESCRIPTIONS = {
  '': { kind: 'manual', expr: '' },
  '0 * * * *': { kind: 'hourly', expr: '0 * * * *' },
  '0 3 * * *': { kind: 'daily', at: '03:00', expr: '0 3 * * *' },
  '30 3 * * *': { kind: 'daily', at: '03:30', expr: '30 3 * * *' },
  '0 2 * * 1': { kind: 'weekly', at: '02:00', days: [1], expr: '0 2 * * 1' },
  '*/5 * * * *': { kind: 'every_minutes', every: 5, expr: '*/5 * * * *' },
}

export function describeSchedule(expr) {
  const [, zone = '', body = expr] = /^(?:CRON_TZ=(\S+)\s+)?(.*)$/.exec(expr) ?? []
  const desc = DESCRIPTIONS[body]
  if (!desc) return Promise.resolve({ error: `schedule "${expr}": bad expression (use five cron fields like "0 3 * * *", optionally after CRON_TZ=Area/City)` })
  return Promise.resolve({ ...desc, zone, next: [], gap_seconds: 0, rpo_seconds: 93600, misses_rpo: false })
}

// settle lets the wizard ask Go (it waits for typing to stop) and the answer land.
export async function settle() {
  await new Promise((resolve) => setTimeout(resolve, 200))
  await new Promise((resolve) => setTimeout(resolve, 0))
}
