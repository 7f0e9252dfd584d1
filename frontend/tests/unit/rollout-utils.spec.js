import { describe, expect, it } from 'vitest'
import {
  checkHost,
  credentials,
  hostPort,
  keyKind,
  keygenCommand,
  mergeHosts,
  newerHost,
  redact,
  scrub,
  stepNumber,
  targetsText,
} from '@/utils/rollout.js'

describe('rollout utils', () => {
  it('writes host:port as Go joins them', () => {
    expect(hostPort('web1.lan', 22)).toBe('web1.lan:22')
    expect(hostPort('web1.lan', 0)).toBe('web1.lan:22')
    expect(hostPort('fd00::7', 2222)).toBe('[fd00::7]:2222')
  })

  it('counts steps of eight', () => {
    expect(stepNumber({ step: '', status: 'pending' })).toBe(0)
    expect(stepNumber({ step: 'connecting', status: 'running' })).toBe(1)
    expect(stepNumber({ step: 'first heartbeat', status: 'running' })).toBe(8)
    expect(stepNumber({ step: 'done', status: 'done' })).toBe(8)
    expect(stepNumber({ step: 'something new', status: 'running' })).toBe(0)
  })

  it('never lets an older state of a host undo a newer one', () => {
    const running = { host: 'a', port: 22, step: 'enrolling', status: 'running' }
    expect(newerHost(running, { host: 'a', port: 22, step: 'connecting', status: 'running' })).toBe(running)
    expect(newerHost(running, { host: 'a', port: 22, step: 'enrolling', status: 'failed' }).status).toBe('failed')
    const failed = { host: 'a', port: 22, step: 'connecting', status: 'failed' }
    expect(newerHost(failed, { host: 'a', port: 22, step: 'enrolling', status: 'running' })).toBe(failed)
    expect(mergeHosts([running], [{ host: 'a', port: 2222, step: '', status: 'pending' }])).toHaveLength(2)
  })

  it('checks a single host field', () => {
    expect(checkHost('')).toBe('required')
    expect(checkHost('web1.example.lan')).toBe('')
    expect(checkHost('fd00::7')).toBe('')
    expect(checkHost('root@web1')).toBe('invalid')
    expect(checkHost('web1 web2')).toBe('invalid')
  })

  it('tells a private key by its first line', () => {
    expect(keyKind('-----BEGIN OPENSSH PRIVATE KEY-----\nabc')).toBe('OPENSSH')
    expect(keyKind('-----BEGIN RSA PRIVATE KEY-----')).toBe('RSA')
    expect(keyKind('-----BEGIN PRIVATE KEY-----')).toBe('')
    expect(keyKind('ssh-ed25519 AAAA me@laptop')).toBeNull()
  })

  it('names the host key file to compare with by key type', () => {
    expect(keygenCommand('ssh-ed25519')).toBe('ssh-keygen -lf /etc/ssh/ssh_host_ed25519_key.pub')
    expect(keygenCommand('ecdsa-sha2-nistp256')).toBe('ssh-keygen -lf /etc/ssh/ssh_host_ecdsa_key.pub')
    expect(keygenCommand('rsa-sha2-512')).toBe('ssh-keygen -lf /etc/ssh/ssh_host_rsa_key.pub')
  })

  it('writes failed targets back as lines ParseHosts reads', () => {
    expect(
      targetsText([
        { host: 'web1.lan', port: 22, user: 'root', name: 'web1.lan' },
        { host: '10.0.0.7', port: 2222, user: 'admin', name: 'backup1' },
      ]),
    ).toBe('web1.lan,22,root\n10.0.0.7,2222,admin,backup1')
  })

  it('builds credentials from what was filled in only', () => {
    const secrets = { password: 'pw', key: 'PEM', keyPassphrase: '', sudoPassword: 'sudo' }
    expect(credentials('password', secrets)).toEqual({ password: 'pw' })
    expect(credentials('key', secrets)).toEqual({ key: 'PEM', sudo_password: 'sudo' })
  })

  it('scrubs and redacts credentials', () => {
    const req = { targets: [], password: 'pw-secret', key: 'PEM-secret' }
    expect(redact('bad pw-secret and PEM-secret', ['pw-secret', 'PEM-secret'])).toBe('bad ••• and •••')
    scrub(req)
    expect(req).toEqual({ targets: [], password: '', key: '' })
  })
})
