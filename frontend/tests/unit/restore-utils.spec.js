import { describe, expect, it } from 'vitest'
import {
  checkFolder,
  dbRestoreRequest,
  defaultCopyName,
  dumpInfo,
  formatEta,
  formatRate,
  normalizePaths,
  policyKey,
  progressRatio,
  restoreRequest,
  taskIdOf,
} from '@/utils/restore.js'

describe('formatRate', () => {
  it.each([
    [0, 'en', '0 bytes/s'],
    [1, 'en', '1 byte/s'],
    [950, 'en', '950 bytes/s'],
    [12.4 * 2 ** 20, 'en', '12.4 MiB/s'],
    [12.4 * 2 ** 20, 'fr', '12,4 MiB/s'],
    [1.5 * 2 ** 30, 'de', '1,5 GiB/s'],
  ])('%s B/s in %s is %s', (value, locale, want) => {
    expect(formatRate(value, locale).replace(/\u00a0|\u202f/g, ' ')).toBe(want)
  })

  it('is empty when the rate is unknown', () => {
    expect([null, undefined, '', -1, NaN].map((v) => formatRate(v, 'en'))).toEqual(['', '', '', '', ''])
  })
})

describe('formatEta', () => {
  it.each([
    [0, '0 sec'],
    [2.1, '3 sec'],
    [59, '59 sec'],
    [250, '4 min 10 sec'],
    [3600, '1 hr'],
    [3725, '1 hr 2 min'],
  ])('%s s left is %s', (seconds, want) => {
    expect(formatEta(seconds, 'en')).toBe(want)
  })

  it('is empty when the time left is unknown', () => {
    expect([null, '', -5, Infinity].map((v) => formatEta(v, 'en'))).toEqual(['', '', '', ''])
  })
})

describe('progressRatio', () => {
  it('reads bytes first, then files, else null', () => {
    expect(progressRatio({ bytes: 25, total_bytes: 100, files: 9, total_files: 10 })).toBe(0.25)
    expect(progressRatio({ bytes: 5, total_bytes: 0, files: 3, total_files: 12 })).toBe(0.25)
    expect(progressRatio({ bytes: 5 })).toBeNull()
    expect(progressRatio(null)).toBeNull()
    expect(progressRatio({ bytes: 150, total_bytes: 100 })).toBe(1)
  })
})

describe('policies and requests', () => {
  it('names each policy in the locale files', () => {
    expect(['skip', 'overwrite', 'keep-both'].map(policyKey)).toEqual(['skip', 'overwrite', 'keepBoth'])
  })

  it('drops paths a selected folder already holds', () => {
    expect(normalizePaths(['etc/nginx/nginx.conf', '/etc/nginx/', 'var/www', 'etc/nginx', 'etc/nginxx'])).toEqual(['etc/nginx', 'etc/nginxx', 'var/www'])
    expect(normalizePaths(undefined)).toEqual([])
  })

  it('checks the destination folder', () => {
    expect([' ', 'srv/x', '/srv/restore '].map(checkFolder)).toEqual(['required', 'absolute', ''])
  })

  it('maps the dialog to a RestoreRequest: same server and original place are ""', () => {
    const base = { server: 'uuid-web1', archive: 'a1', paths: ['etc/hosts'], destination: 'original', folder: '/srv/x', targetServer: 'uuid-web1', policy: 'skip' }
    expect(restoreRequest(base)).toEqual({ server: 'uuid-web1', archive: 'a1', paths: ['etc/hosts'], to: '', target_server: '', policy: 'skip' })
    expect(restoreRequest({ ...base, destination: 'folder', folder: ' /srv/x ', targetServer: 'uuid-web2', policy: 'keep-both' })).toEqual({
      server: 'uuid-web1',
      archive: 'a1',
      paths: ['etc/hosts'],
      to: '/srv/x',
      target_server: 'uuid-web2',
      policy: 'keep-both',
    })
    expect(restoreRequest({ ...base, policy: 'merge', paths: [] })).toMatchObject({ policy: 'keep-both', paths: [] })
  })

  it('reads a dump path and names the copy by the date', () => {
    expect(dumpInfo('postgres/app.dump')).toEqual({ path: 'postgres/app.dump', engine: 'postgres', database: 'app' })
    expect(dumpInfo('mongo/all.archive').database).toBe('all')
    expect(defaultCopyName('shop', new Date(2026, 0, 5, 23, 59))).toBe('shop_restored_20260105')
  })

  it('maps a database restore: a copy sends the new name, a replace the original and what was typed', () => {
    const base = { server: 's', archive: 'a', dump: 'mysql/shop.sql', copyName: ' shop_copy ', confirm: 'shop', targetServer: 's' }
    expect(dbRestoreRequest({ ...base, mode: 'copy' })).toEqual({ server: 's', archive: 'a', dump: 'mysql/shop.sql', mode: 'copy', database: 'shop_copy', confirm: '', target_server: '' })
    expect(dbRestoreRequest({ ...base, mode: 'replace', confirm: 'shopp', targetServer: 't' })).toEqual({
      server: 's',
      archive: 'a',
      dump: 'mysql/shop.sql',
      mode: 'replace',
      database: 'shop',
      confirm: 'shopp',
      target_server: 't',
    })
  })

  it('reads the task a task:changed record is about', () => {
    expect(taskIdOf({ data: { task_id: 7 } })).toBe(7)
    expect(taskIdOf({ data: { id: '8' } })).toBe(8)
    expect(taskIdOf({ id: 99, data: null })).toBe(0)
  })
})

describe('resultCounts', () => {
  it('counts each file once: new, replaced, written beside, skipped', async () => {
    const { resultCounts } = await import('@/utils/restore.js')
    expect(resultCounts({ files: 1204, overwritten: 0, renamed: 3, skipped: 2 })).toEqual([
      { key: 'written', value: 1201 },
      { key: 'overwritten', value: 0 },
      { key: 'renamed', value: 3 },
      { key: 'skipped', value: 2 },
    ])
    expect(resultCounts({ files: 5, overwritten: 5 }).map((c) => c.value)).toEqual([0, 5, 0, 0])
    expect(resultCounts(null).map((c) => c.value)).toEqual([0, 0, 0, 0])
  })
})
