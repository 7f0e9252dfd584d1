// @vitest-environment node
// The hand-written doubles of the Go side — the Playwright double
// (e2e/desk-double.js and its desk-*.js parts) and the Vitest fake
// (tests/unit/fake-desk.js) — checked against the generated Wails bindings:
// a method Go has that a double lacks, a method a double has that Go does
// not, a field a double answers with that Go's type lacks, or (for the
// answers every page reads: servers, jobs, runs, status) a field Go sends
// that the double leaves out, fails here.
import { describe, expect, it } from 'vitest'
import { deskMethods, missingFields, modelClasses, strayFields } from './bindings.js'
import * as fakeDesk from '../fake-desk.js'
import { describeSchedule } from '../fake-schedule.js'
import { installDesk, FLEET_RUNS, NAS1, OPERATOR_FLEET, POPULATED_FLEET, PRUNED_ARCHIVE, RESTORE_FLEET, STORAGE_FLEET, WEB1 } from '../../../e2e/desk-double.js'

// Go methods a double may leave out, each with the reason (a page that
// never calls it). None today: both doubles answer every bound method.
const NOT_IN_PLAYWRIGHT_DOUBLE = new Set([])
const NOT_IN_VITEST_FAKE = new Set([])

// Fields ("type.field") Go's JSON leaves out when they are empty (omitempty
// in the Go struct): an answer may lack them. models.ts writes these and
// pointers alike ("name?:"), so they are listed by hand from the Go tags.
const GO_OMITS_WHEN_EMPTY = new Map([
  ['store.Run.log', 'backend/store/runs.go: `json:"log,omitempty"` (ListRuns sends none)'],
  ['jobs.Description.every', 'backend/jobs/describe.go: omitempty, only for "every N" schedules'],
  ['jobs.Description.minute', 'backend/jobs/describe.go: omitempty, only for hourly schedules'],
  ['jobs.Description.at', 'backend/jobs/describe.go: omitempty, only for daily and weekly schedules'],
  ['jobs.Description.days', 'backend/jobs/describe.go: omitempty, only for weekly schedules'],
  ['jobs.Description.day', 'backend/jobs/describe.go: omitempty, only for monthly schedules'],
  ['jobs.Description.zone', 'backend/jobs/describe.go: omitempty, only with CRON_TZ'],
  // A job's definition (GetJobInput): only what the job sets.
  ...['paths', 'excludes', 'one_file_system', 'compression', 'checkpoint_interval', 'mysql', 'postgres', 'mongo', 'docker', 'lvm', 'flx', 'pre', 'post'].map((f) => [
    `agentapi.BackupSpec.${f}`,
    'backend/shared/agentapi/backup.go: omitempty, set per kind',
  ]),
  ...['within', 'daily', 'weekly', 'monthly', 'yearly'].map((f) => [`borg.Keep.${f}`, 'backend/shared/borg/ops.go: omitempty, zero counts are not sent']),
])
// Fields Go always sends that the Playwright double leaves out of the
// answers checked below, each with the reason no page misses it. None
// today; a field added to Go's types fails the check until the fixtures
// (e2e/fixtures*.js) and the double's makers (createJob, runJob, …) carry
// it, or it is listed here with its reason.
const NOT_IN_DOUBLE_ANSWERS = new Map([])
const OMITTED = new Set([...GO_OMITS_WHEN_EMPTY.keys(), ...NOT_IN_DOUBLE_ANSWERS.keys()])

// installDesk writes its double into the page with addInitScript; this page
// runs those scripts here, with the global object as the page's window
// (node, not happy-dom: the fixtures read schedules.json through node's URL).
async function playwrightDouble(fleet) {
  globalThis.window = globalThis
  const page = {
    clock: { install: async () => {} },
    addInitScript: async (fn, arg) => fn(arg),
  }
  await installDesk(page, fleet)
  return window.go.app.Desk
}

const methods = deskMethods()
const classes = modelClasses()

