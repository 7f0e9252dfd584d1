import { describe, expect, it } from 'vitest'
import {
  LOCAL_TARGET,
  checkHostedPath,
  checkListen,
  checkNodeDir,
  checkTargetName,
  locationChoices,
  nodeCandidates,
  offlineDeliveries,
  serversOn,
  targetAddress,
  targetOf,
  unconfirmedHostKey,
} from '@/utils/targets.js'
import { HOSTED_FP, UNCONFIRMED, hostedRecord, nodeRecord } from './target-records.js'

const server = (id, name, extra = {}) => ({ id, name, uuid: `uuid-${name}`, status: 'online', online: true, ...extra })

describe('unconfirmedHostKey', () => {
  it.each([
    ['Go’s refusal before a key is confirmed', UNCONFIRMED, { type: 'ssh-ed25519', fingerprint: HOSTED_FP }],
    ['the refusal without the sentence about the key', `host key not confirmed: ${HOSTED_FP}`, { type: '', fingerprint: HOSTED_FP }],
    ['a changed key (another error)', `invalid: box:23 presents ${HOSTED_FP}, not the SHA256:abc you confirmed`, null],
    ['an unreachable host', 'unavailable: cannot reach box:23: connection refused', null],
    ['nothing', undefined, null],
  ])('%s', (_, message, want) => {
    expect(unconfirmedHostKey(message)).toEqual(want)
  })
})

describe('targetAddress', () => {
  it.each([
    ['a storage node', nodeRecord(), '10.0.0.9:2222'],
    ['a hosted service with its login', hostedRecord(), 'u123@u123.your-storagebox.de:23'],
    ['an IPv6 node', nodeRecord({ host: 'fd00::9' }), '[fd00::9]:2222'],
    ['no host', nodeRecord({ host: '' }), ''],
  ])('%s', (_, target, want) => {
    expect(targetAddress(target)).toBe(want)
  })
})

describe('where repositories live', () => {
  const servers = [server(1, 'web1'), server(2, 'db1'), server(3, 'nas1'), server(4, 'old', { status: 'revoked', online: false })]
  const targets = [nodeRecord(), hostedRecord()]
  const repoTargets = { 1: 'nas1', 2: 'box' }

  it('targetOf answers null for the coordinator and the target otherwise', () => {
    expect(targetOf(servers[0], repoTargets, targets).name).toBe('nas1')
    expect(targetOf(servers[1], repoTargets, targets).kind).toBe('hosted')
    expect(targetOf(servers[2], repoTargets, targets)).toBeNull()
    expect(targetOf(null, repoTargets, targets)).toBeNull()
    expect(targetOf(servers[0], { 1: 'gone' }, targets)).toEqual({ name: 'gone', kind: '', status: '' })
  })

  it('serversOn lists the servers on a target, and every other one on the coordinator', () => {
    expect(serversOn('nas1', servers, repoTargets).map((s) => s.name)).toEqual(['web1'])
    expect(serversOn(LOCAL_TARGET, servers, repoTargets).map((s) => s.name)).toEqual(['nas1', 'old'])
  })

  it('nodeCandidates are the online servers that are not nodes yet', () => {
    expect(nodeCandidates(servers, targets).map((s) => s.name)).toEqual(['web1', 'db1'])
  })

  it('locationChoices leave out the node that is the server itself', () => {
    expect(locationChoices(servers[2], targets).map((t) => t.name)).toEqual(['box'])
    expect(locationChoices(servers[0], targets).map((t) => t.name)).toEqual(['nas1', 'box'])
  })
})

describe('form checks', () => {
  it.each([
    [':2222', ''],
    ['0.0.0.0:2222', ''],
    ['[::]:2222', ''],
    ['2222', 'invalid'],
    [':0', 'invalid'],
    [':70000', 'invalid'],
    ['', 'invalid'],
  ])('listen %j → %j', (listen, want) => {
    expect(checkListen(listen)).toBe(want)
  })

  it.each([
    ['/var/lib/borgdesk-storage', ''],
    ['', 'required'],
    ['/', 'invalid'],
    ['srv/borg', 'invalid'],
  ])('node dir %j → %j', (dir, want) => {
    expect(checkNodeDir(dir)).toBe(want)
  })

  it.each([
    ['./repos', ''],
    ['/home/u123/borg', ''],
    ['', 'required'],
    ['my repos', 'invalid'],
    ["it's", 'invalid'],
    ['../up', 'invalid'],
  ])('hosted path %j → %j', (path, want) => {
    expect(checkHostedPath(path)).toBe(want)
  })

  it('names targets like servers', () => {
    expect(checkTargetName('borgbase')).toBe('')
    expect(checkTargetName('')).toBe('required')
    expect(checkTargetName('', { optional: true })).toBe('')
    expect(checkTargetName('-bad')).toBe('invalid')
  })
})

describe('offlineDeliveries', () => {
  const ev = (id, at, data) => ({ id, at, kind: 'server:changed', subject: 'uuid-web1', message: '', data })
  const events = [
    ev(9, '2026-11-22T08:01:00Z', { id: 1, offline_runs: 3 }),
    ev(8, '2026-11-22T08:00:30Z', { id: 1 }),
    ev(7, '2026-11-21T20:00:00Z', { id: 1, offline_runs: 1 }),
    ev(6, '2026-11-22T08:00:10Z', null),
  ]

  it('keeps the deliveries made since the coordinator started', () => {
    expect(offlineDeliveries(events, '2026-11-22T07:59:00Z').map((e) => e.id)).toEqual([9])
  })

  it('keeps every delivery when the start is not known', () => {
    expect(offlineDeliveries(events, '').map((e) => e.id)).toEqual([9, 7])
  })
})
