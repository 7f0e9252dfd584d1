import { describe, expect, it } from 'vitest'
import {
  certState,
  isHeartbeatFor,
  isValidServerName,
  matchesRef,
  pendingEnrolments,
  presentTools,
  rootDisk,
  serverRef,
  withHeartbeat,
} from '@/utils/servers.js'

const NOW = Date.parse('2026-11-22T08:00:00Z')

describe('server helpers', () => {
  it.each([
    ['web1', true],
    ['db-2.prod_eu', true],
    ['a', true],
    ['x'.repeat(63), true],
    ['x'.repeat(64), false],
    ['', false],
    ['web 1', false],
    ['web1;rm', false],
    ['wéb1', false],
    // Go's rule: the first character is a letter or a digit.
    ['.hidden', false],
    ['-web1', false],
    ['_db', false],
    [null, false],
  ])('server name %j is valid: %s', (name, want) => {
    expect(isValidServerName(name)).toBe(want)
  })

  it('flags a certificate under 30 days and an expired one', () => {
    expect(certState(null, NOW)).toBe('none')
    expect(certState('2027-02-20T08:00:00Z', NOW)).toBe('valid')
    expect(certState('2026-12-22T09:00:00Z', NOW)).toBe('valid')
    expect(certState('2026-12-04T10:00:00Z', NOW)).toBe('expiring')
    expect(certState('2026-11-22T08:30:00Z', NOW)).toBe('expiring')
    expect(certState('2026-11-22T07:59:00Z', NOW)).toBe('expired')
  })

  it('links by uuid and resolves a ref as GetServer does', () => {
    const s = { id: 7, uuid: 'u-7', name: 'web7' }
    expect(serverRef(s)).toBe('u-7')
    expect(serverRef({ id: 8, uuid: '' })).toBe('8')
    expect(['u-7', 'web7', '7'].map((r) => matchesRef(s, r))).toEqual([true, true, true])
    expect(matchesRef(s, 'web8')).toBe(false)
    expect(matchesRef(s, '')).toBe(false)
  })

  it('picks the root file system', () => {
    const root = { mount: '/', total: 1, used: 0 }
    expect(rootDisk({ disks: [{ mount: '/boot' }, root] })).toBe(root)
    expect(rootDisk({ disks: [{ mount: '/boot' }] })).toBe(null)
    expect(rootDisk(null)).toBe(null)
  })

  it('lists the tools present, known ones first', () => {
    expect(presentTools({ tools: { lvm: true, zfs: true, mysqldump: true, docker: false } })).toEqual([
      'mysqldump',
      'lvm',
      'zfs',
    ])
    expect(presentTools(null)).toEqual([])
  })

  it('applies a heartbeat to the right server', () => {
    const s = { id: 2, uuid: 'u-2', status: 'offline', online: false, last_seen: null, metrics: null }
    const event = { subject: 'u-2', data: { server_id: 2, last_seen: 'T', metrics: { cpu_percent: 1 } } }
    expect(isHeartbeatFor(s, event)).toBe(true)
    expect(isHeartbeatFor(s, { subject: 'u-2', data: { server_id: 3 } })).toBe(false)
    expect(isHeartbeatFor(s, { subject: 'u-2', data: {} })).toBe(true)
    expect(withHeartbeat(s, event.data)).toEqual({
      ...s,
      status: 'online',
      online: true,
      last_seen: 'T',
      metrics: { cpu_percent: 1 },
    })
    expect(withHeartbeat({ ...s, status: 'pending' }, event.data).status).toBe('pending')
    const revoked = { ...s, status: 'revoked' }
    expect(withHeartbeat(revoked, event.data)).toBe(revoked)
  })
})

describe('pendingEnrolments', () => {
  const token = (id, name, state, expires = '2026-11-22T09:00:00Z') => ({ id, name, state, expires_at: expires })
  it('lists the names of valid unused tokens once, without the enrolled servers', () => {
    const tokens = [
      token(5, 'web3', 'pending', '2026-11-22T10:00:00Z'),
      token(4, 'web3', 'pending', '2026-11-22T09:00:00Z'),
      token(3, 'db1', 'pending'),
      token(2, 'old', 'expired'),
      token(1, 'web1', 'used'),
      token(6, 'mail-old', 'pending'),
    ]
    const servers = [
      { name: 'db1', status: 'online' },
      { name: 'mail-old', status: 'revoked' },
    ]
    expect(pendingEnrolments(tokens, servers).map((t) => [t.name, t.id])).toEqual([
      ['mail-old', 6],
      ['web3', 5],
    ])
    expect(pendingEnrolments(null, null)).toEqual([])
  })
})