describe('the bindings as parsed', () => {
  it('has the Desk methods and the model classes', () => {
    expect(methods.size).toBeGreaterThan(70)
    expect(methods.get('ListServers')).toEqual({ args: 0, returns: 'Array<store.Server>' })
    expect(classes.get('store.Server').has('uuid')).toBe(true)
    expect(strayFields([{ uuid: 'u', colour: 'red' }], 'Array<store.Server>', classes)).toEqual([
      '[0].colour (not a field of store.Server)',
    ])
  })
})

describe('the Playwright double', () => {
  it('answers every Desk method Go binds, and no other', async () => {
    const desk = await playwrightDouble(POPULATED_FLEET)
    const have = new Set(Object.keys(desk))
    const missing = [...methods.keys()].filter((m) => !have.has(m) && !NOT_IN_PLAYWRIGHT_DOUBLE.has(m))
    const extra = [...have].filter((m) => !methods.has(m))
    expect({ missing, extra }).toEqual({ missing: [], extra: [] })
  })

  // Each case sets a fleet (and makes the double create what it lists),
  // then makes a call the pages make; the answer must fit the Go type the
  // bindings declare for that method, and a list must not be empty.
  const archive = RESTORE_FLEET.archives[WEB1.uuid].map((a) => a.name).find((n) => n !== PRUNED_ARCHIVE)
  // The double's clock is the real one here (no page.clock): ask for years.
  const HOURS = 24 * 365 * 10
  const CASES = [
    ['ListServers', POPULATED_FLEET, []],
    ['GetServer', POPULATED_FLEET, [WEB1.uuid]],
    ['ListJobs', POPULATED_FLEET, []],
    // A job's life after it was created: the answers of each call below
    // are checked as the setup's are.
    ['GetJobInput', POPULATED_FLEET, ['3']],
    ['EditJob', POPULATED_FLEET, ['3', { server: '', name: 'pg-main', spec: { kind: 'postgres', postgres: { os_user: 'postgres' } }, schedule: '0 3 * * *', keep: { daily: 7 } }, true]],
    ['EditJob', POPULATED_FLEET, ['3', { server: '', name: 'pg-main', spec: { kind: 'postgres', postgres: { os_user: 'postgres' } }, schedule: '0 3 * * *', keep: { daily: 7 } }, false]],
    ['SetJobEnabled', POPULATED_FLEET, ['3', false]],
    ['DuplicateJob', POPULATED_FLEET, ['3', 'pg-copy', WEB1.uuid]],
    ['DeleteJob', POPULATED_FLEET, ['5', true, 'data-snapshot']],
    ['BackupServer', POPULATED_FLEET, [WEB1.uuid], (d) => d.SetJobEnabled('4', false)],
    ['ListJobs', POPULATED_FLEET, [], (d) => d.DuplicateJob('3', 'pg-copy', '')],
    ['ListRuns', POPULATED_FLEET, [100]],
    ['GetRun', POPULATED_FLEET, [FLEET_RUNS[0].id]],
    ['ListArchives', RESTORE_FLEET, [WEB1.uuid]],
    ['ListArchives', RESTORE_FLEET, [WEB1.uuid], (d) => d.RenameArchive({ server: WEB1.uuid, archive, new_name: `${archive}-golden`, comment: 'before the upgrade' })],
    ['ListArchives', RESTORE_FLEET, [WEB1.uuid], (d) => d.DeleteArchive(WEB1.uuid, archive, archive)],
    ['ListEvents', POPULATED_FLEET, [100]],
    ['QueryEvents', POPULATED_FLEET, [{ limit: 100 }]],
    ['Status', POPULATED_FLEET, []],
    ['GetSettings', POPULATED_FLEET, []],
    ['GetHealth', OPERATOR_FLEET, []],
    ['GetStorage', OPERATOR_FLEET, []],
    ['GetMetrics', OPERATOR_FLEET, [WEB1.uuid, HOURS]],
    ['GetMailStatus', OPERATOR_FLEET, []],
    ['GetRecoveryKitStatus', POPULATED_FLEET, []],
    ['ListDrills', RESTORE_FLEET, ['', 100]],
    ['ListTasks', RESTORE_FLEET, ['', 100], (d) => d.StartRestore({ server: WEB1.uuid, archive, paths: ['etc'], policy: 'skip' })],
    ['ListMounts', RESTORE_FLEET, [], (d) => d.Mount(WEB1.uuid, archive, '')],
    ['ListEnrollmentTokens', POPULATED_FLEET, [], (d) => d.CreateEnrollmentToken('web9', '1h')],
    ['ListReplicas', POPULATED_FLEET, [], (d) => d.SetReplica({ server: WEB1.uuid, dir: '/srv/replica' })],
    ['ListTargets', STORAGE_FLEET, [], (d) => d.AddStorageNode({ server: NAS1.uuid })],
  ]
  it.each(CASES)('%s answers with the fields of its Go type', async (name, fleet, args, setup) => {
    const d = await playwrightDouble(fleet)
    if (setup) {
      const made = await setup(d)
      // What the setup call answered is checked too.
      const maker = Object.keys(d).find((m) => setup.toString().includes(`d.${m}(`))
      expect(strayFields(made, methods.get(maker).returns, classes), maker).toEqual([])
    }
    const answer = await d[name](...args)
    if (Array.isArray(answer)) expect(answer.length, `${name} answered an empty list: nothing was checked`).toBeGreaterThan(0)
    expect(strayFields(answer, methods.get(name).returns, classes)).toEqual([])
  })

  // Every method that takes nothing is called on each fleet, and whatever
  // it answers must fit its Go type.
  const FLEETS = { POPULATED_FLEET, OPERATOR_FLEET, RESTORE_FLEET, STORAGE_FLEET }
  it.each(Object.keys(FLEETS))('every method without arguments answers %s with Go fields', async (fleet) => {
    const d = await playwrightDouble(FLEETS[fleet])
    const stray = []
    for (const [name, m] of methods) {
      if (m.args > 0) continue
      let answer
      try {
        answer = await d[name]()
      } catch {
        continue // Go refuses it on this fleet (no SMTP server, …): no answer to check
      }
      stray.push(...strayFields(answer, m.returns, classes).map((f) => `${name}${f}`))
    }
    expect(stray).toEqual([])
  })
})

