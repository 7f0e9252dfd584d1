import { describe, expect, it } from 'vitest'
import {
  actionSlug,
  basename,
  buildTree,
  diffGroups,
  flxType,
  includedParts,
  isTaskDone,
  laterStatus,
  listedChanges,
  parseCreated,
  parseJSON,
  redactionState,
  restoreCounts,
  restoreRequest,
  treeRows,
  undoCommand,
  userProblem,
} from '@/utils/flx.js'

const file = (path, size = 10, extra = {}) => ({ path, hash: 'sha256:00', size, ...extra })

describe('buildTree and treeRows', () => {
  const files = [
    file('/etc/asterisk/sip.conf', 74, { mode: '0640', owner: 'asterisk' }),
    file('etc/asterisk/extensions.conf', 59),
    file('/etc/flexpbx/flexpbx.conf', 66),
    file('var/lib/flexpbx/users.sqlite', 1000),
    file('README', 5),
  ]

  it('puts absolute and relative paths in one tree and sums what is below each directory', () => {
    const root = buildTree(files)
    expect(root.count).toBe(5)
    expect(root.size).toBe(1204)
    const etc = root.dirs.get('etc')
    expect([etc.count, etc.size]).toEqual([3, 199])
    expect([...etc.dirs.get('asterisk').files.map((f) => f.name)]).toEqual(['sip.conf', 'extensions.conf'])
  })

  it('lists directories first, folds single-child chains, and hides what is closed', () => {
    const root = buildTree(files)
    const all = treeRows(root, () => true)
    expect(all.map((r) => [r.type, r.name, r.depth])).toEqual([
      ['dir', 'etc', 0],
      ['dir', 'asterisk', 1],
      ['file', 'extensions.conf', 2],
      ['file', 'sip.conf', 2],
      ['dir', 'flexpbx', 1],
      ['file', 'flexpbx.conf', 2],
      ['dir', 'var/lib/flexpbx', 0],
      ['file', 'users.sqlite', 1],
      ['file', 'README', 0],
    ])
    expect(all.find((r) => r.name === 'sip.conf')).toMatchObject({ mode: '0640', owner: 'asterisk', size: 74 })
    expect(all.find((r) => r.name === 'var/lib/flexpbx')).toMatchObject({ path: 'var/lib/flexpbx/', count: 1, size: 1000 })

    const closedEtc = treeRows(root, (path) => path !== 'etc/')
    expect(closedEtc.map((r) => r.name)).toEqual(['etc', 'var/lib/flexpbx', 'users.sqlite', 'README'])
    expect(closedEtc[0].open).toBe(false)
  })

  it('has no rows for no files', () => {
    expect(treeRows(buildTree([]), () => true)).toEqual([])
    expect(treeRows(buildTree(undefined), () => true)).toEqual([])
  })
})

describe('task statuses', () => {
  it('never moves a task back', () => {
    expect(laterStatus('queued', 'running')).toBe('running')
    expect(laterStatus('running', 'dispatched')).toBe('running')
    expect(laterStatus('succeeded', 'running')).toBe('succeeded')
    expect(laterStatus('running', 'failed')).toBe('failed')
    expect(laterStatus('', 'queued')).toBe('queued')
    expect(laterStatus('queued', '')).toBe('queued')
  })

  it('knows the final ones', () => {
    expect(['queued', 'dispatched', 'running'].map(isTaskDone)).toEqual([false, false, false])
    expect(['succeeded', 'failed', 'cancelled'].map(isTaskDone)).toEqual([true, true, true])
  })

  it('reads a result sent as an object or as JSON text', () => {
    expect(parseJSON({ a: 1 })).toEqual({ a: 1 })
    expect(parseJSON('{"a":1}')).toEqual({ a: 1 })
    expect(parseJSON('not json')).toBeNull()
    expect(parseJSON(null)).toBeNull()
  })
})

