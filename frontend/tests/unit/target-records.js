// Storage targets as Go's ListTargets sends them (store.Target), and the
// refusal AddHostedTarget answers before a host key is confirmed.
export const HOSTED_FP = 'SHA256:Zm9vYmFyYmF6cXV4Zm9vYmFyYmF6cXV4Zm9vYmFyYmE'

export function nodeRecord(overrides = {}) {
  return {
    id: 1,
    name: 'nas1',
    kind: 'node',
    server_id: 3,
    server_name: 'nas1',
    server_uuid: 'uuid-nas1',
    host: '10.0.0.9',
    port: 2222,
    user: '',
    path: '/var/lib/borgdesk-storage',
    listen: ':2222',
    host_key: 'ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAIK0',
    host_key_fingerprint: 'SHA256:bm9kZWtleW5vZGVrZXlub2Rla2V5bm9kZWtleW5vZGU',
    status: 'ready',
    last_error: '',
    free_bytes: 1.2e12,
    created_at: '2026-11-22T07:00:00Z',
    ...overrides,
  }
}

export function hostedRecord(overrides = {}) {
  return {
    id: 2,
    name: 'box',
    kind: 'hosted',
    server_id: 0,
    server_name: '',
    server_uuid: '',
    host: 'u123.your-storagebox.de',
    port: 23,
    user: 'u123',
    path: './borgdesk',
    listen: '',
    host_key: 'ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAIB0',
    host_key_fingerprint: HOSTED_FP,
    status: 'pending',
    last_error: '',
    free_bytes: 0,
    created_at: '2026-11-22T07:10:00Z',
    ...overrides,
  }
}

export const UNCONFIRMED = `host key not confirmed: u123.your-storagebox.de:23 presents the ssh-ed25519 key ${HOSTED_FP}; compare it with what your provider publishes, then add --accept-host-key ${HOSTED_FP}`