describe('the Playwright double, the other way round', () => {
  // The answers every page reads, on every fleet, and after the double
  // made a job and a run itself: each carries every field Go sends.
  const READ = [
    ['ListServers', []],
    ['GetServer', [WEB1.uuid]],
    ['ListJobs', []],
    ['ListRuns', [100]],
    ['GetRun', [FLEET_RUNS[0].id]],
    ['Status', []],
  ]
  const FLEETS = { POPULATED_FLEET, OPERATOR_FLEET, RESTORE_FLEET, STORAGE_FLEET }
  async function missing(d, calls) {
    const out = []
    for (const [name, args] of calls) {
      const answer = await d[name](...args)
      out.push(...missingFields(answer, methods.get(name).returns, classes, OMITTED).map((f) => `${name}${f}`))
    }
    return out
  }

  it.each(Object.keys(FLEETS))('servers, jobs, runs and status of %s carry every field Go sends', async (fleet) => {
    const d = await playwrightDouble(FLEETS[fleet])
    expect(await missing(d, READ)).toEqual([])
  })

  it('a job and a run the double made carry every field Go sends', async () => {
    const d = await playwrightDouble(POPULATED_FLEET)
    const job = await d.CreateJob({ server: WEB1.uuid, name: 'contract', spec: { kind: 'files', paths: ['/etc'] }, schedule: '', keep: { daily: 7 } })
    const run = await d.RunJob(String(job.id))
    expect(missingFields(job, methods.get('CreateJob').returns, classes, OMITTED)).toEqual([])
    expect(missingFields(run, methods.get('RunJob').returns, classes, OMITTED)).toEqual([])
    expect(await missing(d, [['ListJobs', []], ['ListRuns', [100]], ['GetRun', [run.id]]])).toEqual([])
  })
})

