import { describe, expect, it } from 'vitest'
import { formFrom, looksLikeSftp, replicaInput, replicaLabel, replicaTone, runDuration, sftpTarget } from '@/utils/replicas.js'

describe('replica utils', () => {
  it('labels each state, running first', () => {
    expect(replicaLabel(null).key).toBe('replica.state.none')
    expect(replicaLabel({ state: 'in_sync', running: true }).key).toBe('replica.state.running')
    expect(replicaLabel({ state: 'behind', behind: 2 })).toEqual({ key: 'replica.state.behind', values: { n: 2 }, plural: 2 })
    expect(replicaLabel({ state: 'failing', reason: 'target full' }).values).toEqual({ reason: 'target full' })
    expect([null, { state: 'in_sync' }, { state: 'behind' }, { state: 'failing' }, { state: 'never' }].map(replicaTone)).toEqual(['none', 'ok', 'warn', 'bad', 'none'])
  })

  it('writes and reads SFTP targets as user@host:port/path', () => {
    expect(sftpTarget({ user: 'b', host: 'nas', port: 2222, path: '/srv/r' })).toBe('b@nas:2222/srv/r')
    expect(sftpTarget({ user: 'b', host: 'fd00::1', port: 22, path: 'rel' })).toBe('b@[fd00::1]/~/rel')
    expect(looksLikeSftp('b@nas:2222/srv/r')).toBe(true)
    expect(looksLikeSftp('b@[fd00::1]:23/x')).toBe(true)
    expect(looksLikeSftp('nas:/srv')).toBe(false)
    expect(looksLikeSftp('b@nas:port/x')).toBe(false)
  })

  it('builds SetReplica input for each kind, the secret only when typed', () => {
    const sftp = { ...formFrom(null), sftp: ' b@nas/srv ', schedule: ' 0 3 * * * ' }
    expect(replicaInput('u1', sftp, 'SHA256:x')).toEqual({ server: 'u1', sftp: 'b@nas/srv', accept_host_key: 'SHA256:x', after_backup: true, schedule: '0 3 * * *' })
    const s3 = { ...formFrom(null), kind: 's3', endpoint: 'https://s3', bucket: 'b', accessKeyId: 'AK', afterBackup: false }
    expect(replicaInput('u1', s3).s3).toEqual({ endpoint: 'https://s3', bucket: 'b', prefix: '', region: '', access_key_id: 'AK' })
    expect(replicaInput('u1', { ...s3, secretKey: 'sk' }).s3.secret_key).toBe('sk')
    expect(replicaInput('u1', { ...formFrom(null), kind: 'local', dir: '/mnt/d' })).toEqual({ server: 'u1', dir: '/mnt/d', after_backup: true, schedule: '' })
  })

  it('fills the form from a stored replica without its secret', () => {
    const f = formFrom({ target: { kind: 's3', endpoint: 'https://s3', bucket: 'b', path: 'p', access_key_id: 'AK' }, after_backup: false, schedule: '@daily', secret_set: true })
    expect(f).toMatchObject({ kind: 's3', endpoint: 'https://s3', bucket: 'b', prefix: 'p', accessKeyId: 'AK', secretKey: '', afterBackup: false, schedule: '@daily' })
  })

  it('says how long a run took', () => {
    expect(runDuration(6400, 'en')).toBe('6.4 sec')
    expect(runDuration(3 * 3600e3 + 5 * 60e3, 'en')).toBe('3 hr 5 min')
  })
})
