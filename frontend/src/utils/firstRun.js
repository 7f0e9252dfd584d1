// The first-run path the empty states and the dashboard's guide share: add
// a server, create a backup job, then try a restore once a backup has run.

export const FIRST_RUN_STEPS = Object.freeze(['server', 'job', 'restore'])
// Set once the operator has tried a restore from the guide or hidden it.
export const GUIDE_DONE_KEY = 'ui.guide_done'

// firstRunProgress says which steps are done and which comes next (current
// is -1 once all are). The restore step waits for a successful backup, and
// is done by a real restore that succeeded or a passed restore test (done).
export function firstRunProgress({ servers = 0, jobs = 0, backedUp = false, done = false } = {}) {
  const hasServer = Number(servers) > 0
  const steps = [hasServer, hasServer && Number(jobs) > 0, Boolean(done)]
  const current = steps.indexOf(false)
  return { done: steps, current, waiting: current === 2 && !backedUp }
}