describe('the Playwright double on a job after it was created', () => {
  // Edit, pause, duplicate, delete and back up now answer with every field
  // of their Go type, and the jobs they changed are still listed whole.
  it('answers with every field Go sends', async () => {
    const d = await playwrightDouble(POPULATED_FLEET)
    const input = await d.GetJobInput('3')
    const answers = [
      ['GetJobInput', input],
      ['EditJob', await d.EditJob('3', { ...input, schedule: '0 3 * * *' }, true)],
      ['EditJob', await d.EditJob('3', { ...input, schedule: '0 3 * * *' }, false)],
      ['SetJobEnabled', await d.SetJobEnabled('4', false)],
      ['DuplicateJob', await d.DuplicateJob('4', 'volumes-copy', '')],
      ['DeleteJob', await d.DeleteJob('5', false, '')],
      ['BackupServer', await d.BackupServer(WEB1.uuid)],
    ]
    const missing = answers.flatMap(([name, answer]) => missingFields(answer, methods.get(name).returns, classes, OMITTED).map((f) => `${name}${f}`))
    expect(missing).toEqual([])
    const jobs = await d.ListJobs()
    expect(missingFields(jobs, methods.get('ListJobs').returns, classes, OMITTED)).toEqual([])
    expect(jobs.map((j) => [j.name, j.enabled])).toContainEqual(['volumes-copy', false])
  })
})

describe('the Vitest fake', () => {
  it('stands in for every Desk method Go binds, and no other', () => {
    const have = new Set(Object.keys(fakeDesk))
    const missing = [...methods.keys()].filter((m) => !have.has(m) && !NOT_IN_VITEST_FAKE.has(m))
    const extra = [...have].filter((m) => !methods.has(m))
    expect({ missing, extra }).toEqual({ missing: [], extra: [] })
  })

  it("describes schedules with the fields of Go's ScheduleDescription", async () => {
    for (const expr of ['0 3 * * *', '0 2 * * 1', 'nonsense']) {
      expect(strayFields(await describeSchedule(expr), 'service.ScheduleDescription', classes)).toEqual([])
    }
  })
})

describe('the lists that say nothing was missed', () => {
  it('leave out only methods Go still binds', () => {
    for (const m of [...NOT_IN_PLAYWRIGHT_DOUBLE, ...NOT_IN_VITEST_FAKE]) expect(methods.has(m), m).toBe(true)
  })

  it('excuse only fields Go still has, each with its reason', () => {
    for (const [key, why] of [...GO_OMITS_WHEN_EMPTY, ...NOT_IN_DOUBLE_ANSWERS]) {
      const dot = key.lastIndexOf('.')
      expect(classes.get(key.slice(0, dot))?.has(key.slice(dot + 1)), key).toBe(true)
      expect(why.length, key).toBeGreaterThan(10)
    }
  })

  it('excuse only fields the double still leaves out', async () => {
    // Without the excuses, each one listed must still be missing somewhere.
    const d = await playwrightDouble(POPULATED_FLEET)
    const gaps = new Set()
    for (const [name, args] of [['ListServers', []], ['ListJobs', []], ['ListRuns', [100]], ['Status', []]]) {
      for (const f of missingFields(await d[name](...args), methods.get(name).returns, classes, new Set(GO_OMITS_WHEN_EMPTY.keys()))) {
        gaps.add(/\(a field of (\S+)\)$/.exec(f)[1] + '.' + /\.(\w+) \(a field/.exec(f)[1])
      }
    }
    for (const key of NOT_IN_DOUBLE_ANSWERS.keys()) expect(gaps.has(key), `${key} is no longer left out: remove it from NOT_IN_DOUBLE_ANSWERS`).toBe(true)
  })
})
