import { describe, expect, it } from 'vitest'
import { entryResult, historyEntries, taskCategory } from '@/utils/tasks.js'
import { canCancel, formatRunTime, runArchive } from '@/utils/runs.js'

describe('historyEntries', () => {
  it('merges tasks and drills, newest first', () => {
    const tasks = [
      { id: 41, type: 'restore', status: 'succeeded', server_name: 'web1', server_uuid: 'u1', created_at: '2026-11-22T10:00:00Z', result: { files: 3, bytes: 2048, to: '/srv' } },
      { id: 40, type: 'flx-backup', status: 'failed', server_name: 'web1', server_uuid: 'u1', created_at: '2026-11-22T08:00:00Z', error: 'no space' },
    ]
    const drills = [{ id: 7, job_name: 'etc', server_name: 'web1', server_uuid: 'u1', archive: 'etc@1', status: 'passed', started_at: '2026-11-22T09:00:00Z', checked: 12 }]
    const got = historyEntries(tasks, drills)
    expect(got.map((e) => e.key)).toEqual(['task-41', 'drill-7', 'task-40'])
    expect(entryResult(got[0], 'en')).toEqual({ key: 'tasks.result.restore', values: { n: '3', size: '2.0 KiB', to: '/srv' } })
    expect(entryResult(got[1], 'en')).toEqual({ key: 'tasks.result.drill', values: { job: 'etc', archive: 'etc@1', n: '12' } })
    expect(entryResult(got[2], 'en')).toBe(null)
  })

  it('sorts types into the filter categories', () => {
    expect(['restore', 'db-restore', 'flx-restore', 'flx-backup', 'drill', 'storage-repo'].map(taskCategory)).toEqual([
      'restore',
      'restore',
      'restore',
      'flx',
      'drill',
      'other',
    ])
  })
})

describe('runs', () => {
  it('names an archive only where one exists', () => {
    expect(runArchive({ status: 'failed', archive: 'etc@2026' })).toBe('none')
    expect(runArchive({ status: 'cancelled', archive: 'etc@2026' })).toBe('none')
    expect(runArchive({ status: 'running', archive: 'etc@2026' })).toBe('writing')
    expect(runArchive({ status: 'succeeded', archive: 'etc@2026', pruned_at: '2026-11-30T00:00:00Z' })).toBe('pruned')
    expect(runArchive({ status: 'warning', archive: 'etc@2026', pruned_at: null })).toBe('browsable')
    expect(runArchive({ status: 'succeeded', archive: '' })).toBe('none')
  })

  it('cancels only queued and running runs', () => {
    expect(['queued', 'running', 'succeeded', 'failed'].map((status) => canCancel({ status }))).toEqual([true, true, false, false])
  })

  it('shows run times to the second', () => {
    expect(formatRunTime('2026-11-22T10:04:07Z', 'en')).toMatch(/:04:07/)
  })
})