describe('restore results', () => {
  const result = {
    counts: { create: 1, overwrite: 2, unchanged: 3, 'keep (user data)': 1, remove: 0, odd: 4 },
    changes: [
      { path: 'b', action: 'unchanged', size: 1 },
      { path: 'z', action: 'create', size: 1 },
      { path: 'a', action: 'overwrite', size: 1 },
      { path: 'c', action: 'keep (user data)', size: 1 },
      { path: 'd', action: 'create', size: 1 },
    ],
    rollback: '/var/backups/borgdesk-flx/rollback-x.flx.gz',
  }

  it('counts every action, in the order that matters, zeros and unknown ones too', () => {
    expect(restoreCounts(result)).toEqual([
      { action: 'create', count: 1 },
      { action: 'overwrite', count: 2 },
      { action: 'remove', count: 0 },
      { action: 'keep (user data)', count: 1 },
      { action: 'unchanged', count: 3 },
      { action: 'odd', count: 4 },
    ])
    expect(restoreCounts(null).every((c) => c.count === 0)).toBe(true)
  })

  it('lists the changes but not the unchanged files', () => {
    const { shown, unchanged } = listedChanges(result)
    expect(shown.map((c) => c.path)).toEqual(['d', 'z', 'a', 'c'])
    expect(unchanged).toBe(1)
  })

  it('spells the undo command and the action slugs', () => {
    expect(undoCommand(result.rollback)).toBe('borgdesk-agent flx restore --rollback /var/backups/borgdesk-flx/rollback-x.flx.gz')
    expect(actionSlug('keep (user data)')).toBe('keep')
  })

  it('groups a comparison by status', () => {
    expect(
      diffGroups([
        { path: 'b', status: 'changed' },
        { path: 'a', status: 'changed' },
        { path: 'c', status: 'only in target' },
      ]),
    ).toEqual({ changed: ['a', 'b'], 'only in snapshot': [], 'only in target': ['c'] })
  })
})

describe('restore requests', () => {
  it('needs a user for migrate, and a valid one whenever one is given', () => {
    expect(userProblem('merge', '')).toBe('')
    expect(userProblem('fresh', '  ')).toBe('')
    expect(userProblem('merge', '../root')).toBe('invalid')
    expect(userProblem('fresh', 'pbx')).toBe('')
    expect(userProblem('migrate', '  ')).toBe('required')
    expect(userProblem('migrate', 'pbx 2')).toBe('invalid')
    expect(userProblem('migrate', '../root')).toBe('invalid')
    expect(userProblem('migrate', 'pbx2')).toBe('')
  })

  it('sends the user in every mode, trimmed (merge and fresh: the home for FlexPBX files)', () => {
    expect(restoreRequest({ id: 'abc', server: 'u1', mode: 'merge', user: ' pbx ' })).toEqual({ id: 'abc', server: 'u1', mode: 'merge', user: 'pbx', dry_run: false, root: '' })
    expect(restoreRequest({ id: 'abc', server: 'u1', mode: 'fresh' }).user).toBe('')
    expect(restoreRequest({ id: 'abc', server: 'u1', mode: 'merge', root: ' /srv/x ' }).root).toBe('/srv/x')
    expect(restoreRequest({ id: 'abc', server: 'u1', mode: 'migrate', user: ' pbx2 ', dryRun: true })).toEqual({ id: 'abc', server: 'u1', mode: 'migrate', user: 'pbx2', dry_run: true, root: '' })
  })
})

describe('snapshot facts', () => {
  it('tells .flx from .flxx by the snapshot, then the name', () => {
    expect(flxType({ name: 'a.flx', inspection: { meta: { backup_type: 'extended' } } })).toBe('flxx')
    expect(flxType({ name: 'a.flxx', inspection: { meta: { backup_type: 'system_config' } } })).toBe('flx')
    expect(flxType({ name: 'a.flxx.gz', inspection: {} })).toBe('flxx')
    expect(flxType({ name: 'a.flx.gz' })).toBe('flx')
  })

  it('says whether sanitizing ran and found something', () => {
    expect(redactionState({ sensitive_data_included: true, redaction_report: [{}] })).toBe('secrets')
    expect(redactionState({ sensitive_data_included: false })).toBe('none')
    expect(redactionState({ redaction_report: [{ file: 'a', rule: 'r', count: 1 }] })).toBe('redacted')
    expect(redactionState(null)).toBe('none')
  })

  it('reads FlexPBX times as local time, and RFC 3339 as given', () => {
    const d = parseCreated('2025-03-14 09:26:53')
    expect([d.getFullYear(), d.getMonth(), d.getDate(), d.getHours(), d.getMinutes()]).toEqual([2025, 2, 14, 9, 26])
    expect(parseCreated('2026-11-21T22:10:00Z').toISOString()).toBe('2026-11-21T22:10:00.000Z')
  })

  it('lists what the snapshot includes and names files', () => {
    expect(includedParts({ includes: { schemas: true, config_files: true, default_settings: false } })).toEqual(['config_files', 'schemas'])
    expect(basename('/home/ops/inbox/a.flx')).toBe('a.flx')
  })
})
